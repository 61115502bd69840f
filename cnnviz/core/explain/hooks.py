"""The forward pass recorded module by module, for a model torch.fx cannot follow.

Tutorial code often does what symbolic tracing refuses (``for s in x.size()[1:]: ...``).
Forward hooks still see every module call: its input and its output. Where a module's input
is not the output of an earlier module, an operation outside any module came between them
(``F.relu``, ``x.view``); it becomes an *unrecorded* node holding the value it produced. Its
value is exact; its arithmetic cannot be shown, and its receptive field is inferred from its
shape (the same shape: read position by position; the same size: a reshape; else all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .graph import INPUT, UNRECORDED, TraceNode, _classify_module, add_probabilities


def trace_with_hooks(model: nn.Module, image) -> list[TraceNode]:
    """Every module call of ``model`` on ``image`` and the gaps between them, in order."""
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    x = torch.as_tensor(np.asarray(image, dtype=np.float32), device=device)[None]
    calls, out = record_calls(model, x)
    trace = HookTrace(x)
    for call in calls:
        trace.add_call(call)
    if isinstance(out, torch.Tensor):
        trace.end_with(out)
    add_probabilities(trace.nodes)
    return trace.nodes


@dataclass
class Call:
    """One module call as the hooks saw it: its input and output tensors, their values at
    the call (numpy), and ``passed``: the copy of the output the rest of the forward pass read
    (so that a later in-place operation leaves the recorded output as it was)."""

    name: str
    module: nn.Module
    inp: torch.Tensor
    in_value: np.ndarray
    output: torch.Tensor | None = None
    out_value: np.ndarray | None = None
    passed: torch.Tensor | None = None


def record_calls(model: nn.Module, x: torch.Tensor, grad: bool = False) -> tuple[list, object]:
    """Run ``model`` on the batch ``x`` (in eval mode; with gradients where ``grad``) with
    hooks on each leaf module: the calls in order (:class:`Call` each) and the model's output.
    Each module works on a copy of its input, and the rest reads a copy of its output, so that
    an in-place operation (``nn.ReLU(inplace=True)``) changes no recorded tensor; the next
    module of a chain reads the copy a call passed on, so no gap comes between them.
    ``ForwardError`` saying why when the forward pass fails."""
    from cnnviz.core.inspect.failure import ForwardError, explain_forward_failure

    names = {m: n for n, m in model.named_modules() if n and not any(True for _ in m.children())}
    calls: list[Call] = []

    def before(module, args):
        if args and isinstance(args[0], torch.Tensor):
            calls.append(Call(names[module], module, args[0], _value(args[0])))
            return (args[0].clone(),) + tuple(args[1:])
        return None

    def after(module, args, output):
        call = calls[-1] if calls else None
        if call is None or call.module is not module or call.output is not None:
            return None
        if not isinstance(output, torch.Tensor):
            return None
        call.output, call.out_value, call.passed = output, _value(output), output.clone()
        return call.passed

    handles = [m.register_forward_pre_hook(before) for m in names]
    handles += [m.register_forward_hook(after) for m in names]
    was_training = model.training
    model.eval()
    try:
        with torch.set_grad_enabled(grad):
            out = model(x)
    except Exception as exc:
        raise ForwardError(explain_forward_failure(model, tuple(x.shape[1:]), exc)) from exc
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return [c for c in calls if c.output is not None], out


class HookTrace:
    """The trace's nodes assembled from recorded module calls: one node per call, and an
    unrecorded node wherever a call's input is not what an earlier node produced.
    ``keep[i]`` is node ``i``'s tensor (its gradient is the node's)."""

    def __init__(self, x: torch.Tensor):
        self.nodes = [TraceNode(0, "input", "input", INPUT, "the input image", (), _value(x))]
        self.keep = [x]  # the tensors seen, kept alive so that their identities stay unique
        self.passed: list[torch.Tensor] = []  # the copies the forward pass read, kept alive
        self.produced = {id(x): 0}  # tensor identity -> the node that produced it
        self.counts: dict[str, int] = {}  # calls of each module so far

    def _made(self, tensor: torch.Tensor, value: np.ndarray) -> int | None:
        """The node whose value ``tensor`` is (``value``: its value when read), if one
        produced it and it is unchanged."""
        index = self.produced.get(id(tensor))
        if index is None or not np.array_equal(self.nodes[index].value, value):
            return None
        return index

    def gap(self, tensor: torch.Tensor, before: str, value: np.ndarray) -> int:
        """An unrecorded node for ``tensor`` (``value`` when read), made outside any module
        before ``before``."""
        last = self.nodes[-1]
        index = len(self.nodes)
        label = f"(between {last.label} and {before})"
        seen, params = recognise(last.value, value)
        text = (
            f"an operation outside any module{seen}: torch.fx cannot follow this forward "
            "pass, so cnnviz records the module calls and recognises what came between them "
            "from the numbers where it can"
        )
        self.nodes.append(
            TraceNode(index, f"gap_{index}", label, UNRECORDED, text, (last.index,), value, params)
        )
        last.children.append(index)
        self.produced[id(tensor)] = index
        self.keep.append(tensor)
        return index

    def add_call(self, call: Call) -> None:
        """The node of one module call (after a gap node if its input came from elsewhere)."""
        parent = self._made(call.inp, call.in_value)
        if parent is None:
            parent = self.gap(call.inp, call.name, call.in_value)
        name = call.name
        self.counts[name] = self.counts.get(name, 0) + 1
        label = name if self.counts[name] == 1 else f"{name} (call {self.counts[name]})"
        kind, params, text = _classify_module(call.module)
        index = len(self.nodes)
        assert call.output is not None and call.out_value is not None
        self.nodes.append(
            TraceNode(
                index,
                f"hook_{index}",
                label,
                kind,
                text,
                (parent,),
                call.out_value,
                params,
                module=name,
            )
        )
        self.nodes[parent].children.append(index)
        self.produced[id(call.output)] = index
        self.keep.append(call.output)
        if call.passed is not None:
            self.produced[id(call.passed)] = index
            self.passed.append(call.passed)

    def end_with(self, out: torch.Tensor) -> None:
        """The model's output: a last gap node if no recorded call produced it."""
        value = _value(out)
        if self._made(out, value) is None:
            self.gap(out, "the output", value)


def recognise(before: np.ndarray, after: np.ndarray) -> tuple[str, dict]:
    """What turned ``before`` into ``after``, where the numbers say so: a ReLU, or a k×k
    max or average pooling (after a ReLU or not). Returns words and, for a pooling, the
    window that the receptive fields follow; ("", {}) when not recognised."""
    x, y = torch.from_numpy(before)[None], torch.from_numpy(after)[None]
    if before.shape == after.shape:
        if np.allclose(np.maximum(before, 0), after, rtol=1e-5, atol=1e-6):
            return " (F.relu, recognised from its numbers)", {}
        return "", {}
    if before.ndim != 3:
        return "", {}
    c, h, w = before.shape
    if after.ndim == 3 and after.shape[0] == c:
        oh, ow = after.shape[1:]
    elif (
        after.ndim == 1
        and after.size % c == 0
        and round((after.size // c) ** 0.5) ** 2 * c == after.size
    ):
        oh = ow = round((after.size // c) ** 0.5)  # pooled to a square, then flattened
    else:
        return "", {}
    if oh == 0 or ow == 0 or h < oh or w < ow:
        return "", {}
    k = (h // oh, w // ow)  # a pooling that floors (the default) leaves the rest out
    candidates = {
        "F.max_pool2d": lambda t: F.max_pool2d(t, k),
        "F.avg_pool2d": lambda t: F.avg_pool2d(t, k),
    }
    for name, pool in candidates.items():
        for relu in (False, True):
            got = pool(F.relu(x) if relu else x)
            if got.numel() == y.numel() and torch.allclose(
                got.reshape(y.shape), y, rtol=1e-5, atol=1e-6
            ):
                words = f"{name}({'F.relu(x)' if relu else 'x'}, {k[0]})"
                if after.ndim == 1:
                    words += ", flattened"
                window = {
                    "kernel": k,
                    "stride": k,
                    "padding": ((0, 0), (0, 0)),
                    "dilation": (1, 1),
                    "pooled_shape": (c, oh, ow),
                }
                return f" ({words}, recognised from its numbers)", window
    return "", {}


def _value(tensor: torch.Tensor) -> np.ndarray:
    return tensor[0].detach().float().cpu().numpy().copy()
