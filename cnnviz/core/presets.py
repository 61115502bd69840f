"""Ready-made examples for the convolution and pooling pages, the lecture's first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LECTURE_IMAGE = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
LECTURE_SLICE = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
LECTURE_GRID5 = [
    [3, 3, 2, 1, 0],
    [0, 0, 1, 3, 1],
    [3, 1, 2, 2, 3],
    [2, 0, 0, 2, 2],
    [2, 0, 0, 0, 1],
]
DIGIT_SEVEN = [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0, 9, 9, 9, 9, 9, 9, 0],
    [0, 0, 0, 0, 0, 9, 9, 0],
    [0, 0, 0, 0, 9, 9, 0, 0],
    [0, 0, 0, 9, 9, 0, 0, 0],
    [0, 0, 9, 9, 0, 0, 0, 0],
    [0, 0, 9, 9, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0],
]
SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]


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

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        x, w = np.asarray(self.input, float), np.asarray(self.kernel, float)
        return (x[None] if x.ndim == 2 else x), (w[None] if w.ndim == 2 else w)


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


_RAMP5 = [[1, 2, 0, 1, 3], [0, 1, 3, 2, 1], [2, 0, 1, 1, 0], [1, 3, 2, 0, 2], [0, 1, 1, 2, 1]]
_RAMP7 = (np.arange(49).reshape(7, 7) % 10).tolist()

CONV_PRESETS: tuple[ConvPreset, ...] = (
    ConvPreset(
        "Lecture: 3×3 image, 2×2 filter, no padding",
        "The lecture's simple convolution layer: stride 1×1, no padding → 2×2 output.",
        LECTURE_IMAGE,
        [[1, 1], [1, 1]],
        padding="valid",
    ),
    ConvPreset(
        "Lecture: 3×3 image, 2×2 filter, with padding",
        "The same filter with 'same' padding: the output keeps the 3×3 size "
        "(the extra row and column of zeros go after, as in PyTorch).",
        LECTURE_IMAGE,
        [[1, 1], [1, 1]],
        padding="same",
    ),
    ConvPreset(
        "5×5 'same' convolution",
        "A 3×3 kernel with 'same' padding (1 on each side): output size equals input size.",
        _RAMP5,
        [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        padding="same",
    ),
    ConvPreset(
        "Edge detection on a digit",
        "A vertical-edge (Sobel) kernel on a small '7': positive on left edges, "
        "negative on right edges.",
        DIGIT_SEVEN,
        SOBEL_X,
        padding=(1, 1),
    ),
    ConvPreset(
        "Stride 2",
        "5×5 input, 3×3 kernel, padding 1, stride 2: the window jumps two cells → 3×3.",
        _RAMP5,
        [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
        stride=(2, 2),
        padding=(1, 1),
    ),
    ConvPreset(
        "Dilation 2",
        "A 3×3 kernel with dilation 2 covers 5×5 cells with gaps: 7×7 input → 3×3.",
        _RAMP7,
        [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
        dilation=(2, 2),
    ),
    ConvPreset(
        "Reflect padding",
        "Padding that mirrors the border instead of adding zeros.",
        LECTURE_SLICE,
        [[0, 1, 0], [1, 1, 1], [0, 1, 0]],
        padding=(1, 1),
        padding_mode="reflect",
    ),
    ConvPreset(
        "Two input channels",
        "Each channel has its own kernel; the products of all channels add up "
        "to one output number.",
        [LECTURE_IMAGE, [[1, 0, 1], [0, 1, 0], [1, 0, 1]]],
        [[[1, 1], [1, 1]], [[1, -1], [-1, 1]]],
        bias=1.0,
    ),
)

POOL_PRESETS: tuple[PoolPreset, ...] = (
    PoolPreset(
        "Lecture: 2×2 max pooling, stride 2",
        "The lecture's single depth slice → [[6, 8], [3, 4]].",
        LECTURE_SLICE,
    ),
    PoolPreset(
        "Lecture: 3×3 max pooling, stride 1",
        "Max pooling in action: every window holds a 3, except one.",
        LECTURE_GRID5,
        kernel=(3, 3),
        stride=(1, 1),
    ),
    PoolPreset(
        "Lecture: 3×3 average pooling, stride 1",
        "Avg pooling in action: each output is the window's sum ÷ 9.",
        LECTURE_GRID5,
        kind="avg",
        kernel=(3, 3),
        stride=(1, 1),
    ),
    PoolPreset(
        "ceil_mode keeps the last partial window",
        "5×5 input, 2×2 max pooling, stride 2: floor gives 2×2, ceil_mode gives 3×3.",
        LECTURE_GRID5,
        ceil_mode=True,
    ),
    PoolPreset(
        "Average pooling with padding",
        "Padding 1: count_include_pad divides border windows by 9 (zeros counted); "
        "untick it to divide by the real cells only.",
        LECTURE_SLICE,
        kind="avg",
        kernel=(3, 3),
        stride=(1, 1),
        padding=(1, 1),
    ),
    PoolPreset(
        "Dilated max pooling",
        "A 2×2 window with dilation 2 picks every other cell.",
        _RAMP7,
        kernel=(2, 2),
        stride=(1, 1),
        dilation=(2, 2),
    ),
)
