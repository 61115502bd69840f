"""The backward pass of one image and its label: the loss, ∂L/∂(every traced output) and
∂L/∂(every parameter), computed by torch autograd and kept as numpy.

torch.fx's graph is run once more with gradients on. Every operation's output and every use of
it by a later operation are separate tensors (a clone per use), so autograd gives, besides each
output's gradient, what each of its readers sent back: a node that feeds several (ResNet's
skip, Inception's branches, DenseNet's concatenations) gets the sum of those. An in-place
operation (``nn.ReLU(inplace=True)``) works on its own clone and changes no recorded tensor.

A forward pass torch.fx cannot follow is recorded module by module with forward hooks, as the
forward trace does (:mod:`.hooks`): the gradients of every node and parameter are exact; what
each reader sent back is not known there, so its units cannot be written out term by term.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.fx as fx
import torch.nn.functional as F
from torch import nn

from .graph import ACTIVATION, TraceError, TraceNode, add_probabilities, graph_of
from .hooks import HookTrace, record_calls
from .units import num

NLL, CROSS_ENTROPY = "nll", "cross_entropy"
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def normalised(image, info) -> np.ndarray:
    """The pixel image ``[C, H, W]`` in [0, 1] as the model takes it: ``(x − mean) / std``.
    ValueError for another shape than ``info.input_shape`` or values outside [0, 1]."""
    arr = info.checked_pixels(image)
    return ((arr - np.float32(info.mean)) / np.float32(info.std)).astype(np.float32)


def check_target(target, classes: int) -> int:
    """``target`` as a class number below ``classes``; ValueError when it is none."""
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
        raise ValueError(f"target must be a class number 0–{classes - 1}, got {target!r}")
    if not 0 <= int(target) < classes:
        raise ValueError(f"target must be a class number 0–{classes - 1}, got {target}")
    return int(target)


def loss_kind(out: torch.Tensor) -> str:
    """``"nll"`` when every row of the model's output holds log-probabilities (a net that ends
    in log_softmax: the lecture's loss is then ``F.nll_loss``), else ``"cross_entropy"`` of
    the output taken as logits (as the Train page's loop does)."""
    with torch.no_grad():
        logs = bool((out.detach().float().logsumexp(dim=1).abs() < 1e-4).all())
    return NLL if logs else CROSS_ENTROPY


def loss_of(out: torch.Tensor, targets: torch.Tensor, kind: str) -> torch.Tensor:
    """The mean loss of a batch: ``−out[target]`` for ``"nll"``, cross-entropy otherwise."""
    if kind == NLL:
        return F.nll_loss(out.float(), targets)
    return F.cross_entropy(out.float(), targets)


def loss_text(loss: float, p: float, target: int, kind: str) -> str:
    """The loss written out: ``L = −log p₇ = −log 0.493 = 0.7072`` (the cross-entropy of
    logits: ``L = −log softmax(z)₇ = −log p₇ = …``)."""
    sub = str(target).translate(_SUBSCRIPTS)
    how = f"L = −log softmax(z){sub} = " if kind == CROSS_ENTROPY else "L = "
    if p > 0:
        return f"{how}−log p{sub} = −log {num(p)} = {num(loss)}"
    return f"{how}−log p{sub} = {num(loss)} (p{sub} is 0 in float32)"


def output_gradient(out: np.ndarray, target: int, kind: str) -> np.ndarray:
    """∂L/∂(the model's output) of one image, from its output: ``−one-hot`` for the NLL of
    log-probabilities, ``p − one-hot`` for the cross-entropy of logits."""
    z = out.astype(np.float64).reshape(-1)
    onehot = np.zeros_like(z)
    onehot[target] = 1.0
    if kind == NLL:
        return -onehot
    p = np.exp(z - z.max())
    return p / p.sum() - onehot


class _GradRecorder(fx.Interpreter):
    """Runs the graph with gradients on: every node's output kept, each use a clone of it
    (``uses``: (producer, consumer, tensor) each), and for the activations named in
    ``activations`` the derivative f′(x) of the function at its input."""

    def __init__(self, module, activations: set[str]):
        super().__init__(module)
        self.outputs: dict[str, object] = {}
        self.uses: list[tuple[str, str, torch.Tensor]] = []
        self.activations = activations
        self.derivatives: dict[str, torch.Tensor] = {}

    def _use(self, consumer: fx.Node, producer: fx.Node):
        value = self.env[producer]
        if not isinstance(value, torch.Tensor) or not value.requires_grad:
            return value
        edge = value.clone()  # what this consumer sends back is the gradient of this clone
        self.uses.append((producer.name, consumer.name, edge))
        return edge.clone()  # an in-place operation changes this one, not the edge

    def run_node(self, n):
        args = fx.node.map_arg(n.args, lambda a: self._use(n, a))
        kwargs = fx.node.map_arg(n.kwargs, lambda a: self._use(n, a))
        assert isinstance(args, tuple) and isinstance(kwargs, dict)
        result = getattr(self, n.op)(n.target, args, kwargs)
        self.outputs[n.name] = result
        if n.name in self.activations and args and isinstance(args[0], torch.Tensor):
            self.derivatives[n.name] = self._derivative(n, args, kwargs)
        return result

    def _derivative(self, n, args, kwargs) -> torch.Tensor:
        """f′(x) of an elementwise function: the gradient of Σ f(x) (a fresh leaf, so that
        the derivative is the function's own, whatever reads it)."""
        x = args[0].detach().clone().requires_grad_(True)
        with torch.enable_grad():
            y = getattr(self, n.op)(n.target, (x.clone(),) + tuple(args[1:]), kwargs)
            (d,) = torch.autograd.grad(y.sum(), x)
        return d


def _gradients_of(loss, tensors: list) -> list:
    """autograd's gradient of ``loss`` for each tensor (None: not on the way to the loss)."""
    wanted = [i for i, t in enumerate(tensors) if isinstance(t, torch.Tensor) and t.requires_grad]
    grads = torch.autograd.grad(loss, [tensors[i] for i in wanted], allow_unused=True)
    out: list = [None] * len(tensors)
    for i, g in zip(wanted, grads):
        out[i] = g
    return out


def _numpy(t) -> np.ndarray:
    return t.detach().float().cpu().numpy().copy()


def _zeros_or(grad, like: np.ndarray) -> np.ndarray:
    if grad is None:
        return np.zeros(like.shape, np.float32)
    return _numpy(grad).reshape((-1,) + like.shape)[0] if grad.dim() > 0 else _numpy(grad)


class RawBackward:
    """What one backward run found, as numpy: the trace's nodes (forward values), ∂L/∂ each
    node's output, ∂L/∂ each parameter, what each reader sent back to each node
    (``edges[(parent, child)]``), the activations' derivatives, and the loss."""

    def __init__(self, nodes: list[TraceNode], hooked: bool):
        self.nodes = nodes
        self.hooked = hooked  # recorded module by module: no edges
        self.grads: dict[int, np.ndarray] = {}
        self.parameters: dict[str, np.ndarray] = {}
        self.edges: dict[tuple[int, int], np.ndarray] = {}
        self.derivatives: dict[int, np.ndarray] = {}
        self.loss = 0.0
        self.kind = NLL
        self.output = len(nodes) - 2  # the model's output node (the last before probabilities)


def _parameter_grads(model: nn.Module, raw: RawBackward, grads: list) -> None:
    for (name, p), g in zip(model.named_parameters(), grads):
        raw.parameters[name] = (
            np.zeros(tuple(p.shape), np.float32) if g is None else _numpy(g).reshape(p.shape)
        )


def fx_backward(model: nn.Module, nodes: list[TraceNode], x: torch.Tensor, target: int):
    """The backward run through torch.fx's graph of ``model`` (``nodes``: its forward trace
    of the same input ``x``, ``[1, C, H, W]``)."""
    graph = graph_of(model)
    names = {n.name: n.index for n in nodes}
    activations = {n.name for n in nodes if n.kind == ACTIVATION}
    recorder = _GradRecorder(graph, activations)
    with torch.enable_grad():
        x = x.detach().clone().requires_grad_(True)
        out = recorder.run(x)
        if not isinstance(out, torch.Tensor):
            raise TraceError(f"{type(model).__name__}'s forward does not return one tensor")
        raw = RawBackward(nodes, hooked=False)
        returned = [n.args[0] for n in graph.graph.nodes if n.op == "output"]
        if returned and isinstance(returned[0], fx.Node) and returned[0].name in names:
            raw.output = names[returned[0].name]  # the node the forward returns
        raw.kind = loss_kind(out)
        loss = loss_of(out, torch.tensor([target], device=out.device), raw.kind)
        params = [p for _, p in model.named_parameters()]
        outputs = [recorder.outputs.get(n.name) for n in nodes[:-1]]
        edges = [u[2] for u in recorder.uses]
        grads = _gradients_of(loss, params + outputs + edges)
    raw.loss = float(loss.detach())
    _parameter_grads(model, raw, grads[: len(params)])
    for node, g in zip(nodes[:-1], grads[len(params) : len(params) + len(outputs)]):
        raw.grads[node.index] = _zeros_or(g, node.value)
    for (producer, consumer, _), g in zip(recorder.uses, grads[len(params) + len(outputs) :]):
        if producer in names and consumer in names:
            key = (names[producer], names[consumer])
            value = _zeros_or(g, nodes[key[0]].value)
            raw.edges[key] = raw.edges[key] + value if key in raw.edges else value
    for name, d in recorder.derivatives.items():
        raw.derivatives[names[name]] = _numpy(d)[0]
    return raw


def hooked_backward(model: nn.Module, x: torch.Tensor, target: int) -> RawBackward:
    """The backward run module by module (a forward torch.fx cannot follow): the trace's
    nodes as :mod:`.hooks` makes them, each node's and each parameter's gradient."""
    x = x.detach().clone().requires_grad_(True)
    calls, out = record_calls(model, x, grad=True)
    if not isinstance(out, torch.Tensor):
        raise TraceError(f"{type(model).__name__}'s forward does not return one tensor")
    trace = HookTrace(x)
    for call in calls:
        trace.add_call(call)
    trace.end_with(out)
    raw = RawBackward(trace.nodes, hooked=True)
    with torch.enable_grad():
        raw.kind = loss_kind(out)
        loss = loss_of(out, torch.tensor([target], device=out.device), raw.kind)
        params = [p for _, p in model.named_parameters()]
        grads = _gradients_of(loss, params + list(trace.keep))
    add_probabilities(trace.nodes)
    raw.output = len(trace.nodes) - 2
    raw.loss = float(loss.detach())
    _parameter_grads(model, raw, grads[: len(params)])
    for node, g in zip(trace.nodes[:-1], grads[len(params) :]):
        raw.grads[node.index] = _zeros_or(g, node.value)
    return raw
