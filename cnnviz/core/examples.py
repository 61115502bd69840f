"""The shipped examples, and the convolution and pooling pages' lesson state ⇄ their presets.

The shipped examples are lesson files, ``cnnviz/resources/lessons/<id>.cnnviz`` (``conv-1``,
``pool-2``, ``tconv-1``, ...), one place for them all: the pages' example boxes, ``cnnviz export
--list`` and the lecture deck read them. Each holds its page, its title (the example's name), a
description and the page's state. A page's lesson state is its preset (grids and every setting)
plus the current step, so a preset, a saved lesson and a shipped example are one thing. The
files are read once, a page's at a time, when first asked for (a few kilobytes each).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from collections.abc import Callable
from importlib import resources

from cnnviz.core.grid_text import MAX_SIDE
from cnnviz.core.lesson import SUFFIX, Lesson, LessonError, grids, lesson_from_json, number, pair
from cnnviz.core.lesson_presets import (
    backward_preset_from_state,
    example_and_step,
    grouped_preset_from_state,
    transposed_preset_from_state,
)
from cnnviz.core.ops.params import PADDING_MODES
from cnnviz.core.presets import ConvPreset, PoolPreset

MAX_CHANNELS = 3
MAX_KERNEL = 15


def conv_state(preset: ConvPreset, step: int = 0) -> dict:
    """A convolution page's lesson state for ``preset`` at ``step``."""
    x, w = preset.arrays()
    padding = preset.padding
    padding = padding if isinstance(padding, str) else list(padding)  # type: ignore[call-overload]
    return {
        "example": preset.name,
        "inputs": x.tolist(),
        "kernels": w.tolist(),
        "bias": float(preset.bias),
        "stride": list(preset.stride),
        "padding": padding,
        "padding_mode": preset.padding_mode,
        "dilation": list(preset.dilation),
        "step": step,
    } | ({} if preset.relu is None else {"relu": bool(preset.relu)})


def conv_preset_from_state(state) -> tuple[ConvPreset, int]:
    """(preset, step) from a convolution page's lesson state; ``ValueError`` when malformed."""
    name, step = example_and_step(state)
    inputs = grids(state.get("inputs"), "inputs", MAX_CHANNELS, MAX_SIDE)
    kernels = grids(state.get("kernels"), "kernels", MAX_CHANNELS, MAX_KERNEL)
    if len(kernels) != len(inputs):
        raise ValueError("there must be one kernel per input channel")
    padding = state.get("padding", [0, 0])
    if padding not in ("same", "valid"):
        padding = pair(padding, "padding", 0, 16)
    mode = state.get("padding_mode", "zeros")
    if mode not in PADDING_MODES:
        raise ValueError(f"padding mode must be one of {', '.join(PADDING_MODES)}")
    relu = state.get("relu")
    if relu is not None and not isinstance(relu, bool):
        raise ValueError("relu must be true or false")
    preset = ConvPreset(
        name,
        "",
        inputs,
        kernels,
        bias=number(state.get("bias", 0.0), "bias"),
        stride=pair(state.get("stride", [1, 1]), "stride", 0, 8),
        padding=padding,
        dilation=pair(state.get("dilation", [1, 1]), "dilation", 0, 8),
        padding_mode=mode,
        relu=relu,
    )
    return preset, step


def pool_state(preset: PoolPreset, step: int = 0) -> dict:
    """A pooling page's lesson state for ``preset`` at ``step``."""
    return {
        "example": preset.name,
        "inputs": preset.array().tolist(),
        "kind": preset.kind,
        "kernel": list(preset.kernel),
        "stride": list(preset.stride),
        "padding": list(preset.padding),
        "dilation": list(preset.dilation),
        "ceil_mode": bool(preset.ceil_mode),
        "count_include_pad": bool(preset.count_include_pad),
        "step": step,
    }


def pool_preset_from_state(state) -> tuple[PoolPreset, int]:
    """(preset, step) from a pooling page's lesson state; ``ValueError`` when malformed."""
    name, step = example_and_step(state)
    kind = state.get("kind", "max")
    if kind not in ("max", "avg"):
        raise ValueError("pooling kind must be max or avg")
    flags = [state.get(k, d) for k, d in (("ceil_mode", False), ("count_include_pad", True))]
    if not all(isinstance(f, bool) for f in flags):
        raise ValueError("ceil_mode and count_include_pad must be true or false")
    preset = PoolPreset(
        name,
        "",
        grids(state.get("inputs"), "inputs", MAX_CHANNELS, MAX_SIDE),
        kind=kind,
        kernel=pair(state.get("kernel", [2, 2]), "kernel size", 0, MAX_KERNEL),
        stride=pair(state.get("stride", [2, 2]), "stride", 0, 8),
        padding=pair(state.get("padding", [0, 0]), "padding", 0, 8),
        dilation=pair(state.get("dilation", [1, 1]), "dilation", 0, 8),
        ceil_mode=flags[0],
        count_include_pad=flags[1],
    )
    return preset, step


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
