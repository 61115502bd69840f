"""The shipped examples as lessons, and the grid pages' lesson state ⇄ their presets.

A convolution or pooling page's lesson state is its preset (grids and every setting) plus the
current step, so a preset, a saved lesson and an exported example are one thing. Example ids
(``conv-1``, ``pool-2``, ...) name the shipped ones on the command line.
"""

from __future__ import annotations

from collections.abc import Callable

from cnnviz.core.grid_text import MAX_SIDE
from cnnviz.core.lesson import Lesson, grids, number, pair, whole
from cnnviz.core.ops.params import PADDING_MODES
from cnnviz.core.presets import CONV_PRESETS, POOL_PRESETS, ConvPreset, PoolPreset

MAX_CHANNELS = 3
MAX_KERNEL = 15
MAX_STEP = 10**6


def _common(state) -> tuple[str, int]:
    if not isinstance(state, dict):
        raise ValueError("the page's state is not a table")
    name = state.get("example", "")
    return (name if isinstance(name, str) else ""), whole(state.get("step", 0), "step", 0, MAX_STEP)


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
    }


def conv_preset_from_state(state) -> tuple[ConvPreset, int]:
    """(preset, step) from a convolution page's lesson state; ``ValueError`` when malformed."""
    name, step = _common(state)
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
    name, step = _common(state)
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


# (id prefix, page title, presets, state maker): a new grid page's examples join here
EXAMPLE_SOURCES: tuple[tuple[str, str, tuple, Callable[..., dict]], ...] = (
    ("conv", "Convolution", CONV_PRESETS, conv_state),
    ("pool", "Pooling", POOL_PRESETS, pool_state),
)


def examples() -> dict[str, Lesson]:
    """Every shipped example as a lesson, by id (``conv-1``, ``pool-2``, ...), in menu order."""
    found = {}
    for prefix, page, presets, make_state in EXAMPLE_SOURCES:
        for number_, preset in enumerate(presets, start=1):
            title = f"{page}: {preset.name}"
            found[f"{prefix}-{number_}"] = Lesson(page, make_state(preset), title=title)
    return found
