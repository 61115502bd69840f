"""The forward pass recorded module by module, for a model torch.fx cannot follow.

Tutorial code often does what symbolic tracing refuses (``for s in x.size()[1:]: ...``).
Forward hooks still see every module call: its input and its output. Where a module's input
is not the output of an earlier module, an operation outside any module came between them
(``F.relu``, ``x.view``); it becomes an *unrecorded* node holding the value it produced. Its
value is exact; its arithmetic cannot be shown, and its receptive field is inferred from its
shape (the same shape: read position by position; the same size: a reshape; else all).
"""

from __future__ import annotations

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
    for name, module, inp, output in calls:
        trace.add_call(name, module, inp, output)
    if isinstance(out, torch.Tensor):
        trace.end_with(out)
    add_probabilities(trace.nodes)
    return trace.nodes


def record_calls(model: nn.Module, x: torch.Tensor) -> tuple[list, object]:
    """Run ``model`` on the batch ``x`` (in eval mode, without gradients) with a forward hook
    on each leaf module: (the calls in order, (name, module, input, output copy) each, and the
    model's output). ``ForwardError`` saying why when the forward pass fails."""
    from cnnviz.core.inspect.failure import ForwardError, explain_forward_failure

    names = {m: n for n, m in model.named_modules() if n and not any(True for _ in m.children())}
    calls: list[tuple[str, nn.Module, torch.Tensor, torch.Tensor]] = []

    def hook(module, args, output):
        if args and isinstance(args[0], torch.Tensor) and isinstance(output, torch.Tensor):
            calls.append((names[module], module, args[0], output.clone()))

    handles = [m.register_forward_hook(hook) for m in names]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(x)
    except Exception as exc:
        raise ForwardError(explain_forward_failure(model, tuple(x.shape[1:]), exc)) from exc
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return calls, out


class HookTrace:
    """The trace's nodes assembled from recorded module calls: one node per call, and an
    unrecorded node wherever a call's input is not what an earlier node produced."""

    def __init__(self, x: torch.Tensor):
        self.nodes = [TraceNode(0, "input", "input", INPUT, "the input image", (), _value(x))]
        self.keep = [x]  # the tensors seen, kept alive so that their identities stay unique
        self.produced = {id(x): 0}  # tensor identity -> the node that produced it
        self.counts: dict[str, int] = {}  # calls of each module so far

    def _made(self, tensor: torch.Tensor) -> int | None:
        """The node whose value ``tensor`` is, if one produced it and it is unchanged."""
        index = self.produced.get(id(tensor))
        if index is None or not np.array_equal(self.nodes[index].value, _value(tensor)):
            return None
        return index

    def gap(self, tensor: torch.Tensor, before: str) -> int:
        """An unrecorded node for ``tensor``, made outside any module before ``before``."""
        last = self.nodes[-1]
        index = len(self.nodes)
        label = f"(between {last.label} and {before})"
        seen, params = recognise(last.value, _value(tensor))
        text = (
            f"an operation outside any module{seen}: torch.fx cannot follow this forward "
            "pass, so cnnviz records the module calls and recognises what came between them "
            "from the numbers where it can"
        )
        self.nodes.append(
            TraceNode(
                index,
                f"gap_{index}",
                label,
                UNRECORDED,
                text,
                (last.index,),
                _value(tensor),
                params,
            )
        )
        last.children.append(index)
        self.produced[id(tensor)] = index
        self.keep.append(tensor)
        return index

    def add_call(self, name: str, module: nn.Module, inp, output) -> None:
        """The node of one module call (after a gap node if its input came from elsewhere)."""
        parent = self._made(inp)
        if parent is None:
            parent = self.gap(inp, name)
        self.counts[name] = self.counts.get(name, 0) + 1
        label = name if self.counts[name] == 1 else f"{name} (call {self.counts[name]})"
        kind, params, text = _classify_module(module)
        index = len(self.nodes)
        self.nodes.append(
            TraceNode(
                index,
                f"hook_{index}",
                label,
                kind,
                text,
                (parent,),
                _value(output),
                params,
                module=name,
            )
        )
        self.nodes[parent].children.append(index)
        self.produced[id(output)] = index
        self.keep.append(output)

    def end_with(self, out: torch.Tensor) -> None:
        """The model's output: a last gap node if no recorded call produced it."""
        if self._made(out) is None:
            self.gap(out, "the output")


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
