"""The animations of the pages that have no step-through (Architecture, Train, Draw) are made
by ``python -m cnnviz.gui.page_animations``, and ``docs/make_pictures.py`` knows them."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def make_pictures():
    spec = importlib.util.spec_from_file_location("make_pictures", ROOT / "docs/make_pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_pictures_lists_the_page_animations_and_checks_one_alone():
    module = make_pictures()
    assert {"architecture", "train", "draw"} <= set(module.names())
    assert set(module.ANIMATIONS) <= set(module.names())
    assert module.main(["--check", "--only", "train"]) == 0
    with pytest.raises(SystemExit):  # argparse refuses a name no list has
        module.main(["--check", "--only", "no-such-page"])


def test_the_architecture_animation_shows_each_model_in_its_own_frame(tmp_path):
    pytest.importorskip("PySide6")
    command = [sys.executable, "-m", "cnnviz.gui.page_animations", "architecture", str(tmp_path)]
    out = subprocess.run(
        command + ["--size", make_pictures().SIZE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr
    frames = sorted(tmp_path.glob("frame-*.png"))
    assert [f.name for f in frames] == [f"frame-{i:03d}.png" for i in range(4)]
    from PIL import Image

    pixels = [np.asarray(Image.open(f).convert("RGB")) for f in frames]
    # the page, not a bit of it, and one size for all: a GIF's frames share it
    height, width = pixels[0].shape[:2]
    assert len({p.shape for p in pixels}) == 1 and height > 600 and width > 1000
    for a, b in zip(pixels, pixels[1:]):
        assert (a != b).any(axis=2).mean() > 0.01  # the next model changes the page
