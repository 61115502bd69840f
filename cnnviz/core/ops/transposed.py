"""Transposed convolution (``nn.ConvTranspose2d``) in its two pictures.

The scatter view: every input cell times the kernel is added into the output, at stride
steps; the padding then cuts that many cells off each border. The convolution view
(conv_arithmetic's picture): zeros inserted between the input cells (stride − 1 of them),
a border of dilation·(k − 1) − padding cells, and an ordinary stride-1 convolution with the
kernel flipped. Both give torch's numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .conv import ConvPlan, ConvStep
from .grouped import per_channel_bias
from .numbers import format_number, operand
from .params import StepSequence, _as_int, as_grid, pair, positive_pair

Cell = tuple[int, int, int]
INPUT, PADDING = 0, 1  # kinds of cell in the zero-inserted grid


@dataclass(frozen=True)
class TransposedSize:
    """Output length of a transposed convolution along one axis, with its formula."""

    n: int
    kernel: int
    stride: int
    padding: int
    output_padding: int
    dilation: int
    size: int

    def __int__(self) -> int:
        return self.size

    __index__ = __int__

    def formula(self) -> str:
        """``(2−1)·2 − 2·0 + 1·(2−1) + 0 + 1 = 4``: (i−1)·s − 2p + d·(k−1) + output_padding + 1."""
        return (
            f"({self.n}−1)·{self.stride} − 2·{self.padding} + {self.dilation}·({self.kernel}−1)"
            f" + {self.output_padding} + 1 = {self.size}"
        )

    def __str__(self) -> str:
        return self.formula()


def transposed_output_size(
    n, kernel, stride=1, padding=0, output_padding=0, dilation=1
) -> TransposedSize:
    """Output length for input length ``n``; ``ValueError`` where torch rejects."""
    n, kernel = _as_int(n, "input size"), _as_int(kernel, "kernel_size")
    stride, dilation = _as_int(stride, "stride"), _as_int(dilation, "dilation")
    padding, output_padding = _as_int(padding, "padding"), _as_int(output_padding, "output_padding")
    for name, value in (("input size", n), ("kernel_size", kernel)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    for name, value in (("stride", stride), ("dilation", dilation)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    if padding < 0:
        raise ValueError(f"padding must not be negative, got {padding}")
    if output_padding < 0:
        raise ValueError(f"output_padding must not be negative, got {output_padding}")
    if output_padding >= stride and output_padding >= dilation:
        raise ValueError(
            f"output_padding {output_padding} must be smaller than the stride ({stride}) or "
            f"the dilation ({dilation})"
        )
    size = (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if size < 1:
        raise ValueError(
            f"padding {padding} is too large: the output size would be "
            f"({n}−1)·{stride} − 2·{padding} + {dilation}·({kernel}−1) + {output_padding} + 1 "
            f"= {size}"
        )
    return TransposedSize(n, kernel, stride, padding, output_padding, dilation, size)


def _place(grid: np.ndarray, before: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """A ``[C, *size]`` grid of zeros holding ``grid`` with its corner at ``before`` (which may
    be negative: the grid is then cut off there)."""
    out = np.zeros((grid.shape[0],) + size)
    spans = []
    for axis, (b, n) in enumerate(zip(before, size)):
        start, source = max(0, b), max(0, -b)
        length = min(n - start, grid.shape[axis + 1] - source)
        if length <= 0:
            return out
        spans.append((slice(start, start + length), slice(source, source + length)))
    (rows, src_rows), (cols, src_cols) = spans
    out[:, rows, cols] = grid[:, src_rows, src_cols]
    return out


class ZeroInsertedConv(StepSequence):
    """The convolution view: ``grid`` ([C_in, H, W]) with stride − 1 zeros between its cells
    and ``pads`` (top, bottom, left, right; negative = cut off) around it, convolved (stride 1)
    with each output channel's kernel flipped. ``weight`` is ``[C_in, C_out, kh, kw]``."""

    def __init__(self, grid, weight, stride, dilation, pads, bias):
        c, h, w = grid.shape
        (sh, sw), (top, bottom, left, right) = stride, pads
        spread = np.zeros((c, (h - 1) * sh + 1, (w - 1) * sw + 1))
        spread[:, ::sh, ::sw] = grid
        marks = np.zeros(spread.shape[1:])
        marks[::sh, ::sw] = 1
        size = (spread.shape[1] + top + bottom, spread.shape[2] + left + right)
        self.grid = _place(spread, (top, left), size)
        self.kinds = np.where(_place(marks[None], (top, left), size)[0] > 0, INPUT, PADDING)
        self.kinds = self.kinds.astype(np.int8)
        self.stride, self.dilation, self.pads = stride, dilation, pads
        self.flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).copy()  # [C_out, C_in, ..]
        self.plans = [
            ConvPlan(self.grid, self.flipped[o], bias[o], 1, 0, dilation)
            for o in range(self.flipped.shape[0])
        ]
        self.output = np.stack([p.output for p in self.plans])

    def source(self, row: int, col: int) -> tuple[int, int] | None:
        """The cell of the original grid shown at (row, col), or None for an inserted zero."""
        if self.kinds[row, col] != INPUT:
            return None
        (sh, sw), (top, _, left, _) = self.stride, self.pads
        return (row - top) // sh, (col - left) // sw

    def __len__(self) -> int:
        return sum(len(p) for p in self.plans)

    def _step(self, index: int) -> ConvStep:
        o, local = divmod(index, len(self.plans[0]))
        return dataclasses.replace(self.plans[o][local], index=index, out_channel=o)

    def step_at(self, row: int, col: int, channel: int = 0) -> int:
        return channel * len(self.plans[0]) + self.plans[0].step_at(row, col)

    def readers(self, prow: int, pcol: int) -> list[tuple[int, int]]:
        return self.plans[0].readers(prow, pcol)

    @property
    def padding_mask(self) -> np.ndarray:
        return self.kinds != INPUT


@dataclass(frozen=True)
class ScatterStep:
    """One input cell of a transposed convolution: its value times the kernel, added into the
    output at ``cells`` (output channel, row, col in the uncut output, the *canvas*)."""

    index: int
    channel: int
    row: int
    col: int
    value: float
    cells: tuple[Cell, ...]
    weights: tuple[float, ...]
    products: tuple[float, ...]

    def expression(self) -> str:
        """``2 × (1, 2, 3, 4) = (2, 4, 6, 8)``, added where the kernel lands."""
        weights = ", ".join(format_number(w) for w in self.weights)
        products = ", ".join(format_number(p) for p in self.products)
        return f"{operand(self.value)} × ({weights}) = ({products})"


def as_transposed_weight(weight) -> np.ndarray:
    """``[C_in, C_out, kh, kw]`` (torch's ConvTranspose2d layout) or ``[kh, kw]`` (1 → 1)."""
    try:
        w = np.asarray(weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"weight must be a grid of numbers ({exc})") from None
    if w.ndim == 2:
        w = w[None, None]
    if w.ndim != 4:
        raise ValueError(
            f"weight must be [kh, kw] or 4-D [C_in, C_out, kh, kw], got {w.ndim} dimension(s)"
        )
    if min(w.shape) == 0:
        raise ValueError(f"weight must not be empty, got shape {list(w.shape)}")
    return w


class TransposedConvPlan(StepSequence):
    """A validated transposed convolution: the canvas (the output before the padding cuts its
    border), the output ``[C_out, Ho, Wo]``, the scatter steps (this sequence: one per input
    cell) and the equivalent convolution (:attr:`as_convolution`, a sequence of its own)."""

    def __init__(self, x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
        self.input = as_grid(x, "input")
        self.weight = as_transposed_weight(weight)
        c_in, h, w = self.input.shape
        if self.weight.shape[0] != c_in:
            raise ValueError(
                f"weight has {self.weight.shape[0]} input channel(s) but the input has {c_in}"
            )
        if isinstance(padding, str):
            raise ValueError(
                f"padding must be a number or an (h, w) pair for a transposed convolution, "
                f"got {padding!r}"
            )
        self.stride = positive_pair(stride, "stride")
        self.dilation = positive_pair(dilation, "dilation")
        self.padding = pair(padding, "padding")
        self.output_padding = pair(output_padding, "output_padding")
        kernel = self.weight.shape[2:]
        self.out_h, self.out_w = (
            transposed_output_size(n, k, s, p, op, d)
            for n, k, s, p, op, d in zip(
                (h, w), kernel, self.stride, self.padding, self.output_padding, self.dilation
            )
        )
        self.bias = per_channel_bias(bias, self.weight.shape[1])
        self.canvas = self._scatter(self.input)
        (ph, pw), (ho, wo) = self.padding, (self.out_h.size, self.out_w.size)
        self.output = self.canvas[:, ph : ph + ho, pw : pw + wo] + self.bias[:, None, None]
        pads = [
            d * (k - 1) - p + extra
            for k, p, d, op in zip(kernel, self.padding, self.dilation, self.output_padding)
            for extra in (0, op)
        ]
        self.as_convolution = ZeroInsertedConv(
            self.input, self.weight, self.stride, self.dilation, tuple(pads), self.bias
        )

    def _scatter(self, x: np.ndarray) -> np.ndarray:
        """Every input cell times the kernel, added into the uncut output (no bias)."""
        _, h, w = x.shape
        _, c_out, kh, kw = self.weight.shape
        (sh, sw), (dh, dw) = self.stride, self.dilation
        canvas = np.zeros((c_out,) + self.canvas_shape)
        for i in range(kh):
            for j in range(kw):
                block = np.einsum("chw,co->ohw", x, self.weight[:, :, i, j])
                canvas[
                    :,
                    i * dh : i * dh + (h - 1) * sh + 1 : sh,
                    j * dw : j * dw + (w - 1) * sw + 1 : sw,
                ] += block
        return canvas

    @property
    def canvas_shape(self) -> tuple[int, int]:
        """(rows, cols) of the uncut output: the output plus the padding on each border."""
        return (
            self.out_h.size + 2 * self.padding[0],
            self.out_w.size + 2 * self.padding[1],
        )

    @property
    def canvas_mask(self) -> np.ndarray:
        """``[rows, cols]`` booleans: True where the padding cuts the canvas off."""
        (ph, pw), (ho, wo) = self.padding, (self.out_h.size, self.out_w.size)
        mask = np.ones(self.canvas_shape, dtype=bool)
        mask[ph : ph + ho, pw : pw + wo] = False
        return mask

    def canvas_after(self, index: int) -> np.ndarray:
        """The canvas once steps 0 … ``index`` have added their products (no bias yet)."""
        flat = self.input.reshape(-1).copy()
        flat[index + 1 :] = 0
        return self._scatter(flat.reshape(self.input.shape))

    def __len__(self) -> int:
        return self.input.size

    def _step(self, index: int) -> ScatterStep:
        ch, rest = divmod(index, self.input.shape[1] * self.input.shape[2])
        row, col = divmod(rest, self.input.shape[2])
        _, c_out, kh, kw = self.weight.shape
        (sh, sw), (dh, dw) = self.stride, self.dilation
        cells = tuple(
            (o, row * sh + i * dh, col * sw + j * dw)
            for o in range(c_out)
            for i in range(kh)
            for j in range(kw)
        )
        value = float(self.input[ch, row, col])
        weights = tuple(float(v) for v in self.weight[ch].reshape(-1))
        return ScatterStep(
            index, ch, row, col, value, cells, weights, tuple(value * v for v in weights)
        )

    def step_at(self, row: int, col: int, channel: int = 0) -> int:
        """The scatter step of input cell (channel, row, col)."""
        return (channel * self.input.shape[1] + row) * self.input.shape[2] + col

    def writers(self, row: int, col: int) -> list[tuple[int, int]]:
        """Input cells whose kernel copy lands on canvas cell (row, col)."""
        _, _, kh, kw = self.weight.shape
        _, h, w = self.input.shape

        def hits(p, n, s, d, k):
            return [
                i
                for i in range(n)
                if 0 <= p - i * s and (p - i * s) % d == 0 and (p - i * s) // d < k
            ]

        rows = hits(row, h, self.stride[0], self.dilation[0], kh)
        cols = hits(col, w, self.stride[1], self.dilation[1], kw)
        return [(r, c) for r in rows for c in cols]


def conv_transpose2d(
    x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1
) -> np.ndarray:
    """``F.conv_transpose2d`` for one image: ``x`` [C_in, H, W] (or [H, W]), ``weight``
    [C_in, C_out, kh, kw] → [C_out, Ho, Wo]; a [H, W] input with a [kh, kw] kernel → [Ho, Wo]."""
    plan = TransposedConvPlan(x, weight, bias, stride, padding, output_padding, dilation)
    out = plan.output.copy()
    return out[0] if np.ndim(x) == 2 and np.ndim(weight) == 2 else out


def conv_transpose2d_steps(
    x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1
) -> Iterator[ScatterStep]:
    """The scatter view: one :class:`ScatterStep` per input cell, in reading order."""
    return iter(TransposedConvPlan(x, weight, bias, stride, padding, output_padding, dilation))


def conv_transpose2d_conv_steps(
    x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1
) -> Iterator[ConvStep]:
    """The convolution view: one :class:`ConvStep` per output cell of the stride-1
    convolution over the zero-inserted, border-padded input with the flipped kernel; its
    ``cells`` are in that grid's coordinates."""
    plan = TransposedConvPlan(x, weight, bias, stride, padding, output_padding, dilation)
    return iter(plan.as_convolution)
