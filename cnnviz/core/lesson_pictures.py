"""Small pictures inside lesson files: a drawing or a test image as base64 PNG text.

A 280×280 drawing is 78 KB as a list of numbers but one to a few kilobytes as PNG (Pillow,
lossless), so a lesson with a drawing stays a small, readable JSON file.
"""

from __future__ import annotations

import base64
import binascii
import io

import numpy as np

MAX_SIDE = 1024  # a lesson's pictures are drawings and test images, never photographs


def encode_png(image: np.ndarray) -> str:
    """An ``[H, W]`` (grey) or ``[H, W, 3]`` (colour) uint8 image as base64 PNG text."""
    from PIL import Image

    array = np.ascontiguousarray(image, dtype=np.uint8)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise ValueError(f"a picture must be H×W or H×W×3, not {array.shape}")
    buffer = io.BytesIO()
    Image.fromarray(array, "L" if array.ndim == 2 else "RGB").save(buffer, "PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_png(text, what: str, max_side: int = MAX_SIDE) -> np.ndarray:
    """The image of :func:`encode_png`'s text (``[H, W]`` or ``[H, W, 3]`` uint8);
    ``ValueError`` naming ``what`` for anything else."""
    from PIL import Image, UnidentifiedImageError

    if not isinstance(text, str):
        raise ValueError(f"{what} must be a PNG picture written as base64 text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format != "PNG" or picture.mode not in ("L", "RGB"):
                raise ValueError(f"{what} is not a grey or colour PNG picture")
            if max(picture.size) > max_side:
                raise ValueError(f"{what} is larger than {max_side}×{max_side} pixels")
            return np.asarray(picture.convert(picture.mode), dtype=np.uint8).copy()
    except (binascii.Error, UnicodeEncodeError, UnidentifiedImageError, OSError):
        raise ValueError(f"{what} is damaged: it is not a PNG picture") from None


def exact_state(image: np.ndarray | None) -> str | None:
    """A test image as the network takes it (``[C, H, W]`` in [0, 1]) as PNG text."""
    if image is None:
        return None
    pixels = np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
    return encode_png(pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0))


def check_exact(text) -> np.ndarray | None:
    """The uint8 ``[C, H, W]`` test image of :func:`exact_state`'s text (None: none);
    ``ValueError`` for anything else."""
    if text is None:
        return None
    pixels = decode_png(text, "its test image", max_side=512)
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1).copy()
