"""Lesson files (format, refusals, atomic writes), the examples as lessons, frame writers."""

import json

import numpy as np
import pytest
from PIL import Image

from cnnviz.core.animation import MissingExtra, format_for, open_writer, parse_size, video_available
from cnnviz.core.examples import example_presets, examples
from cnnviz.core.lesson import VERSION, Lesson, LessonError, load_lesson, save_lesson
from cnnviz.core.lesson_presets import (
    conv_preset_from_state,
    conv_state,
    pool_preset_from_state,
    pool_state,
)

CONV_PRESETS, POOL_PRESETS = example_presets("conv"), example_presets("pool")


def test_a_lesson_round_trips_through_its_file(tmp_path):
    lesson = Lesson("Pooling", pool_state(POOL_PRESETS[1], step=4), presenter=True, title="t")
    path = tmp_path / "a.cnnviz"
    save_lesson(path, lesson)
    assert load_lesson(path) == lesson
    assert json.loads(path.read_text())["version"] == VERSION
    assert [p.name for p in tmp_path.iterdir()] == ["a.cnnviz"]  # no temporary file left


@pytest.mark.parametrize(
    "content, words",
    [
        (b"{not json", "damaged"),
        (b"\xff\xfe\x00garbage", "not text"),
        (json.dumps({"cells": [1, 2]}).encode(), "not a cnnviz lesson"),
        (
            json.dumps({"format": "cnnviz", "version": VERSION + 1, "page": "Pooling"}).encode(),
            "newer cnnviz",
        ),
        (json.dumps({"format": "cnnviz", "version": "one", "page": "Pooling"}).encode(), "version"),
        (json.dumps({"format": "cnnviz", "version": 1, "page": 3}).encode(), "names no page"),
    ],
)
def test_bad_files_are_refused_with_a_reason(tmp_path, content, words):
    path = tmp_path / "bad.cnnviz"
    path.write_bytes(content)
    with pytest.raises(LessonError, match=words):
        load_lesson(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(LessonError, match="Cannot read"):
        load_lesson(tmp_path / "gone.cnnviz")


@pytest.mark.parametrize("preset", CONV_PRESETS, ids=lambda p: p.name)
def test_every_convolution_example_is_a_lesson_state(preset):
    back, step = conv_preset_from_state(json.loads(json.dumps(conv_state(preset, 2))))
    assert step == 2
    for a, b in zip(back.arrays(), preset.arrays()):
        np.testing.assert_array_equal(a, b)
    assert (back.stride, back.dilation, back.padding_mode, back.bias) == (
        tuple(preset.stride),
        tuple(preset.dilation),
        preset.padding_mode,
        preset.bias,
    )
    assert back.padding == (
        preset.padding if isinstance(preset.padding, str) else tuple(preset.padding)
    )


@pytest.mark.parametrize("preset", POOL_PRESETS, ids=lambda p: p.name)
def test_every_pooling_example_is_a_lesson_state(preset):
    back, _ = pool_preset_from_state(json.loads(json.dumps(pool_state(preset))))
    np.testing.assert_array_equal(back.array(), preset.array())
    assert (back.kind, back.kernel, back.stride, back.padding, back.ceil_mode) == (
        preset.kind,
        preset.kernel,
        preset.stride,
        preset.padding,
        preset.ceil_mode,
    )


@pytest.mark.parametrize(
    "change, words",
    [
        ({"inputs": [[[1, "x"]]]}, "not a number"),
        ({"inputs": [[[1, 2], [3]]]}, "same size"),
        ({"inputs": []}, "1 to 3 grids"),
        ({"stride": [1]}, "two whole numbers"),
        ({"padding_mode": "mirror"}, "padding mode"),
        ({"kernels": [[[1]], [[1]]]}, "one kernel per input channel"),
        ({"step": -1}, "step"),
        ({"relu": "on"}, "relu must be true or false"),
    ],
)
def test_malformed_states_are_refused(change, words):
    state = {**conv_state(CONV_PRESETS[0]), **change}
    with pytest.raises(ValueError, match=words):
        conv_preset_from_state(state)


def test_example_ids_name_every_shipped_example():
    found = examples()
    prefixes = ("conv", "pool", "tconv", "group", "back")
    assert len(found) == sum(len(example_presets(p)) for p in prefixes)
    assert found["pool-2"].page == "Pooling"
    assert found["pool-2"].title.endswith(POOL_PRESETS[1].name)


def test_sizes_and_formats():
    assert parse_size("1280x800") == (1280, 800)
    assert parse_size(" 640 × 480 ") == (640, 480)
    for bad in ("1280", "10x10", "axb"):
        with pytest.raises(ValueError):
            parse_size(bad)
    assert [format_for(p) for p in ("a.gif", "b.MP4", "frames/", "frames")] == [
        "gif",
        "mp4",
        "png",
        "png",
    ]
    with pytest.raises(ValueError, match=".avi"):
        format_for("a.avi")


def frames(count, size=(96, 64)):
    w, h = size
    return [np.full((h, w, 3), 20 * i, np.uint8) for i in range(count)]


def test_gif_writer_keeps_every_frame_and_its_size(tmp_path):
    writer = open_writer(tmp_path / "a.gif", fps=4)
    for frame in frames(5):
        writer.add(frame)
    path = writer.close()
    with Image.open(path) as gif:
        assert (gif.n_frames, gif.size, gif.info["duration"]) == (5, (96, 64), 250)


def test_png_writer_writes_a_numbered_sequence_and_abort_removes_it(tmp_path):
    writer = open_writer(tmp_path / "seq", fps=2)
    for frame in frames(3):
        writer.add(frame)
    writer.close()
    names = sorted(p.name for p in (tmp_path / "seq").iterdir())
    assert names == ["frame-000.png", "frame-001.png", "frame-002.png"]
    with Image.open(tmp_path / "seq" / names[0]) as png:
        assert png.size == (96, 64)
    other = open_writer(tmp_path / "other", fps=2)
    other.add(frames(1)[0])
    other.abort()
    assert list((tmp_path / "other").iterdir()) == []


def test_an_aborted_gif_leaves_nothing(tmp_path):
    writer = open_writer(tmp_path / "a.gif", fps=2)
    writer.add(frames(1)[0])
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_bad_targets_are_refused(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        open_writer(tmp_path / "nowhere" / "a.gif", 2)
    with pytest.raises(ValueError, match="frame rate"):
        open_writer(tmp_path / "a.gif", 0)


@pytest.mark.skipif(not video_available(), reason="imageio-ffmpeg not installed (cnnviz[video])")
def test_mp4_writer_writes_a_video(tmp_path):
    import imageio.v2 as imageio

    writer = open_writer(tmp_path / "a.mp4", fps=2)
    for frame in frames(4, (128, 80)):
        writer.add(frame)
    writer.close()
    reader = imageio.get_reader(tmp_path / "a.mp4")
    try:
        assert reader.count_frames() == 4
        assert reader.get_data(0).shape == (80, 128, 3)
    finally:
        reader.close()
    assert [p.name for p in tmp_path.iterdir()] == ["a.mp4"]


def test_mp4_without_the_extra_says_how_to_get_it(tmp_path, monkeypatch):
    import cnnviz.core.animation as animation

    monkeypatch.setattr(animation, "video_available", lambda: False)
    with pytest.raises(MissingExtra, match=r'pip install "cnnviz\[video\]"'):
        open_writer(tmp_path / "a.mp4", 2)


def test_the_desktop_files_declare_the_lesson_type(tmp_path):
    """The .desktop entry, the metainfo and the shared-mime-info file agree with the format,
    and the type's magic (the "format" key near the start) is what a saved lesson begins with."""
    import re
    from pathlib import Path

    from cnnviz.core.lesson import MIME_TYPE, SUFFIX

    packaging = Path(__file__).resolve().parents[2] / "packaging"
    desktop = (packaging / "io.github.cnnviz.desktop").read_text()
    assert f"MimeType={MIME_TYPE};" in desktop and "Exec=cnnviz %f" in desktop
    assert (
        f"<mediatype>{MIME_TYPE}</mediatype>"
        in (packaging / "io.github.cnnviz.metainfo.xml").read_text()
    )
    mime = (packaging / "io.github.cnnviz.mime.xml").read_text()
    assert f'type="{MIME_TYPE}"' in mime and f'pattern="*{SUFFIX}"' in mime
    magic = re.search(r'value="([^"]+)" offset="0:(\d+)"', mime)
    save_lesson(tmp_path / f"a{SUFFIX}", Lesson("Pooling"))
    start = (tmp_path / f"a{SUFFIX}").read_text()[: int(magic[2]) + len(magic[1])]
    assert magic[1].replace("&quot;", '"') in start


def test_a_deck_round_trips_and_reads_as_a_deck(tmp_path):
    from cnnviz.core.deck import Deck, Stop, read_file, save_deck

    deck = Deck("Mine", [Stop("first", examples()["conv-1"]), Stop("then", Lesson("Train"))])
    save_deck(tmp_path / "d.cnnviz", deck)
    assert read_file(tmp_path / "d.cnnviz") == deck
    with pytest.raises(LessonError, match="a cnnviz deck, not a lesson"):
        load_lesson(tmp_path / "d.cnnviz")
    save_lesson(tmp_path / "l.cnnviz", Lesson("Pooling"))
    assert read_file(tmp_path / "l.cnnviz") == Lesson("Pooling")


@pytest.mark.parametrize(
    "stops, words",
    [
        ("none", "not a list"),
        ([{"page": "Pooling"}], "stop 1 is damaged: its caption"),
        ([{"caption": "x", "page": 7}], "stop 1 is damaged: it names no page"),
    ],
)
def test_damaged_decks_are_refused(tmp_path, stops, words):
    from cnnviz.core.deck import read_file

    data = {"format": "cnnviz", "kind": "deck", "version": 1, "title": "t", "stops": stops}
    (tmp_path / "d.cnnviz").write_text(json.dumps(data))
    with pytest.raises(LessonError, match=words):
        read_file(tmp_path / "d.cnnviz")


def test_the_lecture_deck_follows_the_lecture():
    from cnnviz.core.deck import lecture_deck
    from cnnviz.core.models import available

    deck = lecture_deck()
    lessons = [stop for stop in deck.stops if stop.quiz is None]  # the quiz stops: below
    assert deck.title == "Lecture 10: CNN" and len(lessons) == 13
    pages = [stop.lesson.page for stop in lessons]
    assert pages[:4] == ["Convolution"] * 3 + ["Pooling"]
    # one training step of the simple net, once its architecture (and mismatch) are shown
    assert pages[4:7] == ["Architecture", "Architecture", "One step"]
    models = [s.lesson.state["model"] for s in lessons if s.lesson.page == "Architecture"]
    assert models[:2] == ["simple", "simple_broken"] and models[-3:] == [
        "resnet",
        "plain",
        "densenet",
    ]
    assert set(models) <= set(available())
    assert all(0 < len(stop.caption) <= 80 for stop in deck.stops)


def test_a_gif_too_long_for_memory_is_refused_before_any_frame(tmp_path):
    from cnnviz.core.animation import MAX_GIF_FRAMES

    with pytest.raises(ValueError, match="export an MP4 or PNG frames"):
        open_writer(tmp_path / "a.gif", 2, frames=MAX_GIF_FRAMES + 1)
    assert open_writer(tmp_path / "seq", 2, frames=MAX_GIF_FRAMES + 1).count == 0
