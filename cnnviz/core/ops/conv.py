"""2-D convolution (cross-correlation, as in PyTorch) with every step laid open."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .numbers import format_number, operand
from .params import (
    StepSequence,
    as_grid,
    check_fits,
    check_padding_mode,
    pad_grid,
    pair,
    positive_pair,
    window_readers,
)
from .sizes import OutputSize, output_size

Cell = tuple[int, int, int]  # (channel, row, col) in padded coordinates


@dataclass(frozen=True)
class ConvStep:
    """One output cell of a convolution and the arithmetic that made it."""

    index: int
    row: int
    col: int
    cells: tuple[Cell, ...]
    inputs: tuple[float, ...]
    weights: tuple[float, ...]
    products: tuple[float, ...]
    bias: float
    value: float
    out_channel: int = 0  # which filter (a layer with several output channels)

    def expression(self) -> str:
        """The written-out sum, e.g. ``1×1 + 1×0 + 5×1 + 6×1 + bias 0 = 12``."""
        terms = [f"{operand(a)}×{operand(b)}" for a, b in zip(self.inputs, self.weights)]
        terms.append(f"bias {format_number(self.bias)}")
        return " + ".join(terms) + f" = {format_number(self.value)}"


def resolve_padding(
    padding, kernel: tuple[int, int], stride, dilation
) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) for an int, a pair, ``"valid"`` or ``"same"``."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise ValueError(
                f"padding must be a number, a pair, 'valid' or 'same'; got {padding!r}"
            )
        if stride != (1, 1):
            raise ValueError(f"padding 'same' needs stride 1, got stride {stride[0]}×{stride[1]}")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]  # torch puts the odd extra cell after
        return pads[0], pads[1], pads[2], pads[3]
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must not be negative, got {min(ph, pw)}")
    return ph, ph, pw, pw


class ConvPlan(StepSequence):
    """A validated convolution: the padded input, the output and each step on demand."""

    def __init__(self, x, w, bias=0.0, stride=1, padding=0, dilation=1, padding_mode="zeros"):
        self.input = as_grid(x, "input")
        self.weight = as_grid(w, "kernel")
        if self.input.shape[0] != self.weight.shape[0]:
            raise ValueError(
                f"kernel has {self.weight.shape[0]} channel(s) but the input has "
                f"{self.input.shape[0]}"
            )
        try:
            self.bias = float(bias)
        except (TypeError, ValueError):
            raise ValueError(f"bias must be a number, got {bias!r}") from None
        self.stride = positive_pair(stride, "stride")
        self.dilation = positive_pair(dilation, "dilation")
        self.padding_mode = check_padding_mode(padding_mode)
        kernel = self.weight.shape[1:]
        self.pads = resolve_padding(padding, kernel, self.stride, self.dilation)
        top, bottom, left, right = self.pads
        _, h, w_ = self.input.shape
        check_fits(h + top + bottom, kernel[0], self.dilation[0], "height")
        check_fits(w_ + left + right, kernel[1], self.dilation[1], "width")
        self.padded = pad_grid(self.input, self.pads, self.padding_mode)
        self.out_h: OutputSize = output_size(
            h, kernel[0], self.stride[0], (top, bottom), self.dilation[0]
        )
        self.out_w: OutputSize = output_size(
            w_, kernel[1], self.stride[1], (left, right), self.dilation[1]
        )
        self.output = self._compute()

    def _compute(self) -> np.ndarray:
        ho, wo = self.out_h.size, self.out_w.size
        (sh, sw), (dh, dw) = self.stride, self.dilation
        out = np.full((ho, wo), self.bias)
        c, kh, kw = self.weight.shape
        for ch in range(c):
            for i in range(kh):
                for j in range(kw):
                    window = self.padded[
                        ch,
                        i * dh : i * dh + (ho - 1) * sh + 1 : sh,
                        j * dw : j * dw + (wo - 1) * sw + 1 : sw,
                    ]
                    out += self.weight[ch, i, j] * window
        return out

    @property
    def padding_mask(self) -> np.ndarray:
        """``[Hp, Wp]`` booleans: True where the padded grid holds padding, not input."""
        top, bottom, left, right = self.pads
        mask = np.ones(self.padded.shape[1:], dtype=bool)
        mask[top : top + self.input.shape[1], left : left + self.input.shape[2]] = False
        return mask

    def __len__(self) -> int:
        return self.out_h.size * self.out_w.size

    def _step(self, index: int):
        row, col = divmod(index, self.out_w.size)
        top, left = row * self.stride[0], col * self.stride[1]
        (dh, dw) = self.dilation
        c, kh, kw = self.weight.shape
        cells = tuple(
            (ch, top + i * dh, left + j * dw)
            for ch in range(c)
            for i in range(kh)
            for j in range(kw)
        )
        inputs = tuple(float(self.padded[cell]) for cell in cells)
        weights = tuple(float(v) for v in self.weight.reshape(-1))
        products = tuple(a * b for a, b in zip(inputs, weights))
        return ConvStep(
            index,
            row,
            col,
            cells,
            inputs,
            weights,
            products,
            self.bias,
            float(self.output[row, col]),
        )

    def step_at(self, row: int, col: int, channel: int = 0) -> int:
        """The step index of output cell (row, col); there is one output channel."""
        return row * self.out_w.size + col

    def readers(self, prow: int, pcol: int) -> list[tuple[int, int]]:
        """Output cells whose window reads padded cell (prow, pcol)."""
        return window_readers(
            prow,
            pcol,
            (self.out_h.size, self.out_w.size),
            self.stride,
            self.dilation,
            self.weight.shape[1:],
        )


def conv2d(
    x, w, bias=0.0, stride=1, padding=0, dilation=1, padding_mode="zeros", groups=1
) -> np.ndarray:
    """Convolve ``x`` ([H, W] or [C, H, W]) with one filter ``w`` ([kh, kw] or [C, kh, kw]):
    an ``[Ho, Wo]`` output; or with torch's layer weight ``[C_out, C_in/groups, kh, kw]``
    (``bias`` then a number or one per output channel): ``[C_out, Ho, Wo]``. Torch's numbers."""
    if np.ndim(w) == 4:
        from .grouped import GroupedConvPlan  # grouped builds on this module

        plan = GroupedConvPlan(x, w, bias, stride, padding, dilation, groups, padding_mode)
        return plan.output.copy()
    if groups != 1:
        raise ValueError(
            f"groups {groups!r} needs torch's 4-D weight [C_out, C_in/groups, kh, kw]; a "
            "[kh, kw] or [C, kh, kw] kernel is one filter over all input channels (groups 1)"
        )
    return ConvPlan(x, w, bias, stride, padding, dilation, padding_mode).output.copy()


def conv2d_steps(
    x, w, bias=0.0, stride=1, padding=0, dilation=1, padding_mode="zeros", groups=1
) -> Iterator[ConvStep]:
    """Yield one :class:`ConvStep` per output cell in reading order (validates at once); with
    a 4-D weight, output channel by output channel (``out_channel`` says which)."""
    if np.ndim(w) == 4:
        from .grouped import GroupedConvPlan

        return iter(GroupedConvPlan(x, w, bias, stride, padding, dilation, groups, padding_mode))
    if groups != 1:
        conv2d(x, w, groups=groups)  # raises the same message
    return iter(ConvPlan(x, w, bias, stride, padding, dilation, padding_mode))
