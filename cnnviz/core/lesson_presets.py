"""The transposed, grouped and backward lessons: their presets (every setting the page has) and
their lesson state ⇄ preset.

A page's lesson state is its preset plus the current step, so a preset, a saved lesson and a
shipped example are one thing. Reading a state checks every value and raises ``ValueError``
with a sentence naming what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.core.grid_text import MAX_SIDE
from cnnviz.core.lesson import grids, number, pair, whole

MAX_STEP = 10**6
SCATTER, CONVOLUTION = "scatter", "convolution"  # what the transposed page steps through
BACKWARD_KINDS = ("conv", "max", "avg")
MAX_LAYER_CHANNELS = 4  # the grouped page's input and output channels
MAX_GROUPED_KERNEL = 5
MAX_KERNEL = 7  # the transposed and backward pages' kernels
MAX_LR = 10.0


def example_and_step(state) -> tuple[str, int]:
    """The example's name and the current step of a state."""
    if not isinstance(state, dict):
        raise ValueError("the page's state is not a table")
    name = state.get("example", "")
    return (name if isinstance(name, str) else ""), whole(state.get("step", 0), "step", 0, MAX_STEP)


def _grid(value, what: str, side: int) -> list:
    """One ``[H][W]`` grid of finite numbers, 1..side each way."""
    return grids([value], what, 1, side)[0]


def _flag(state: dict, key: str, default: bool) -> bool:
    value = state.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def _in_range(value: float, what: str, low: float, high: float) -> float:
    if not low <= value <= high:
        raise ValueError(f"{what} must be from {low:g} to {high:g}")
    return value


# -- transposed convolution ----------------------------------------------------------------------
@dataclass(frozen=True)
class TransposedPreset:
    """A transposed convolution: input [H, W], kernel [kh, kw], the settings and the view the
    step bar walks ("scatter" or "convolution")."""

    name: str
    description: str
    input: list
    kernel: list
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    output_padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    bias: float = 0.0
    view: str = SCATTER

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.input, float)[None], np.asarray(self.kernel, float)


def transposed_state(preset: TransposedPreset, step: int = 0) -> dict:
    """A transposed convolution page's lesson state for ``preset`` at ``step``."""
    x, w = preset.arrays()
    return {
        "example": preset.name,
        "inputs": x.tolist(),
        "kernel": w.tolist(),
        "stride": list(preset.stride),
        "padding": list(preset.padding),
        "output_padding": list(preset.output_padding),
        "dilation": list(preset.dilation),
        "bias": float(preset.bias),
        "view": preset.view,
        "step": step,
    }


def transposed_preset_from_state(state) -> tuple[TransposedPreset, int]:
    """(preset, step) from a transposed convolution page's state; ``ValueError`` when malformed."""
    name, step = example_and_step(state)
    view = state.get("view", SCATTER)
    if view not in (SCATTER, CONVOLUTION):
        raise ValueError(f"the view stepped through must be {SCATTER} or {CONVOLUTION}")
    bias = _in_range(number(state.get("bias", 0.0), "bias"), "bias", -999, 999)
    preset = TransposedPreset(
        name,
        "",
        grids(state.get("inputs"), "inputs", 1, MAX_SIDE)[0],
        _grid(state.get("kernel"), "kernel", MAX_KERNEL),
        stride=pair(state.get("stride", [1, 1]), "stride", 0, 6),
        padding=pair(state.get("padding", [0, 0]), "padding", 0, 8),
        output_padding=pair(state.get("output_padding", [0, 0]), "output_padding", 0, 6),
        dilation=pair(state.get("dilation", [1, 1]), "dilation", 0, 4),
        bias=bias,
        view=view,
    )
    return preset, step


# -- grouped convolution -------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupedPreset:
    """A convolution layer with groups: input [C_in, H, W], weight [C_out, C_in/groups, kh, kw],
    the groups and the padding."""

    name: str
    description: str
    input: list
    weight: list
    groups: int = 1
    padding: tuple[int, int] = (0, 0)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The input [C_in, H, W] and the weight [C_out, C_in/groups, kh, kw]."""
        return np.asarray(self.input, float), np.asarray(self.weight, float)

    @property
    def in_channels(self) -> int:
        return len(self.input)

    @property
    def out_channels(self) -> int:
        return len(self.weight)


def grouped_state(preset: GroupedPreset, step: int = 0) -> dict:
    """A grouped convolution page's lesson state for ``preset`` at ``step``."""
    x, w = preset.arrays()
    return {
        "example": preset.name,
        "inputs": x.tolist(),
        "weights": w.tolist(),
        "groups": int(preset.groups),
        "padding": list(preset.padding),
        "step": step,
    }


def grouped_preset_from_state(state) -> tuple[GroupedPreset, int]:
    """(preset, step) from a grouped convolution page's state; ``ValueError`` when malformed."""
    name, step = example_and_step(state)
    inputs = grids(state.get("inputs"), "inputs", MAX_LAYER_CHANNELS, MAX_SIDE)
    weights = state.get("weights")
    if not isinstance(weights, list) or not 1 <= len(weights) <= MAX_LAYER_CHANNELS:
        raise ValueError(f"weights must hold 1 to {MAX_LAYER_CHANNELS} filters")
    filters = [grids(f, "weights", MAX_LAYER_CHANNELS, MAX_GROUPED_KERNEL) for f in weights]
    if len({np.shape(f) for f in filters}) != 1:
        raise ValueError("weights: every filter must have the same shape")
    groups = whole(state.get("groups", 1), "groups", 1, MAX_LAYER_CHANNELS)
    if len(inputs) % groups or len(filters) % groups:
        raise ValueError(
            f"groups ({groups}) must divide the input channels ({len(inputs)}) and the "
            f"filters ({len(filters)})"
        )
    if len(filters[0]) * groups != len(inputs):
        raise ValueError(
            f"each filter must have one kernel per input channel of its group "
            f"({len(inputs) // groups}), not {len(filters[0])}"
        )
    preset = GroupedPreset(
        name,
        "",
        inputs,
        filters,
        groups,
        pair(state.get("padding", [0, 0]), "padding", 0, 4),
    )
    return preset, step


# -- the backward pass ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BackwardPreset:
    """A backward-pass example: "conv", "max" or "avg" over input [H, W]; the convolution's
    kernel W, the pooling window, ∂L/∂Y (None: L = sum of the output), pooling's rounding and
    the SGD step's learning rate."""

    name: str
    description: str
    kind: str
    input: list
    kernel: list | None = None  # None: a kernel of ones of kernel_size
    kernel_size: tuple[int, int] = (2, 2)  # the pooling window (a convolution's: its kernel's)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    grad_out: list | None = None
    ceil_mode: bool = False
    count_include_pad: bool = True
    lr: float = 0.01

    def kernel_array(self) -> np.ndarray:
        """The kernel W (ones of the window's size when the preset names none)."""
        if self.kernel is None:
            return np.ones(self.kernel_size)
        return np.asarray(self.kernel, float)


def backward_state(preset: BackwardPreset, step: int = 0) -> dict:
    """A backward page's lesson state for ``preset`` at ``step``."""
    grad = preset.grad_out
    return {
        "example": preset.name,
        "kind": preset.kind,
        "inputs": [np.asarray(preset.input, float).tolist()],
        "kernel": preset.kernel_array().tolist(),
        "kernel_size": list(preset.kernel_size),
        "stride": list(preset.stride),
        "padding": list(preset.padding),
        "grad_out": None if grad is None else np.asarray(grad, float).tolist(),
        "ceil_mode": bool(preset.ceil_mode),
        "count_include_pad": bool(preset.count_include_pad),
        "lr": float(preset.lr),
        "step": step,
    }


def backward_preset_from_state(state) -> tuple[BackwardPreset, int]:
    """(preset, step) from a backward page's lesson state; ``ValueError`` when malformed."""
    name, step = example_and_step(state)
    kind = state.get("kind", "conv")
    if kind not in BACKWARD_KINDS:
        raise ValueError(f"the layer must be one of {', '.join(BACKWARD_KINDS)}")
    size = pair(state.get("kernel_size", [2, 2]), "kernel size", 1, MAX_KERNEL)
    kernel = state.get("kernel")
    kernel = None if kernel is None else _grid(kernel, "kernel", MAX_KERNEL)
    grad = state.get("grad_out")
    grad = None if grad is None else _grid(grad, "∂L/∂Y (grad_out)", MAX_SIDE)
    lr = _in_range(number(state.get("lr", 0.01), "learning rate (lr)"), "lr", 0.0, MAX_LR)
    preset = BackwardPreset(
        name,
        "",
        kind,
        grids(state.get("inputs"), "inputs", 1, MAX_SIDE)[0],
        kernel,
        size,
        stride=pair(state.get("stride", [1, 1]), "stride", 0, 4),
        padding=pair(state.get("padding", [0, 0]), "padding", 0, 4),
        grad_out=grad,
        ceil_mode=_flag(state, "ceil_mode", False),
        count_include_pad=_flag(state, "count_include_pad", True),
        lr=lr,
    )
    return preset, step
