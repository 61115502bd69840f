"""``cnnviz export``: a shipped example or a lesson file as a GIF, an MP4 or PNG frames,
rendered offscreen (no display needed)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

LOOKS = ("light", "dark", "presenter", "presenter-dark")  # as cnnviz.gui.export.stage.LOOKS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cnnviz export",
        description="Export a step-through as an animation: one frame per step (and a title "
        "frame), drawn by the app's own widgets offscreen.",
    )
    p.add_argument("lesson", nargs="?", help="an example id (see --list) or a .cnnviz lesson file")
    p.add_argument("-o", "--output", help="out.gif, out.mp4, or a folder/ for PNG frames")
    p.add_argument("--list", action="store_true", help="list the examples: id, then title")
    p.add_argument("--size", default="1280x800", help="frame size WIDTHxHEIGHT (1280x800)")
    p.add_argument("--fps", type=float, default=2.0, help="frames a second (2)")
    p.add_argument(
        "--look",
        choices=LOOKS,
        default="light",
        help="the frames' look: light (on white), dark, presenter (bigger type, stronger "
        "contrast) or presenter-dark (presenter mode, dark)",
    )
    p.add_argument(
        "--presenter", action="store_true", help="presenter mode in the look chosen (bigger type)"
    )
    p.add_argument("--code", action="store_true", help="show the PyTorch line under the grids")
    p.add_argument("--no-title", action="store_true", help="no title frame")
    return p


def resolve(name: str):
    """A Lesson from an example id or a lesson file (``ValueError`` naming what is wrong)."""
    from cnnviz.core.examples import example_problems, examples
    from cnnviz.core.lesson import load_lesson

    found = examples()
    if name in found:
        return found[name]
    problem = example_problems().get(name)
    if problem:
        raise ValueError(problem)
    if Path(name).exists():
        return load_lesson(name)
    raise ValueError(f"{name!r} is neither an example id (see `cnnviz export --list`) nor a file")


def run(argv) -> int:
    """Run ``cnnviz export``; returns the exit code."""
    p = parser()
    args = p.parse_args(argv)
    if args.list:
        from cnnviz.core.examples import example_problems, examples

        for key, lesson in examples().items():
            print(f"{key}\t{lesson.title}")
        for problem in example_problems().values():
            print(f"cnnviz export: {problem}", file=sys.stderr)
        return 1 if example_problems() else 0
    if not args.lesson or not args.output:
        p.error("give an example id or lesson file and -o OUTPUT (or --list)")
    from cnnviz.core.animation import MissingExtra, parse_size

    try:
        size = parse_size(args.size)
        lesson = resolve(args.lesson)
        return _export(lesson, args.output, size, args)
    except (ValueError, OSError, MissingExtra) as exc:
        print(f"cnnviz export: {exc}", file=sys.stderr)
        return 1


def _export(lesson, output: str, size, args) -> int:
    # never a window, with or without a display; and, for this command only, none of the
    # platform plugin's messages ("This plugin does not support propagateSizeHints()")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    with quiet_qt():
        return _render(lesson, output, size, args)


@contextlib.contextmanager
def quiet_qt():
    """Qt's debug, info and warning messages dropped while the block runs (the handler in
    place before is put back after it); critical and fatal ones still reach stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind, _context, message):
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            print(f"Qt: {message}", file=sys.stderr)

    before = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(before)


def progress_printer(stream):
    """``report(done, total)``: on a terminal one line rewritten in place; otherwise one
    plain line per frame (a log, a CI job)."""
    terminal = stream.isatty()

    def report(done, total):
        if terminal:
            end = "\n" if done == total else ""
            print(f"\rframe {done}/{total}", end=end, file=stream, flush=True)
        else:
            print(f"frame {done}/{total}", file=stream, flush=True)

    return report


def _render(lesson, output: str, size, args) -> int:
    from cnnviz.gui.app import create_app
    from cnnviz.gui.export.stage import look_named
    from cnnviz.gui.settings import use_private_settings

    use_private_settings()  # the user's settings are neither read nor changed
    app = create_app()
    look = look_named(args.look, args.presenter or lesson.presenter)
    if look.presenter:  # the type of a page drawn whole (a stage sets its own)
        from cnnviz.gui.appearance.look import apply_look

        apply_look(app, 1.0, True)
    from cnnviz.gui.export.animation_export import AnimationExport
    from cnnviz.gui.pages import entry_titled

    entry = entry_titled(lesson.page)
    if entry is None:
        raise ValueError(f"this cnnviz has no {lesson.page!r} page")
    job = AnimationExport(
        entry.load(), lesson, output, size, args.fps, not args.no_title, look, code=args.code
    )
    path = job.run(progress_printer(sys.stdout))
    print(f"wrote {path} ({job.total} frames, {size[0]}x{size[1]}, {look.name})")
    return 0
