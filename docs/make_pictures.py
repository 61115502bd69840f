"""Make every animation the documentation uses: ``python docs/make_pictures.py``.

Each animation is a step-through exported by ``cnnviz export`` as PNG frames (the app's own
widgets, drawn offscreen) or, for a page with no step-through (Architecture, Train, Draw), the
page at work grabbed by ``python -m cnnviz.gui.page_animations``; then written as one small GIF
here: one palette for all frames and
no dithering, so that a frame that changes a few cells costs a few bytes and the file stays
under :data:`LIMIT_BYTES`. The screenshots come from ``python -m cnnviz.gui.screenshots``.

``--only NAME`` remakes one animation; ``--check`` makes nothing and fails if an animation the
list names is missing or too large.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
OUT = DOCS / "_static" / "animations"
LIMIT_BYTES = 300_000
SIZE = "1280x800"
COLOURS = 64

# name of the GIF: (example id or lesson file under docs/pictures/, frames a second, presenter
# mode: larger type). The Trace frame's three 5×5 grids side by side get larger cells with
# the plain look's type.
ANIMATIONS = {
    "convolution": ("conv-1", 1.0, False),
    "pooling": ("pool-2", 1.5, False),
    "backward": ("back-1", 1.0, False),
    "transposed": ("tconv-1", 1.0, False),
    "grouped": ("group-2", 1.0, False),
    "trace": ("trace-conv2.cnnviz", 1.0, False),
}
# A Trace frame is 75 trained numbers that all change from step to step (little for a GIF to
# share between frames): at 1280×800 it would be over the limit, at 960×600 it is not.
SIZES = {"trace": "960x600"}

# name of the GIF: frames a second, for the pages that have no step-through: their frames are
# grabbed from the page at work, in the window's SIZE (cnnviz/gui/page_animations.py)
PAGE_ANIMATIONS = {
    "architecture": 0.5,
    "train": 2.0,
    "draw": 1.5,
}


def names() -> list[str]:
    """Every animation the documentation uses."""
    return [*ANIMATIONS, *PAGE_ANIMATIONS]


def export_frames(lesson: str, folder: Path, presenter: bool, size: str = SIZE) -> list[Path]:
    """The step-through of ``lesson`` as PNG frames in ``folder``, by ``cnnviz export``."""
    source = DOCS / "pictures" / lesson if lesson.endswith(".cnnviz") else lesson
    options = ["--size", size, "--fps", "1"] + (["--presenter"] if presenter else [])
    command = [sys.executable, "-m", "cnnviz", "export", str(source), "-o", f"{folder}/"]
    subprocess.run(command + options, check=True, stdout=subprocess.DEVNULL)
    return sorted(folder.glob("*.png"))


def page_frames(name: str, folder: Path) -> list[Path]:
    """The frames of the page animation ``name`` as PNGs in ``folder``."""
    command = [sys.executable, "-m", "cnnviz.gui.page_animations", name, str(folder)]
    subprocess.run(command + ["--size", SIZE], check=True, stdout=subprocess.DEVNULL)
    return sorted(folder.glob("*.png"))


def write_gif(frames: list[Path], path: Path, fps: float) -> int:
    """``frames`` as one GIF with a shared palette, looping; returns its size in bytes."""
    from PIL import Image

    images = [Image.open(frame).convert("RGB") for frame in frames]
    # one palette, taken from all frames side by side, so no frame repaints the others' colours
    sheet = Image.new("RGB", (images[0].width, images[0].height * len(images)))
    for i, image in enumerate(images):
        sheet.paste(image, (0, i * image.height))
    palette = sheet.quantize(COLOURS, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    indexed = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    duration = int(1000 / fps)
    durations = [duration * 2] + [duration] * (len(indexed) - 2) + [duration * 3]
    indexed[0].save(
        path,
        save_all=True,
        append_images=indexed[1:],
        loop=0,
        duration=durations[: len(indexed)],
        optimize=True,
    )
    return path.stat().st_size


def make(name: str) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if name in PAGE_ANIMATIONS:
            fps = PAGE_ANIMATIONS[name]
            frames = page_frames(name, Path(tmp))
        else:
            lesson, fps, presenter = ANIMATIONS[name]
            frames = export_frames(lesson, Path(tmp), presenter, SIZES.get(name, SIZE))
        size = write_gif(frames, OUT / f"{name}.gif", fps)
    print(f"{name}.gif: {len(frames)} frames, {size / 1000:.0f} kB")
    return size


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=sorted(names()), help="remake this animation only")
    p.add_argument("--check", action="store_true", help="check the animations, make none")
    args = p.parse_args(argv)
    too_large = []
    for name in [args.only] if args.only else names():
        path = OUT / f"{name}.gif"
        size = path.stat().st_size if args.check and path.exists() else None
        if not args.check:
            size = make(name)
        if size is None:
            print(f"{name}.gif is missing: run python docs/make_pictures.py", file=sys.stderr)
            return 1
        if size > LIMIT_BYTES:
            too_large.append(f"{name}.gif ({size / 1000:.0f} kB)")
    if too_large:
        print(f"over {LIMIT_BYTES / 1000:.0f} kB: {', '.join(too_large)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
