"""The shipped examples.

The shipped examples are lesson files, ``cnnviz/resources/lessons/<id>.cnnviz`` (``conv-1``,
``pool-2``, ``tconv-1``, ...), one place for them all: the pages' example boxes, ``cnnviz export
--list`` and the lecture deck read them. Each holds its page, its title (the example's name), a
description and the page's state, read as :mod:`cnnviz.core.lesson_presets` reads any lesson
state: a preset, a saved lesson and a shipped example are one thing. The files are read once,
a page's at a time, when first asked for (a few kilobytes each).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from collections.abc import Callable
from importlib import resources

from cnnviz.core.lesson import SUFFIX, Lesson, LessonError, lesson_from_json
from cnnviz.core.lesson_presets import (
    backward_preset_from_state,
    conv_preset_from_state,
    grouped_preset_from_state,
    pool_preset_from_state,
    transposed_preset_from_state,
)

# (id prefix, page title, state -> (preset, step)): a new grid page's examples join here, as
# files named <prefix>-<number>.cnnviz in the lessons folder
EXAMPLE_SOURCES: tuple[tuple[str, str, Callable], ...] = (
    ("conv", "Convolution", conv_preset_from_state),
    ("pool", "Pooling", pool_preset_from_state),
    ("tconv", "Transposed convolution", transposed_preset_from_state),
    ("group", "Grouped convolution", grouped_preset_from_state),
    ("back", "Backward", backward_preset_from_state),
)
FOLDER = resources.files("cnnviz.resources") / "lessons"
REINSTALL = "Reinstall cnnviz to restore it"


@dataclasses.dataclass(frozen=True)
class Shelf:
    """One page's shipped examples: id → (lesson, preset) in order, and id → why a file that
    should be there could not be read."""

    examples: dict
    problems: dict


def _read_example(source: tuple, name: str) -> tuple[Lesson, object]:
    prefix, page, preset_of_state = source
    try:
        text = (FOLDER / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{name} cannot be read ({exc})") from None
    lesson = lesson_from_json(text, name)
    if lesson.page != page:
        raise LessonError(f"{name} is for the {lesson.page!r} page, not the {page!r} page")
    try:
        preset, _ = preset_of_state(lesson.state)
    except ValueError as exc:
        raise LessonError(f"{name} is damaged: {exc}") from None
    preset = dataclasses.replace(
        preset, name=preset.name or lesson.title, description=lesson.description
    )
    title = f"{page}: {preset.name}"
    return Lesson(page, lesson.state, title=title, description=lesson.description), preset


@functools.cache
def shelf(prefix: str) -> Shelf:
    """The shipped examples of the page whose ids start with ``prefix`` (read once)."""
    source = next(s for s in EXAMPLE_SOURCES if s[0] == prefix)
    pattern = re.compile(rf"{re.escape(prefix)}-([1-9][0-9]*){re.escape(SUFFIX)}")
    try:
        numbers = sorted(
            int(m[1]) for m in (pattern.fullmatch(f.name) for f in FOLDER.iterdir()) if m
        )
    except OSError:
        numbers = []
    found, problems = {}, {}
    if not numbers:
        problems[f"{prefix}-1"] = (
            f"The shipped {source[1]} examples are missing ({prefix}-1{SUFFIX} and on). {REINSTALL}"
        )
    for number_ in range(1, (numbers or [0])[-1] + 1):
        key = f"{prefix}-{number_}"
        try:
            if number_ not in numbers:
                raise LessonError(f"{key}{SUFFIX} is missing")
            found[key] = _read_example(source, f"{key}{SUFFIX}")
        except LessonError as exc:
            problems[key] = f"The shipped example {key} cannot be opened: {exc}. {REINSTALL}"
    return Shelf(found, problems)


def example_presets(prefix: str) -> tuple:
    """The presets of a page's shipped examples, in order (a damaged one left out)."""
    return tuple(preset for _, preset in shelf(prefix).examples.values())


def examples() -> dict[str, Lesson]:
    """Every shipped example as a lesson, by id (``conv-1``, ``pool-2``, ...), in menu order."""
    return {
        key: dataclasses.replace(lesson, state=copy.deepcopy(lesson.state))  # the caller's own
        for prefix, _, _ in EXAMPLE_SOURCES
        for key, (lesson, _) in shelf(prefix).examples.items()
    }


def example_problems(prefix: str = "") -> dict[str, str]:
    """id → why that shipped example cannot be opened (one page's, or all); empty when whole."""
    prefixes = [prefix] if prefix else [s[0] for s in EXAMPLE_SOURCES]
    return {key: text for p in prefixes for key, text in shelf(p).problems.items()}


def forget_examples() -> None:
    """Read the files again at the next request (after the folder changed)."""
    shelf.cache_clear()
