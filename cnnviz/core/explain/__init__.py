"""Tracing one unit of a trained network: every output of the forward pass, receptive fields,
and the arithmetic of a unit written out with the trained numbers (torch inside, numpy out).

    >>> trace = trace_forward(model, image)            # image: [C, H, W], normalised
    >>> trace.explain("conv2", channel=3, row=2, col=5).partials
    >>> trace.receptive_field("mp (call 2)", 1, 1)

A node is named the way the Architecture page names layers: a module's path
(``"incept1.branch5x5_2"``), ``"mp (call 2)"`` for a module's second call, and a function
call by its enclosing module and function (``"relu"``, ``"incept1.cat"``, ``"reshape"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from .fields import (
    ReceptiveField,
    Region,
    dependencies,
    field_of,
    theoretical_fields,
    unit_region,
)
from .graph import TraceError, TraceNode, trace_graph
from .units import ExplainStep, UnitExplanation, explain, num, unit_words


@dataclass
class Trace:
    """The whole forward pass of one image: every node's output, and what explains a unit.

    Holds numpy only (outputs, weights, settings): it may cross threads, and explaining a unit
    never runs the model again."""

    nodes: list[TraceNode]
    input_shape: tuple[int, int, int]

    def __post_init__(self):
        self._fields = theoretical_fields(self.nodes)
        self._names: dict[str, int] = {}
        for node in self.nodes:  # labels first; module names and fx names as aliases
            self._names.setdefault(node.label, node.index)
        for node in self.nodes:
            if node.module:
                self._names.setdefault(node.module, node.index)
            self._names.setdefault(node.name, node.index)

    @property
    def logits(self) -> TraceNode:
        return self.nodes[self.nodes[-1].parents[0]]

    @property
    def probabilities(self) -> np.ndarray:
        return self.nodes[-1].value

    def index(self, layer: str | int) -> int:
        """A node's position from its label, module name, torch.fx name or index."""
        if isinstance(layer, (int, np.integer)):
            if not 0 <= int(layer) < len(self.nodes):
                raise ValueError(f"no node {layer}: the trace has {len(self.nodes)}")
            return int(layer)
        try:
            return self._names[layer]
        except KeyError:
            names = ", ".join(n.label for n in self.nodes)
            raise ValueError(f"no layer {layer!r} in the forward pass; it has: {names}") from None

    def node(self, layer: str | int) -> TraceNode:
        return self.nodes[self.index(layer)]

    def _check_unit(self, node: TraceNode, channel, row, col) -> None:
        if node.is_map:
            c, h, w = node.shape
            if row is None or col is None:
                raise ValueError(f"{node.label} is {c}×{h}×{w}: give a row and a column")
            if not (0 <= channel < c and 0 <= row < h and 0 <= col < w):
                raise ValueError(
                    f"unit ({channel}, {row}, {col}) is outside {node.label}'s {c}×{h}×{w} output"
                )
        elif not 0 <= channel < node.value.size:
            raise ValueError(f"index {channel} is outside {node.label}'s {node.value.size} entries")

    def field_size(self, layer) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """A layer's theoretical receptive field size and jump (``None``: the whole input)."""
        return _size_and_jump(self._fields[self.index(layer)])

    def layer_field(self, layer) -> ReceptiveField:
        """The theoretical field of a layer's units: size, jump and start (``box(row, col)``
        gives a unit's)."""
        return self._fields[self.index(layer)]

    def receptive_field(self, layer, row=None, col=None, channel=None) -> ReceptiveField:
        """The input pixels one unit depends on (``channel`` None: any channel at row, col —
        the channels of a concatenation may come from branches with different fields)."""
        index = self.index(layer)
        node = self.nodes[index]
        self._check_unit(node, channel or 0, row if node.is_map else 0, col if node.is_map else 0)
        return field_of(self.nodes, self._fields, index, channel, row, col)

    def dependencies(self, layer, channel: int, row=None, col=None) -> dict[int, Region]:
        """For every node the unit depends on (itself included): the channels and box of its
        output that the unit reads, through every path."""
        index = self.index(layer)
        node = self.nodes[index]
        self._check_unit(node, channel, row, col)
        return dependencies(self.nodes, index, unit_region(node, channel, row, col))

    def explain(self, layer, channel: int, row=None, col=None) -> UnitExplanation:
        """The unit's value and arithmetic, with its receptive field attached."""
        index = self.index(layer)
        node = self.nodes[index]
        self._check_unit(node, channel, row, col)
        result = explain(self.nodes, index, channel, row, col)
        result.receptive_field = field_of(self.nodes, self._fields, index, channel, row, col)
        return result


def trace_forward(model: nn.Module, image) -> Trace:
    """Run ``model`` on ``image`` (``[C, H, W]`` numpy, normalised as the model takes it) in
    eval mode and keep every operation's output. Raises :class:`TraceError` for a forward pass
    torch.fx cannot follow."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise ValueError(f"image must be [C, H, W], got shape {image.shape}")
    c, h, w = (int(s) for s in image.shape)
    return Trace(trace_graph(model, image), (c, h, w))


def receptive_field(model: nn.Module, input_shape, layer, row: int, col: int, channel=None):
    """The input pixels unit ``(row, col)`` of ``layer`` depends on, and the layer's
    theoretical field size and jump (a :class:`ReceptiveField`)."""
    shape = tuple(int(s) for s in input_shape)
    return trace_forward(model, np.zeros(shape, np.float32)).receptive_field(
        layer, row, col, channel
    )


def explain_unit(model: nn.Module, image, layer, channel: int, row=None, col=None):
    """One unit's value and arithmetic (a :class:`UnitExplanation`); ``row`` and ``col`` are
    left out for a vector (a flattened entry, a logit, a probability)."""
    return trace_forward(model, image).explain(layer, channel, row, col)


def _size_and_jump(field: ReceptiveField) -> tuple | None:
    return None if field.size is None else (field.size, field.jump)


def layer_fields(model: nn.Module, input_shape) -> dict[tuple[str, int], tuple | None]:
    """Theoretical (field size, jump) of every module call, keyed ``(module path, call)`` as
    the Architecture page's rows are; a block's entry is that of its output."""
    trace = trace_forward(model, np.zeros(tuple(input_shape), np.float32))
    out: dict[tuple[str, int], tuple | None] = {}
    calls: dict[str, int] = {}
    block_last: dict[str, int] = {}
    for node in trace.nodes:
        if node.module:
            calls[node.module] = calls.get(node.module, 0) + 1
            out[(node.module, calls[node.module])] = trace.field_size(node.index)
        for scope in node.scopes:
            block_last[scope] = node.index
    for scope, index in block_last.items():
        out.setdefault((scope, 1), trace.field_size(index))
    return out


# after Trace: the backward pass builds on it
from .backward_units import GradientExplanation, GradientTerm  # noqa: E402
from .gradients import BackwardTrace, backward_trace, explain_gradient, gradients  # noqa: E402
from .sgd import BatchShares, Losses, SGDStep, batch_shares, losses, sgd_step  # noqa: E402

__all__ = [
    "BackwardTrace",
    "BatchShares",
    "ExplainStep",
    "GradientExplanation",
    "GradientTerm",
    "Losses",
    "SGDStep",
    "ReceptiveField",
    "Region",
    "Trace",
    "TraceError",
    "TraceNode",
    "UnitExplanation",
    "backward_trace",
    "batch_shares",
    "explain_gradient",
    "explain_unit",
    "gradients",
    "layer_fields",
    "losses",
    "unit_words",
    "num",
    "receptive_field",
    "sgd_step",
    "trace_forward",
]
