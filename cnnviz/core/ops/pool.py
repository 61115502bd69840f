"""2-D max and average pooling with every step laid open (same rules as torch)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .numbers import format_number
from .params import StepSequence, as_grid, pair, positive_pair, window_readers
from .sizes import OutputSize, output_size

Cell = tuple[int, int, int]  # (channel, row, col) in padded coordinates

INPUT, PADDING, BEYOND = 0, 1, 2  # kinds of cell in the padded grid


@dataclass(frozen=True)
class PoolStep:
    """One output cell of a pooling: the window it reads and how the value came out."""

    index: int
    channel: int
    row: int
    col: int
    kind: str
    cells: tuple[Cell, ...]
    values: tuple[float, ...]
    is_padding: tuple[bool, ...]
    value: float
    winner: Cell | None = None  # max pooling: the cell that won
    total: float | None = None  # avg pooling: the sum ...
    divisor: int | None = None  # ... and what it was divided by

    def expression(self) -> str:
        """``max(1, 1, 5, 6) = 6`` or ``(1 + 1 + 5 + 6) / 4 = 13 / 4 = 3.25``."""
        if self.kind == "max":
            shown = [format_number(v) for v, pad in zip(self.values, self.is_padding) if not pad]
            return f"max({', '.join(shown)}) = {format_number(self.value)}"
        terms = [
            format_number(v)
            for v, pad in zip(self.values, self.is_padding)
            if not pad or self.divisor_counts_padding
        ]
        assert self.total is not None, "an average pooling step carries its total"
        return (
            f"({' + '.join(terms)}) / {self.divisor} = "
            f"{format_number(self.total)} / {self.divisor} = {format_number(self.value)}"
        )

    @property
    def divisor_counts_padding(self) -> bool:
        real = sum(1 for pad in self.is_padding if not pad)
        return self.divisor is not None and self.divisor != real


class PoolPlan(StepSequence):
    """A validated pooling over ``[C, H, W]``: the padded grid, the output and each step."""

    def __init__(
        self,
        x,
        kind,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        ceil_mode=False,
        count_include_pad=True,
    ):
        if kind not in ("max", "avg"):
            raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
        self.kind = kind
        self.input = as_grid(x, "input")
        self.kernel = positive_pair(kernel_size, "kernel_size")
        self.stride = self.kernel if stride is None else positive_pair(stride, "stride")
        self.padding = pair(padding, "padding")
        self.dilation = positive_pair(dilation, "dilation")
        if kind == "avg" and self.dilation != (1, 1):
            raise ValueError(
                "dilation is not supported by average pooling "
                f"(got {self.dilation[0]}×{self.dilation[1]})"
            )
        for axis, p, k in zip(("height", "width"), self.padding, self.kernel):
            if p < 0:
                raise ValueError(f"padding must not be negative, got {p}")
            if p > k // 2:
                raise ValueError(
                    f"padding {p} must be at most half the kernel in {axis} "
                    f"(kernel {k} allows {k // 2})"
                )
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        c, h, w = self.input.shape
        self.out_h: OutputSize = output_size(
            h, self.kernel[0], self.stride[0], self.padding[0], self.dilation[0], self.ceil_mode
        )
        self.out_w: OutputSize = output_size(
            w, self.kernel[1], self.stride[1], self.padding[1], self.dilation[1], self.ceil_mode
        )
        self._build_grid()
        self.output = self._compute()

    def _build_grid(self) -> None:
        """Padded grid, grown where a ceil_mode window reaches past the padding."""
        c, h, w = self.input.shape
        (ph, pw), (sh, sw), (dh, dw) = self.padding, self.stride, self.dilation
        ends = [
            (self.out_h.size - 1) * sh + dh * (self.kernel[0] - 1) + 1,
            (self.out_w.size - 1) * sw + dw * (self.kernel[1] - 1) + 1,
        ]
        hp, wp = max(h + 2 * ph, ends[0]), max(w + 2 * pw, ends[1])
        self.cell_kind = np.full((hp, wp), BEYOND, dtype=np.int8)
        self.cell_kind[: h + 2 * ph, : w + 2 * pw] = PADDING
        self.cell_kind[ph : ph + h, pw : pw + w] = INPUT
        fill = -np.inf if self.kind == "max" else 0.0
        self.padded = np.full((c, hp, wp), fill)
        self.padded[:, ph : ph + h, pw : pw + w] = self.input

    def _divisors(self, n_out: int, stride: int, kernel: int, pad: int, size: int) -> np.ndarray:
        starts = np.arange(n_out) * stride - pad
        ends = np.minimum(starts + kernel, size + pad)
        if self.count_include_pad:
            return ends - starts
        return np.minimum(ends, size) - np.maximum(starts, 0)

    def _compute(self) -> np.ndarray:
        c, h, w = self.input.shape
        ho, wo = self.out_h.size, self.out_w.size
        (sh, sw), (dh, dw), (kh, kw) = self.stride, self.dilation, self.kernel
        stack = [
            self.padded[
                :,
                i * dh : i * dh + (ho - 1) * sh + 1 : sh,
                j * dw : j * dw + (wo - 1) * sw + 1 : sw,
            ]
            for i in range(kh)
            for j in range(kw)
        ]
        if self.kind == "max":
            return np.max(stack, axis=0)
        self.divisor = np.outer(
            self._divisors(ho, sh, kh, self.padding[0], h),
            self._divisors(wo, sw, kw, self.padding[1], w),
        )
        return np.sum(stack, axis=0) / self.divisor

    @property
    def padding_mask(self) -> np.ndarray:
        """``[Hp, Wp]`` booleans: True where the grid is not input (padding or beyond it)."""
        return self.cell_kind != INPUT

    def __len__(self) -> int:
        return self.input.shape[0] * self.out_h.size * self.out_w.size

    def _step(self, index: int):
        per_channel = self.out_h.size * self.out_w.size
        ch, rest = divmod(index, per_channel)
        row, col = divmod(rest, self.out_w.size)
        top, left = row * self.stride[0], col * self.stride[1]
        (dh, dw), (kh, kw) = self.dilation, self.kernel
        cells = tuple(
            (ch, top + i * dh, left + j * dw)
            for i in range(kh)
            for j in range(kw)
            if self.cell_kind[top + i * dh, left + j * dw] != BEYOND
        )
        values = tuple(float(self.padded[cell]) for cell in cells)
        is_pad = tuple(bool(self.cell_kind[cell[1:]] == PADDING) for cell in cells)
        value = float(self.output[ch, row, col])
        if self.kind == "max":
            winner = None
            for cell, v, pad in zip(cells, values, is_pad):
                if not pad and v == value:  # torch keeps the first maximum in reading order
                    winner = cell
                    break
            return PoolStep(index, ch, row, col, "max", cells, values, is_pad, value, winner=winner)
        total = float(sum(v for v, pad in zip(values, is_pad) if not pad))
        return PoolStep(
            index,
            ch,
            row,
            col,
            "avg",
            cells,
            values,
            is_pad,
            value,
            total=total,
            divisor=int(self.divisor[row, col]),
        )

    def step_at(self, row: int, col: int, channel: int = 0) -> int:
        """The step index of output cell (channel, row, col)."""
        return (channel * self.out_h.size + row) * self.out_w.size + col

    def readers(self, prow: int, pcol: int) -> list[tuple[int, int]]:
        """Output cells whose window covers padded cell (prow, pcol)."""
        return window_readers(
            prow, pcol, (self.out_h.size, self.out_w.size), self.stride, self.dilation, self.kernel
        )


def pool2d(
    x,
    kind,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    count_include_pad=True,
) -> np.ndarray:
    """Max or average pooling of ``x`` ([H, W] or [C, H, W], per channel); torch's numbers."""
    plan = PoolPlan(x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad)
    out = plan.output.copy()
    return out[0] if np.ndim(x) == 2 else out


def pool2d_steps(
    x,
    kind,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    count_include_pad=True,
) -> Iterator[PoolStep]:
    """Yield one :class:`PoolStep` per output cell, channel by channel (validates at once)."""
    return iter(
        PoolPlan(x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad)
    )
