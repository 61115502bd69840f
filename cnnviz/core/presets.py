"""The convolution and pooling pages' presets: every setting of the page, as one value (the
shipped examples are lesson files, read by :mod:`cnnviz.core.examples`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
