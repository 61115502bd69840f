"""One image's backward pass for the pages and the library: the loss written out, ∂L/∂(every
traced output) and ∂L/∂(every parameter), and a gradient unit's arithmetic by the chain rule.

    >>> back = gradients(model, image, target=7, info=info)   # image: pixels [C, H, W] in [0, 1]
    >>> back.loss, back.layers["conv2"].shape, back.parameters["conv1.weight"].shape
    >>> back.explain("mp", 3, 2, 5).terms        # ∂L/∂y_j · ∂y_j/∂x_i for every reader y_j

Torch runs once, in the thread that owns the model (eval mode; its parameters' ``.grad`` are
not touched); what comes back is numpy only, so it may cross threads, and explaining a unit
never runs the model again.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from cnnviz.core.denormals import denormals_flushed

from . import Trace
from .backward import (
    NLL,
    RawBackward,
    check_target,
    fx_backward,
    hooked_backward,
    loss_text,
    normalised,
)
from .backward_units import (
    GradientExplanation,
    GradientTerm,
    explain_gradient_unit,
    explain_parameter_cell,
)
from .graph import TraceError, graph_of, trace_graph


class BackwardTrace:
    """The forward trace of one image and the backward pass of its loss, as numpy.

    ``loss`` (float), ``loss_kind`` (``"nll"``: the net ends in log_softmax and L = −log p
    as the lecture's ``F.nll_loss``; ``"cross_entropy"``: of the output taken as logits),
    ``loss_text`` (the loss written out), ``target``, ``probabilities``; ``layers``: for each
    traced node, named as the Trace page names it, ∂L/∂(its output) without the batch
    dimension (``"input"``: of the normalised image; ``"probabilities"``: ∂L/∂p);
    ``parameters``: ∂L/∂(each parameter of ``model.named_parameters()``, frozen ones too)."""

    def __init__(self, trace: Trace, raw: RawBackward, target: int):
        self.trace = trace
        self.raw = raw
        self.target = target
        self.loss = raw.loss
        self.loss_kind = raw.kind
        self.loss_text = loss_text(self.loss, loss_probability(self), target, raw.kind)
        self.probabilities = trace.probabilities
        nodes = trace.nodes
        self.layers: dict[str, np.ndarray] = {
            nodes[i].label: g.astype(np.float32) for i, g in sorted(raw.grads.items())
        }
        self.layers[nodes[-1].label] = _probability_gradient(self.probabilities, target)
        self.parameters = raw.parameters

    @property
    def explainable(self) -> bool:
        """Whether a unit's terms can be written out (a forward pass torch.fx follows)."""
        return not self.raw.hooked

    def backward_order(self) -> list[str]:
        """The nodes as the backward pass visits them: from the model's output (where the loss
        starts) back to the input, one label each (the page's probabilities left out)."""
        return [n.label for n in reversed(self.trace.nodes[:-1])]

    def conv_numbers(self, layer, out_channel: int, in_channel: int) -> dict:
        """One filter slice of a convolution with the numbers of this pass, as the Backward
        page's ``conv2d_backward(x, weight, grad_out, stride, padding, dilation)`` takes them:
        ``x`` the input channel ``[H, W]``, ``weight`` the kernel ``[kh, kw]``, ``grad_out``
        ∂L/∂Y of the output channel ``[OH, OW]``. ValueError for another kind of layer or
        a padding the Backward page does not draw (uneven, or not zeros)."""
        node = self.trace.node(layer)
        if node.kind != "conv":
            raise ValueError(f"{node.label} is not a convolution")
        p = node.params
        per_in = self.trace.nodes[node.parents[0]].shape[0] // p["groups"]
        per_out = p["weight"].shape[0] // p["groups"]
        if not (0 <= out_channel < p["weight"].shape[0] and 0 <= in_channel < per_in):
            raise ValueError(f"no filter slice ({out_channel}, {in_channel}) in {node.label}")
        (pt, pb), (pl, pr) = p["padding"]
        if pt != pb or pl != pr or (p["padding_mode"] != "zeros" and (pt or pl)):
            raise ValueError(f"{node.label}'s padding is not one the Backward page draws")
        channel = (out_channel // per_out) * per_in + in_channel
        return {
            "x": self.trace.nodes[node.parents[0]].value[channel].copy(),
            "weight": p["weight"][out_channel, in_channel].copy(),
            "grad_out": self.layers[node.label][out_channel].copy(),
            "stride": p["stride"],
            "padding": (pt, pl),
            "dilation": p["dilation"],
            "input_channel": channel,
        }

    def node_gradient(self, layer) -> np.ndarray:
        """∂L/∂(a node's output), by label, module name, torch.fx name or index."""
        return self.layers[self.trace.node(layer).label]

    def explain(self, layer, channel: int, row=None, col=None) -> GradientExplanation:
        """∂L/∂ one unit of a node's output by the chain rule: one term per unit that reads it,
        ∂L/∂y_j · ∂y_j/∂x_i, largest first; they sum to the unit's gradient."""
        index = self.trace.index(layer)
        node = self.trace.nodes[index]
        self.trace._check_unit(node, channel, row, col)
        if self.raw.hooked:
            raise TraceError(
                f"{node.label}'s gradient is exact, but its terms cannot be written out: torch.fx "
                "cannot follow this model's forward pass, so cnnviz recorded it module by module "
                "and does not know what each operation between the modules sent back"
            )
        return explain_gradient_unit(self, index, channel, row, col)

    def explain_parameter(self, name: str, index: tuple[int, ...]) -> GradientExplanation:
        """∂L/∂ one weight or bias (``index`` into the parameter, e.g. ``(o, i, kh, kw)`` of a
        convolution's weight) as its terms: a convolution's weight gradient is the
        correlation of its input with ∂L/∂Y; a linear layer's is ∂L/∂y_o · x_j."""
        if name not in self.parameters:
            raise ValueError(f"no parameter {name!r}; the model has: {', '.join(self.parameters)}")
        index = tuple(int(i) for i in np.atleast_1d(index))
        shape = self.parameters[name].shape
        if len(index) != len(shape) or not all(0 <= i < s for i, s in zip(index, shape)):
            raise ValueError(f"index {index} is outside {name}'s shape {tuple(shape)}")
        return explain_parameter_cell(self, name, index)


def loss_probability(back: BackwardTrace) -> float:
    """The p in L = −log p: e^(output at the label) for log-probabilities, the softmax of the
    output at the label for the cross-entropy (a net's probabilities, unless it ends in
    softmax: the Train page's loss then takes the softmax of its softmax)."""
    out = back.trace.nodes[back.raw.output].value.reshape(-1).astype(np.float64)
    if back.loss_kind == NLL:
        return float(np.exp(out[back.target]))
    e = np.exp(out - out.max())
    return float(e[back.target] / e.sum())


def _probability_gradient(p: np.ndarray, target: int) -> np.ndarray:
    """∂L/∂p for L = −log p_target: −1/p at the label, 0 elsewhere."""
    out = np.zeros(p.shape, np.float32)
    out[target] = -1.0 / p[target] if p[target] > 0 else -np.inf
    return out


def _device(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def backward_trace(model: nn.Module, image, target: int, info) -> BackwardTrace:
    """The forward trace and the backward pass of ``model`` on the pixel image ``image``
    (``[C, H, W]`` in [0, 1], normalised inside as ``info`` says) for the label ``target``,
    in eval mode. The model is left as it was (its mode; no ``.grad`` written); a frozen
    parameter (``requires_grad`` False) has its gradient too, taken while it is switched on
    for the run."""
    target = check_target(target, len(info.class_names))
    x_np = normalised(image, info)
    x = torch.from_numpy(x_np)[None].to(_device(model))
    was_training = model.training
    frozen = [p for p in model.parameters() if not p.requires_grad]
    model.eval()
    for p in frozen:
        p.requires_grad_(True)
    try:
        with denormals_flushed():
            try:
                graph_of(model)
                hooked = False
            except TraceError:
                hooked = True
            if hooked:
                raw = hooked_backward(model, x, target)
            else:
                raw = fx_backward(model, trace_graph(model, x_np), x, target)
    finally:
        for p in frozen:
            p.requires_grad_(False)
        model.train(was_training)
    c, h, w = (int(s) for s in x_np.shape)
    return BackwardTrace(Trace(raw.nodes, (c, h, w)), raw, target)


def gradients(model: nn.Module, image, target: int, info) -> BackwardTrace:
    """``.loss``, ``.loss_kind``, ``.loss_text``, ``.probabilities``, ``.layers`` (∂L/∂ each
    traced output by its Trace-page name) and ``.parameters`` (∂L/∂ each parameter by name)
    of ``model`` on the pixel image ``image`` with the label ``target``: a
    :class:`BackwardTrace`, numpy only."""
    return backward_trace(model, image, target, info)


def explain_gradient(
    model: nn.Module, image, target: int, info, layer, channel: int, row=None, col=None
) -> GradientExplanation:
    """∂L/∂ one unit of ``layer``'s output and its terms by the chain rule (see
    :meth:`BackwardTrace.explain`)."""
    return backward_trace(model, image, target, info).explain(layer, channel, row, col)


__all__ = [
    "NLL",
    "BackwardTrace",
    "GradientExplanation",
    "GradientTerm",
    "backward_trace",
    "explain_gradient",
    "gradients",
]
