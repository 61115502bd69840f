"""Writing a step-through's frames as an animated GIF, an MP4 or a folder of PNGs.

Frames arrive one at a time (``add`` an ``[H, W, 3]`` uint8 array) so a caller can render and
encode in small slices; nothing appears under the target name until ``close`` succeeds
(``abort`` leaves nothing behind). MP4 needs the optional ``video`` extra (imageio with
imageio-ffmpeg, whose wheel ships an ffmpeg binary).
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import numpy as np

from cnnviz.core.files import atomic_path

FORMATS = ("gif", "mp4", "png")
VIDEO_HINT = 'MP4 export needs imageio and imageio-ffmpeg: pip install "cnnviz[video]"'
MIN_SIDE, MAX_SIDE = 64, 7680
# a GIF is assembled in memory (about 1 MB a frame at 1280×800): beyond this, MP4 or PNG frames
MAX_GIF_FRAMES = 400


class MissingExtra(RuntimeError):
    """An optional dependency is not installed; the message says how to get it."""


def video_available() -> bool:
    """Whether MP4 export can run (imageio and imageio-ffmpeg importable)."""
    try:
        import imageio  # noqa: F401
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x800"`` (or ``×``) → (1280, 800); ``ValueError`` with the reason otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*[x×X]\s*(\d+)\s*", text or "")
    if not match:
        raise ValueError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x800")
    width, height = int(match[1]), int(match[2])
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"width and height must be {MIN_SIDE} to {MAX_SIDE} pixels")
    return width, height


def format_for(path) -> str:
    """ "gif", "mp4" or "png" (a folder: a path ending in / or without a suffix)."""
    text = str(path)
    suffix = Path(text).suffix.lower().lstrip(".")
    if text.endswith(("/", "\\")) or not suffix:
        return "png"
    if suffix not in ("gif", "mp4"):
        raise ValueError(f"cannot export to .{suffix}: use .gif, .mp4 or a folder (PNG frames)")
    return suffix


class FrameWriter:
    """Base: frames in, one file (or folder) out."""

    def __init__(self, path, fps: float):
        if not 0.1 <= fps <= 60:
            raise ValueError("frame rate must be 0.1 to 60 frames a second")
        self.path, self.fps, self.count = Path(path), float(fps), 0

    def add(self, frame: np.ndarray) -> None:
        """One RGB frame, ``[H, W, 3]`` uint8."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError("a frame is an [H, W, 3] uint8 array")
        self._add(frame)
        self.count += 1

    def _add(self, frame: np.ndarray) -> None:
        raise NotImplementedError

    def close(self) -> Path:
        """Finish; returns the written path."""
        raise NotImplementedError

    def abort(self) -> None:
        """Stop and remove everything written so far."""


class GifWriter(FrameWriter):
    """Pillow's GIF: each frame quantized as it arrives (the slow part, spread over the
    slices), the file assembled and written atomically on ``close``."""

    def __init__(self, path, fps: float):
        super().__init__(path, fps)
        self.frames: list = []

    def _add(self, frame):
        from PIL import Image

        self.frames.append(Image.fromarray(frame).quantize(256, Image.Quantize.FASTOCTREE))

    def close(self) -> Path:
        if not self.frames:
            raise ValueError("no frames to write")
        duration = round(1000 / self.fps)
        with atomic_path(self.path, suffix=".gif") as tmp:
            first, *rest = self.frames
            # disposal 1 + optimize=False: every frame is whole; nothing merged or dropped
            first.save(
                tmp,
                "GIF",
                save_all=True,
                append_images=rest,
                duration=duration,
                loop=0,
                optimize=False,
                disposal=1,
            )
        self.frames = []
        return self.path

    def abort(self):
        self.frames = []


class Mp4Writer(FrameWriter):
    """imageio-ffmpeg: H.264, frames streamed to ffmpeg as they arrive."""

    def __init__(self, path, fps: float):
        super().__init__(path, fps)
        if not video_available():
            raise MissingExtra(VIDEO_HINT)
        import imageio.v2 as imageio

        self._stack = contextlib.ExitStack()
        tmp = self._stack.enter_context(atomic_path(self.path, suffix=".mp4"))
        # macro_block_size 2: keep the size asked for (even sides; yuv420p needs them)
        self._writer = imageio.get_writer(
            tmp,
            format="FFMPEG",
            fps=self.fps,
            codec="libx264",
            macro_block_size=2,
            quality=8,
            ffmpeg_log_level="error",
        )

    def _add(self, frame):
        h, w = frame.shape[:2]
        self._writer.append_data(frame[: h - h % 2, : w - w % 2])

    def close(self) -> Path:
        self._writer.close()
        self._stack.close()  # the temporary file replaces the target
        return self.path

    def abort(self):
        with contextlib.suppress(Exception):
            self._writer.close()
        self._stack.__exit__(RuntimeError, RuntimeError("aborted"), None)  # removes the temp


class PngWriter(FrameWriter):
    """A folder of ``frame-000.png``, ``frame-001.png``, ... (each written atomically)."""

    def __init__(self, path, fps: float):
        super().__init__(path, fps)
        self.path.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []

    def _add(self, frame):
        from PIL import Image

        target = self.path / f"frame-{self.count:03d}.png"
        with atomic_path(target, suffix=".png") as tmp:
            Image.fromarray(frame).save(tmp, "PNG", compress_level=1)
        self.written.append(target)

    def close(self) -> Path:
        return self.path

    def abort(self):
        for target in self.written:
            target.unlink(missing_ok=True)
        self.written = []


def open_writer(path, fps: float, frames: int = 0) -> FrameWriter:
    """The writer for ``path``'s format, for ``frames`` frames (``ValueError``: bad path, fps
    or too many frames for a GIF; ``MissingExtra``: MP4 without the video extra)."""
    kind = format_for(path)
    if kind == "gif" and frames > MAX_GIF_FRAMES:
        raise ValueError(
            f"a GIF of {frames} frames would not fit in memory (at most {MAX_GIF_FRAMES}): "
            "export an MP4 or PNG frames, or a smaller example"
        )
    writer = {"gif": GifWriter, "mp4": Mp4Writer, "png": PngWriter}[kind]
    if kind != "png" and not Path(path).parent.is_dir():
        raise ValueError(f"the folder {Path(path).parent} does not exist")
    return writer(path, fps)
