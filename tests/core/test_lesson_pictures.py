"""Pictures in lesson files: base64 PNG text, lossless and small; anything else refused."""

import base64

import numpy as np
import pytest

from cnnviz.core.lesson_pictures import decode_png, encode_png


def test_a_drawing_and_a_colour_image_round_trip_small():
    drawing = np.zeros((280, 280), np.uint8)
    drawing[40:240, 130:150] = 255
    drawing[60:80, 20:260] = 128
    text = encode_png(drawing)
    assert len(text) < 2000  # a lesson file stays small
    np.testing.assert_array_equal(decode_png(text, "the drawing"), drawing)
    colour = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(encode_png(colour), "the image"), colour)


@pytest.mark.parametrize(
    "text, words",
    [
        (17, "must be a PNG picture"),
        ("not base64!", "is damaged"),
        (base64.b64encode(b"GIF89a nonsense").decode(), "is damaged"),
    ],
)
def test_anything_else_is_refused(text, words):
    with pytest.raises(ValueError, match=f"the drawing {words}"):
        decode_png(text, "the drawing")


def test_too_large_or_of_another_kind_is_refused():
    with pytest.raises(ValueError, match="larger than 64×64"):
        decode_png(encode_png(np.zeros((65, 10), np.uint8)), "the drawing", max_side=64)
    with pytest.raises(ValueError, match="H×W or H×W×3"):
        encode_png(np.zeros((2, 3, 4), np.uint8))
