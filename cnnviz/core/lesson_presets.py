"""Every lesson page's state in one place: the grid pages' presets (every setting the page
has) with their lesson state ⇄ preset, and the schemas (:mod:`cnnviz.core.lesson_schema`) that
say what each page's state may hold, the Train page's too.

A grid page's lesson state is its preset plus the current step, so a preset, a saved lesson and
a shipped example (:mod:`cnnviz.core.examples`) are one thing. Reading a state checks every
value and raises ``ValueError`` with a sentence naming what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.core.grid_text import MAX_SIDE
from cnnviz.core.lesson_schema import (
    Check,
    Choice,
    Field,
    Flag,
    Grid,
    Grids,
    ListOf,
    Number,
    Optional,
    Pair,
    Schema,
    Table,
    Text,
    Whole,
)
from cnnviz.core.ops.params import PADDING_MODES
from cnnviz.core.training.config import DEVICES, OPTIMIZERS, TrainConfig

MAX_STEP = 10**6
MAX_CHANNELS = 3  # the convolution and pooling pages' input channels
MAX_CONV_KERNEL = 15  # the convolution and pooling pages' kernels
SCATTER, CONVOLUTION = "scatter", "convolution"  # what the transposed page steps through
BACKWARD_KINDS = ("conv", "max", "avg")
MAX_LAYER_CHANNELS = 4  # the grouped page's input and output channels
MAX_GROUPED_KERNEL = 5
MAX_KERNEL = 7  # the transposed and backward pages' kernels
MAX_LR = 10.0

# every grid page's state has these
EXAMPLE = Field("example", Text(), default="")
STEP = Field("step", Whole(0, MAX_STEP), default=0)


# -- convolution ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConvPreset:
    """A convolution example: input [C,H,W], one kernel per channel and the settings."""

    name: str
    description: str
    input: list
    kernel: list
    bias: float = 0.0
    stride: tuple[int, int] = (1, 1)
    padding: object = (0, 0)  # a pair, "same" or "valid"
    dilation: tuple[int, int] = (1, 1)
    padding_mode: str = "zeros"
    relu: bool | None = None  # ReLU after the convolution; None: as the page has it

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        x, w = np.asarray(self.input, float), np.asarray(self.kernel, float)
        return (x[None] if x.ndim == 2 else x), (w[None] if w.ndim == 2 else w)


def _one_kernel_per_channel(values: dict) -> None:
    if len(values["kernels"]) != len(values["inputs"]):
        raise ValueError("there must be one kernel per input channel")


CONV = Schema(
    (
        EXAMPLE,
        STEP,
        Field("inputs", Grids(MAX_CHANNELS, MAX_SIDE)),
        Field("kernels", Grids(MAX_CHANNELS, MAX_CONV_KERNEL)),
        Field("padding", Pair(0, 16, words=("same", "valid")), default=[0, 0]),
        Field("padding_mode", Choice(PADDING_MODES), default="zeros", what="padding mode"),
        Field("relu", Optional(Flag()), default=None),
        Field("bias", Number(), default=0.0),
        Field("stride", Pair(0, 8), default=[1, 1]),
        Field("dilation", Pair(0, 8), default=[1, 1]),
    ),
    rules=(_one_kernel_per_channel,),
)


def taken(values: dict, *names: str) -> dict:
    """The checked ``values`` of ``names``: a preset's settings, named as in its state."""
    return {name: values[name] for name in names}


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
    v = CONV.check(state)
    settings = taken(v, "bias", "stride", "padding", "dilation", "padding_mode", "relu")
    return ConvPreset(v["example"], "", v["inputs"], v["kernels"], **settings), v["step"]


# -- pooling ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolPreset:
    """A pooling example: input [C,H,W] and the pooling settings."""

    name: str
    description: str
    input: list
    kind: str = "max"
    kernel: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (2, 2)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True

    def array(self) -> np.ndarray:
        x = np.asarray(self.input, float)
        return x[None] if x.ndim == 2 else x


POOL = Schema(
    (
        EXAMPLE,
        STEP,
        Field("kind", Choice(("max", "avg")), default="max", what="pooling kind"),
        Field("ceil_mode", Flag(), default=False),
        Field("count_include_pad", Flag(), default=True),
        Field("inputs", Grids(MAX_CHANNELS, MAX_SIDE)),
        Field("kernel", Pair(0, MAX_CONV_KERNEL), default=[2, 2], what="kernel size"),
        Field("stride", Pair(0, 8), default=[2, 2]),
        Field("padding", Pair(0, 8), default=[0, 0]),
        Field("dilation", Pair(0, 8), default=[1, 1]),
    )
)


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
    v = POOL.check(state)
    settings = taken(
        v, "kind", "kernel", "stride", "padding", "dilation", "ceil_mode", "count_include_pad"
    )
    return PoolPreset(v["example"], "", v["inputs"], **settings), v["step"]


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


TRANSPOSED = Schema(
    (
        EXAMPLE,
        STEP,
        Field(
            "view", Choice((SCATTER, CONVOLUTION)), default=SCATTER, what="the view stepped through"
        ),
        Field("bias", Number(-999, 999), default=0.0),
        Field("inputs", Grids(1, MAX_SIDE)),
        Field("kernel", Grid(MAX_KERNEL)),
        Field("stride", Pair(0, 6), default=[1, 1]),
        Field("padding", Pair(0, 8), default=[0, 0]),
        Field("output_padding", Pair(0, 6), default=[0, 0]),
        Field("dilation", Pair(0, 4), default=[1, 1]),
    )
)


def transposed_preset_from_state(state) -> tuple[TransposedPreset, int]:
    """(preset, step) from a transposed convolution page's state; ``ValueError`` when malformed."""
    v = TRANSPOSED.check(state)
    settings = taken(v, "stride", "padding", "output_padding", "dilation", "bias", "view")
    return TransposedPreset(v["example"], "", v["inputs"][0], v["kernel"], **settings), v["step"]


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


def _filters_fit_the_groups(values: dict) -> None:
    inputs, filters, groups = values["inputs"], values["weights"], values["groups"]
    if len({np.shape(f) for f in filters}) != 1:
        raise ValueError("weights: every filter must have the same shape")
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


GROUPED = Schema(
    (
        EXAMPLE,
        STEP,
        Field("inputs", Grids(MAX_LAYER_CHANNELS, MAX_SIDE)),
        Field(
            "weights",
            ListOf(Grids(MAX_LAYER_CHANNELS, MAX_GROUPED_KERNEL), 1, MAX_LAYER_CHANNELS, "filters"),
        ),
        Field("groups", Whole(1, MAX_LAYER_CHANNELS), default=1),
        Field("padding", Pair(0, 4), default=[0, 0]),
    ),
    rules=(_filters_fit_the_groups,),
)


def grouped_preset_from_state(state) -> tuple[GroupedPreset, int]:
    """(preset, step) from a grouped convolution page's state; ``ValueError`` when malformed."""
    v = GROUPED.check(state)
    preset = GroupedPreset(v["example"], "", v["inputs"], v["weights"], v["groups"], v["padding"])
    return preset, v["step"]


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


BACKWARD = Schema(
    (
        EXAMPLE,
        STEP,
        Field("kind", Choice(BACKWARD_KINDS), default="conv", what="the layer"),
        Field("kernel_size", Pair(1, MAX_KERNEL), default=[2, 2], what="kernel size"),
        Field("kernel", Optional(Grid(MAX_KERNEL))),
        Field("grad_out", Optional(Grid(MAX_SIDE)), what="∂L/∂Y (grad_out)"),
        Field(
            "lr",
            Number(0.0, MAX_LR, out_of_range="lr must be from {low:g} to {high:g}"),
            default=0.01,
            what="learning rate (lr)",
        ),
        Field("inputs", Grids(1, MAX_SIDE)),
        Field("stride", Pair(0, 4), default=[1, 1]),
        Field("padding", Pair(0, 4), default=[0, 0]),
        Field("ceil_mode", Flag(), default=False),
        Field("count_include_pad", Flag(), default=True),
    )
)


def backward_preset_from_state(state) -> tuple[BackwardPreset, int]:
    """(preset, step) from a backward page's lesson state; ``ValueError`` when malformed."""
    v = BACKWARD.check(state)
    settings = taken(v, "stride", "padding", "grad_out", "ceil_mode", "count_include_pad", "lr")
    shape = (v["kind"], v["inputs"][0], v["kernel"], v["kernel_size"])
    return BackwardPreset(v["example"], "", *shape, **settings), v["step"]


# -- the Train page --------------------------------------------------------------------------------
MNIST_TRAINING_IMAGES = 60000
NUMBER_RANGE = "{what} must be a number from {low:g} to {high:g}"


def _known_model(name, what: str) -> str:
    from cnnviz.core.models import available

    if not isinstance(name, str) or name not in available():
        raise ValueError(
            f"this cnnviz has no model called {name!r} (a model opened from a file: "
            "open it with File → Open model… first)"
        )
    return name


def _can_train(values: dict) -> None:
    limit = values["limit_train"]
    if values["dataset"] == "mnist" and limit is not None and limit > MNIST_TRAINING_IMAGES:
        Whole(1, MNIST_TRAINING_IMAGES).check(limit, "the number of training images")
    try:  # what no single field shows: Nesterov without SGD momentum, say
        TrainConfig(**values).validate()
    except ValueError as exc:
        raise ValueError(f"its settings cannot train: {exc}") from None


_LECTURE = TrainConfig()
TRAIN = Schema(
    (
        Field("model", Check(_known_model), default=_LECTURE.model, what="the model"),
        Field("epochs", Whole(1, 500), _LECTURE.epochs, "the number of epochs"),
        Field("batch_size", Whole(1, 4096), _LECTURE.batch_size, "the batch size"),
        Field("optimizer", Choice(OPTIMIZERS), _LECTURE.optimizer, "the optimizer"),
        Field("lr", Number(0.00001, 10.0, NUMBER_RANGE), _LECTURE.lr, "the learning rate"),
        Field("momentum", Number(0.0, 0.99, NUMBER_RANGE), _LECTURE.momentum, "the momentum"),
        Field("nesterov", Flag(), _LECTURE.nesterov, "Nesterov"),
        Field(
            "weight_decay",
            Number(0.0, 1.0, NUMBER_RANGE),
            _LECTURE.weight_decay,
            "the weight decay",
        ),
        Field("seed", Whole(0, 2**31 - 1), _LECTURE.seed, "the seed"),
        Field("device", Choice(DEVICES), _LECTURE.device, "the device"),
        Field("probe_index", Whole(0, 9999), _LECTURE.probe_index, "the probe image"),
        Field(
            "dataset",
            Text("the dataset must be a name such as mnist or folder:<path>"),
            _LECTURE.dataset,
        ),
        Field("dataset_options", Table(), {}, "the dataset options"),
        Field(
            "limit_train",
            Optional(Whole(1, 10**7)),
            None,
            "the number of training images",
        ),
    ),
    rules=(_can_train,),
)
