"""A convolution layer: several filters, optionally in groups (depthwise when every input
channel is a group of its own), with torch's weight layout ``[C_out, C_in/groups, kh, kw]``."""

from __future__ import annotations

import dataclasses

import numpy as np

from .conv import ConvPlan, ConvStep
from .counts import conv_multiply_adds, conv_parameters
from .params import StepSequence, _as_int, as_grid
from .sizes import OutputSize


def as_weight4(weight, name: str = "weight") -> np.ndarray:
    """``weight`` as a float64 4-D array, or a ``ValueError`` that names the layout."""
    try:
        w = np.asarray(weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a grid of numbers ({exc})") from None
    if w.ndim != 4:
        raise ValueError(
            f"{name} must be 4-D [C_out, C_in/groups, kh, kw], got {w.ndim} dimension(s)"
        )
    if min(w.shape) == 0:
        raise ValueError(f"{name} must not be empty, got shape {list(w.shape)}")
    return w


def per_channel_bias(bias, count: int) -> np.ndarray:
    """None (no bias), one number for every output channel, or one number per channel."""
    if bias is None:
        return np.zeros(count)
    try:
        b = np.asarray(bias, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"bias must be a number or one number per output channel, got {bias!r}"
        ) from None
    if b.ndim == 0:
        return np.full(count, float(b))
    if b.shape != (count,):
        raise ValueError(
            f"bias must hold one number per output channel ({count}), got shape {list(b.shape)}"
        )
    return b.copy()


def check_groups(groups, c_in: int, c_out: int, per_group: int) -> int:
    """torch's rules for ``groups``: at least 1, dividing both channel counts, and the weight's
    second dimension equal to the input channels of one group."""
    groups = _as_int(groups, "groups")
    if groups < 1:
        raise ValueError(f"groups must be at least 1, got {groups}")
    if c_in % groups:
        raise ValueError(f"groups {groups} must divide the input channels ({c_in})")
    if c_out % groups:
        raise ValueError(f"groups {groups} must divide the output channels ({c_out})")
    if per_group * groups != c_in:
        raise ValueError(
            f"weight has {per_group} input channel(s) per group but the input has {c_in} "
            f"channel(s) in {groups} group(s), {c_in // groups} each"
        )
    return groups


class GroupedConvPlan(StepSequence):
    """A validated convolution layer: output ``[C_out, Ho, Wo]``, one step per output cell
    (output channel by output channel), which input channels each filter reads, and costs."""

    def __init__(
        self, x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"
    ):
        self.input = as_grid(x, "input")
        self.weight = as_weight4(weight)
        c_in, c_out = self.input.shape[0], self.weight.shape[0]
        self.groups = check_groups(groups, c_in, c_out, self.weight.shape[1])
        self.bias = per_channel_bias(bias, c_out)
        self.per_group = c_in // self.groups
        self.out_per_group = c_out // self.groups
        self.plans = [
            ConvPlan(
                self.input[self.reads(o)],
                self.weight[o],
                self.bias[o],
                stride,
                padding,
                dilation,
                padding_mode,
            )
            for o in range(c_out)
        ]
        first = self.plans[0]
        self.stride, self.dilation, self.pads = first.stride, first.dilation, first.pads
        self.padding_mode = first.padding_mode
        self.out_h: OutputSize = first.out_h
        self.out_w: OutputSize = first.out_w
        self.padded = np.concatenate(
            [self.plans[g * self.out_per_group].padded for g in range(self.groups)]
        )
        self.output = np.stack([p.output for p in self.plans])

    def reads(self, out_channel: int) -> slice:
        """The input channels output channel ``out_channel`` reads (its group's)."""
        g = out_channel // self.out_per_group
        return slice(g * self.per_group, (g + 1) * self.per_group)

    def group_of(self, out_channel: int) -> int:
        return out_channel // self.out_per_group

    @property
    def padding_mask(self) -> np.ndarray:
        return self.plans[0].padding_mask

    # -- costs ------------------------------------------------------------------------------------
    def _costs(self, groups: int) -> tuple[int, int]:
        """(parameters, multiply-adds) of this layer with ``groups`` groups."""
        c_out, _, kh, kw = self.weight.shape
        c_in = self.input.shape[0]
        params = sum(conv_parameters(c_in, c_out, (kh, kw), groups))
        return params, conv_multiply_adds(c_in, c_out, (kh, kw), self.output.size, groups)

    @property
    def parameters(self) -> int:
        """Weights plus one bias per output channel."""
        return self._costs(self.groups)[0]

    @property
    def multiply_adds(self) -> int:
        """One multiply-add per weight of a filter per output cell."""
        return self._costs(self.groups)[1]

    @property
    def full_parameters(self) -> int:
        """The same layer with groups 1: every filter reads every input channel."""
        return self._costs(1)[0]

    @property
    def full_multiply_adds(self) -> int:
        return self._costs(1)[1]

    def cost_lines(self) -> tuple[str, str]:
        """Parameters and multiply-adds written out, against the same layer with groups 1:
        ``Parameters: 3·1·3·3 + 3 = 30; with groups 1: 3·3·3·3 + 3 = 84 (2.8× more)``."""
        c_out, per, kh, kw = self.weight.shape
        c_in, (_, ho, wo) = self.input.shape[0], self.output.shape
        params = f"Parameters: {c_out}·{per}·{kh}·{kw} + {c_out} = {self.parameters:,}"
        macs = (
            f"Multiply-adds: {c_out}·{ho}·{wo} outputs × {per}·{kh}·{kw} = {self.multiply_adds:,}"
        )
        if self.groups != 1:
            params += (
                f"; with groups 1: {c_out}·{c_in}·{kh}·{kw} + {c_out} = "
                f"{self.full_parameters:,} ({self.full_parameters / self.parameters:.1f}× more)"
            )
            macs += (
                f"; with groups 1: × {c_in}·{kh}·{kw} = {self.full_multiply_adds:,} "
                f"({self.full_multiply_adds / self.multiply_adds:.1f}× more)"
            )
        return params, macs

    # -- steps ------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return sum(len(p) for p in self.plans)

    def _step(self, index: int) -> ConvStep:
        per = len(self.plans[0])
        o, local = divmod(index, per)
        step = self.plans[o][local]
        first = self.reads(o).start
        cells = tuple((ch + first, r, c) for ch, r, c in step.cells)
        return dataclasses.replace(step, index=index, cells=cells, out_channel=o)

    def step_at(self, row: int, col: int, channel: int = 0) -> int:
        """The step index of output cell (channel, row, col)."""
        return channel * len(self.plans[0]) + self.plans[0].step_at(row, col)

    def readers(self, prow: int, pcol: int) -> list[tuple[int, int]]:
        """Output cells (of any channel reading it) whose window covers padded cell (prow, pcol)."""
        return self.plans[0].readers(prow, pcol)
