"""Ready-made examples for the transposed, grouped and backward lessons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.core.inspect.cost import one_by_one_saving
from cnnviz.core.presets import LECTURE_IMAGE


@dataclass(frozen=True)
class TransposedPreset:
    """A transposed convolution: input [H, W], kernel [kh, kw] and the settings."""

    name: str
    description: str
    input: list
    kernel: list
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    output_padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.input, float)[None], np.asarray(self.kernel, float)


TRANSPOSED_PRESETS = (
    TransposedPreset(
        "Upsample 2×2 → 4×4 (kernel 2, stride 2)",
        "Each input cell stamps the 2×2 kernel onto its own 2×2 block: no overlap, the image "
        "doubles in size.",
        [[1, 2], [3, 4]],
        [[1, 1], [1, 1]],
        stride=(2, 2),
    ),
    TransposedPreset(
        "Checkerboard overlap (kernel 3, stride 2)",
        "A 3×3 kernel at stride 2 overlaps unevenly: some output cells get one copy, some two, "
        "some four — the checkerboard pattern of upsampling layers, even on an all-ones input.",
        [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
        [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
        stride=(2, 2),
    ),
    TransposedPreset(
        "Exactly double: 3×3 → 6×6",
        "The usual decoder layer — kernel 3, stride 2, padding 1, output_padding 1: padding 1 "
        "cuts a border off, output_padding 1 adds back one row and column.",
        [[1, 2, 0], [0, 1, 2], [2, 0, 1]],
        [[1, 2, 1], [2, 4, 2], [1, 2, 1]],
        stride=(2, 2),
        padding=(1, 1),
        output_padding=(1, 1),
    ),
    TransposedPreset(
        "Stride 1: the full convolution",
        "With stride 1 no zeros are inserted: the convolution view is the input padded by "
        "k − 1 = 1 on every side, convolved with the flipped kernel.",
        LECTURE_IMAGE,
        [[1, 0], [0, 2]],
    ),
)


@dataclass(frozen=True)
class GroupedPreset:
    """A convolution layer with groups: C_in input channels, C_out filters."""

    name: str
    description: str
    in_channels: int
    out_channels: int
    groups: int
    kernel: int
    size: int = 3
    padding: int = 0

    def arrays(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """A reproducible input [C_in, size, size] and weight [C_out, C_in/groups, k, k]."""
        rng = np.random.default_rng(seed)
        x = rng.integers(0, 10, size=(self.in_channels, self.size, self.size)).astype(float)
        shape = (self.out_channels, self.in_channels // self.groups, self.kernel, self.kernel)
        w = rng.integers(-1, 2, size=shape).astype(float)
        return x, w


def _bottleneck_note() -> str:
    naive, reduced, ratio = one_by_one_saving().lines()
    return (
        "A 1×1 convolution mixes channels at each position: 4 channels in, 2 out, 2×4 weights. "
        f"The lecture's bottleneck at full size — {naive}; {reduced}: {ratio}."
    )


GROUPED_PRESETS = (
    GroupedPreset(
        "Depthwise: 3 channels, groups 3",
        "Each filter reads its own channel only: groups = input channels. A third of the "
        "full convolution's weights and multiply-adds.",
        3,
        3,
        3,
        2,
    ),
    GroupedPreset(
        "Groups 2: 4 channels → 4",
        "Two groups of two: filters 1–2 read channels 1–2, filters 3–4 read channels 3–4 "
        "(ResNeXt and AlexNet's two GPUs).",
        4,
        4,
        2,
        2,
    ),
    GroupedPreset(
        "Full convolution: 2 channels → 2 (groups 1)",
        "Every filter reads every input channel: the ordinary convolution layer.",
        2,
        2,
        1,
        2,
    ),
    GroupedPreset(
        "1×1 across channels: the bottleneck",
        _bottleneck_note(),
        4,
        2,
        1,
        1,
        size=3,
    ),
)


@dataclass(frozen=True)
class BackwardPreset:
    """A backward-pass example: "conv", "max" or "avg" over input [H, W]."""

    name: str
    description: str
    kind: str
    input: list
    kernel: list | None = None  # convolution only
    size: int = 2  # pooling: kernel size
    stride: int = 1
    padding: int = 0


BACKWARD_PRESETS = (
    BackwardPreset(
        "Convolution: the lecture's 3×3 and 2×2",
        "L = sum of the output, so ∂L/∂Y is all ones: ∂L/∂W is the sum of the cells each "
        "weight meets, ∂L/∂X counts the windows that read each cell.",
        "conv",
        LECTURE_IMAGE,
        [[1, 1], [1, 1]],
    ),
    BackwardPreset(
        "Convolution with stride 2",
        "With stride 2 some input cells are read by no window: their gradient is 0. ∂L/∂Y "
        "gets zeros inserted between its cells before the full convolution.",
        "conv",
        [[1, 2, 0, 1, 3], [0, 1, 2, 3, 1], [1, 0, 1, 2, 2], [2, 1, 0, 1, 0], [1, 2, 1, 0, 1]],
        [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
        stride=2,
    ),
    BackwardPreset(
        "Max pooling: the lecture's 4×4 slice",
        "Each gradient goes to its window's maximum, all of it; the other cells get 0.",
        "max",
        [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]],
        size=2,
        stride=2,
    ),
    BackwardPreset(
        "Average pooling, overlapping windows",
        "Each gradient is spread over its window's divisor; where windows overlap, the "
        "shares add up.",
        "avg",
        [[3, 3, 2, 1], [0, 0, 1, 3], [3, 1, 2, 2], [2, 0, 0, 2]],
        size=2,
        stride=1,
    ),
)
