"""The forward pass as a graph of every operation, with every output, for one image.

torch.fx sees what forward hooks cannot: the functional calls between modules (``F.relu``,
``x.view``, ``torch.cat``, ``+``). Each operation becomes a :class:`TraceNode` holding its
output (numpy, no batch dimension) and the settings and weights its arithmetic needs, so a unit
can be explained afterwards without torch.
"""

from __future__ import annotations

import operator
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.fx as fx
from torch import nn

# kinds of operation the explanations know
CONV, MAX_POOL, AVG_POOL = "conv", "max_pool", "avg_pool"
ADAPTIVE_AVG, ADAPTIVE_MAX = "adaptive_avg", "adaptive_max"
BATCH_NORM, ACTIVATION, IDENTITY = "batch_norm", "activation", "identity"
CAT, ADD, RESHAPE, LINEAR = "cat", "add", "reshape", "linear"
LOG_SOFTMAX, SOFTMAX, PROBABILITIES = "log_softmax", "softmax", "probabilities"
INPUT, OTHER = "input", "other"
UNRECORDED = "unrecorded"  # an operation between modules that forward hooks cannot see

WINDOW_KINDS = (CONV, MAX_POOL, AVG_POOL)
ELEMENTWISE = (BATCH_NORM, ACTIVATION, IDENTITY)

_ACTIVATIONS = {
    nn.ReLU: "relu",
    nn.ReLU6: "relu6",
    nn.LeakyReLU: "leaky_relu",
    nn.ELU: "elu",
    nn.GELU: "gelu",
    nn.SiLU: "silu",
    nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh",
    nn.Hardtanh: "hardtanh",
    nn.Softplus: "softplus",
    nn.Mish: "mish",
}
_ACTIVATION_FUNCTIONS = {
    "relu",
    "relu_",
    "relu6",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "sigmoid",
    "tanh",
    "hardtanh",
    "softplus",
    "mish",
}
_RESHAPES = {"reshape", "view", "flatten", "contiguous", "squeeze", "unsqueeze"}
_DROPOUTS = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.Identity)


class TraceError(ValueError):
    """A model whose forward pass cannot be followed operation by operation, and why."""


@dataclass
class TraceNode:
    """One operation of the forward pass and its output for the traced image."""

    index: int
    name: str  # torch.fx's node name (unique)
    label: str  # how the pages and the API name it: "conv1", "mp (call 2)", "incept1.cat"
    kind: str
    op_text: str  # what it is, in code: "Conv2d(10, 20, kernel_size=(5, 5))", "F.relu"
    parents: tuple[int, ...]
    value: np.ndarray  # float32, the output without the batch dimension
    params: dict = field(default_factory=dict)
    scopes: tuple[str, ...] = ()  # enclosing modules, outermost first ("incept1", ...)
    block: str = ""  # the innermost enclosing block ("incept1", "layer1.0") or ""
    block_type: str = ""  # its class name ("InceptionA", "BasicBlock")
    module: str | None = None  # the module's path for a module call
    children: list[int] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def is_map(self) -> bool:
        """A stack of feature maps ``[C, H, W]`` (else a vector)."""
        return self.value.ndim == 3

    def describe_shape(self) -> str:
        return "×".join(str(s) for s in self.shape)


_GRAPHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# torch.fx patches nn.Module for the whole process while it traces and restores what it found
# when done: two traces in two threads at once left nn.Module.__call__ patched for good, and
# every later model call went through a finished tracer. The app traces in its compute thread
# only, but this is also the library's (cnnviz.explain), callable from any thread of a program.
_TRACING = threading.Lock()


class _ThisThreadTracer(fx.Tracer):
    """torch.fx's tracer, its patches acting in the tracing thread only.

    While it traces, torch.fx replaces ``nn.Module.__call__`` and ``nn.Module.__getattr__``
    for the whole process. Every module called in another thread meanwhile goes through the
    tracer, even one the trace never sees (the training thread's own model): its calls fail
    ("module is not installed as a submodule") or its parameters come back as proxies instead
    of tensors (tests/core/test_explain.py, "beside a trace"). This subclass only overrides
    Tracer's documented extension points ``call_module`` and ``getattr``: another thread's
    calls and attributes go straight through."""

    def __init__(self):
        super().__init__()
        self._thread = threading.get_ident()

    def call_module(self, m, forward, args, kwargs):
        if threading.get_ident() != self._thread:
            return forward(*args, **kwargs)
        return super().call_module(m, forward, args, kwargs)

    def getattr(self, attr, attr_val, parameter_proxy_cache):
        if threading.get_ident() != self._thread:
            return attr_val
        return super().getattr(attr, attr_val, parameter_proxy_cache)


def graph_of(model: nn.Module) -> fx.GraphModule:
    """The model's forward pass as a torch.fx graph (traced once per model object)."""
    cached = _GRAPHS.get(model)
    if isinstance(cached, TraceError):
        raise cached
    if cached is not None:
        return cached
    try:
        with _TRACING:  # one trace at a time: two would restore each other's patches
            tracer = _ThisThreadTracer()
            traced = tracer.trace(model)
            graph = fx.GraphModule(tracer.root, traced, type(model).__name__)
    except Exception as exc:  # data-dependent control flow, unsupported Python in forward
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        error = TraceError(
            f"{type(model).__name__}'s forward cannot be followed operation by operation "
            f"(torch.fx: {first[:200]})"
        )
        _GRAPHS[model] = error  # not tried again for this model
        raise error from None
    _GRAPHS[model] = graph
    return graph


class _Recorder(fx.Interpreter):
    def __init__(self, module):
        super().__init__(module)
        self.outputs: dict[str, object] = {}

    def run_node(self, n):
        result = super().run_node(n)
        # a copy: an in-place operation later (nn.ReLU(inplace=True)) must not change it
        self.outputs[n.name] = result.clone() if isinstance(result, torch.Tensor) else result
        return result


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return (int(value[0]), int(value[-1]))
    return (int(value), int(value))


def _numpy(tensor) -> np.ndarray | None:
    return None if tensor is None else tensor.detach().float().cpu().numpy().copy()


def _conv_params(m: nn.Conv2d) -> dict:
    k, d = _pair(m.kernel_size), _pair(m.dilation)
    if isinstance(m.padding, str):  # 'same' pads d·(k−1) in all, the smaller half first
        totals = [0, 0] if m.padding == "valid" else [dd * (kk - 1) for dd, kk in zip(d, k)]
        pad = (
            (totals[0] // 2, totals[0] - totals[0] // 2),
            (totals[1] // 2, totals[1] - totals[1] // 2),
        )
    else:
        p = _pair(m.padding)
        pad = ((p[0], p[0]), (p[1], p[1]))
    return {
        "weight": _numpy(m.weight),
        "bias": _numpy(m.bias),
        "kernel": k,
        "stride": _pair(m.stride),
        "padding": pad,
        "dilation": d,
        "groups": int(m.groups),
        "padding_mode": m.padding_mode,
    }


def _pool_params(kind: str, kernel, stride, padding, dilation=1, ceil_mode=False, **extra) -> dict:
    k = _pair(kernel)
    s = _pair(stride) if stride not in (None, ()) and stride != [] else k
    p = _pair(padding)
    params = {
        "kernel": k,
        "stride": s,
        "padding": ((p[0], p[0]), (p[1], p[1])),
        "dilation": _pair(dilation),
        "ceil_mode": bool(ceil_mode),
    }
    params.update(extra)
    return params


def _fn_args(node: fx.Node, names: tuple[str, ...], defaults: dict) -> dict:
    """Positional and keyword arguments of a functional call by name (after the input)."""
    values = dict(defaults)
    for name, value in zip(names, node.args[1:]):
        values[name] = value
    values.update({k: v for k, v in node.kwargs.items() if k in names})
    return values


def _classify_module(m: nn.Module) -> tuple[str, dict, str]:
    if isinstance(m, nn.Conv2d):
        return CONV, _conv_params(m), repr(m)
    if isinstance(m, nn.MaxPool2d):
        return (
            MAX_POOL,
            _pool_params(MAX_POOL, m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode),
            repr(m),
        )
    if isinstance(m, nn.AvgPool2d):
        params = _pool_params(
            AVG_POOL,
            m.kernel_size,
            m.stride,
            m.padding,
            1,
            m.ceil_mode,
            count_include_pad=bool(m.count_include_pad),
            divisor_override=m.divisor_override,
        )
        return AVG_POOL, params, repr(m)
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return ADAPTIVE_AVG, {}, repr(m)
    if isinstance(m, nn.AdaptiveMaxPool2d):
        return ADAPTIVE_MAX, {}, repr(m)
    if isinstance(m, nn.modules.batchnorm._BatchNorm):
        return (
            BATCH_NORM,
            {
                "mean": _numpy(m.running_mean),
                "var": _numpy(m.running_var),
                "eps": float(m.eps),
                "weight": _numpy(m.weight),
                "bias": _numpy(m.bias),
            },
            repr(m),
        )
    for cls, name in _ACTIVATIONS.items():
        if isinstance(m, cls):
            return ACTIVATION, {"function": name}, repr(m)
    if isinstance(m, _DROPOUTS):
        return IDENTITY, {}, repr(m)
    if isinstance(m, (nn.Flatten, nn.Unflatten)):
        return RESHAPE, {}, repr(m)
    if isinstance(m, nn.Linear):
        return LINEAR, {"weight": _numpy(m.weight), "bias": _numpy(m.bias)}, repr(m)
    if isinstance(m, nn.LogSoftmax):
        return LOG_SOFTMAX, {}, repr(m)
    if isinstance(m, nn.Softmax):
        return SOFTMAX, {}, repr(m)
    return OTHER, {}, repr(m).splitlines()[0]


def _function_name(node: fx.Node) -> str:
    target = node.target
    if node.op == "call_method":
        return str(target)
    if target in (operator.add, operator.iadd):
        return "add"
    if target in (operator.mul, operator.imul):
        return "mul"
    if target is operator.getitem:
        return "getitem"
    return getattr(target, "__name__", str(target))


def _classify_function(node: fx.Node) -> tuple[str, dict, str]:
    name = _function_name(node)
    prefix = (
        "x." if node.op == "call_method" else ("torch." if name in ("cat", "flatten") else "F.")
    )
    text = f"{prefix}{name}" if name != "add" or node.op == "call_method" else "a + b"
    if name in _ACTIVATION_FUNCTIONS:
        return ACTIVATION, {"function": name.rstrip("_")}, text
    if name in _RESHAPES:
        return RESHAPE, {}, text
    if name == "cat":
        dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
        return (CAT, {"dim": 1}, text) if dim in (1, -3) else (OTHER, {}, text)
    if name in ("add", "add_", "iadd"):
        return ADD, {}, text
    if name == "dropout" or name == "dropout2d":
        return IDENTITY, {}, text
    if name == "max_pool2d":
        a = _fn_args(
            node,
            ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
            {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False},
        )
        return MAX_POOL, _pool_params(MAX_POOL, a["kernel_size"], **_rest(a)), text
    if name == "avg_pool2d":
        a = _fn_args(
            node,
            (
                "kernel_size",
                "stride",
                "padding",
                "ceil_mode",
                "count_include_pad",
                "divisor_override",
            ),
            {
                "stride": None,
                "padding": 0,
                "ceil_mode": False,
                "count_include_pad": True,
                "divisor_override": None,
            },
        )
        rest = _rest(a)
        return AVG_POOL, _pool_params(AVG_POOL, a["kernel_size"], **rest), text
    if name == "adaptive_avg_pool2d":
        return ADAPTIVE_AVG, {}, text
    if name == "adaptive_max_pool2d":
        return ADAPTIVE_MAX, {}, text
    if name == "log_softmax":
        return LOG_SOFTMAX, {}, text
    if name == "softmax":
        return SOFTMAX, {}, text
    return OTHER, {}, text


def _rest(args: dict) -> dict:
    return {k: v for k, v in args.items() if k != "kernel_size"}


def _scopes(node: fx.Node, model: nn.Module) -> tuple[tuple[str, ...], str, str]:
    """Enclosing modules (outermost first) and the innermost block with its class name."""
    stack = node.meta.get("nn_module_stack") or {}
    paths = []
    for key, value in stack.items():
        path = value[0] if isinstance(value, tuple) else key
        paths.append(str(path))
    if node.op == "call_module" and paths and paths[-1] == node.target:
        paths = paths[:-1]
    block, block_type = "", ""
    for path in reversed(paths):
        try:
            module = model.get_submodule(path)
        except AttributeError:
            continue
        if not isinstance(module, (nn.Sequential, nn.ModuleList, nn.ModuleDict)):
            block, block_type = path, type(module).__name__
            break
    return tuple(paths), block, block_type


def trace_graph(model: nn.Module, image) -> list[TraceNode]:
    """Every tensor-valued operation of ``model`` on ``image`` (``[C, H, W]``, as the model
    takes it), in the order torch computes them. The model runs in eval mode without grad.

    A forward pass torch.fx cannot follow (a loop over a tensor's size, say) is recorded
    module by module with forward hooks instead: see :mod:`.hooks`."""
    try:
        graph = graph_of(model)
    except TraceError:
        from .hooks import trace_with_hooks

        return trace_with_hooks(model, image)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    x = torch.as_tensor(np.asarray(image, dtype=np.float32), device=device)[None]
    recorder = _Recorder(graph)
    was_training = model.training
    model.eval()
    graph.eval()
    try:
        with torch.no_grad():
            recorder.run(x)
    except Exception as exc:
        from cnnviz.core.inspect.failure import ForwardError, explain_forward_failure

        raise ForwardError(explain_forward_failure(model, tuple(x.shape[1:]), exc)) from exc
    finally:
        model.train(was_training)
        graph.train(was_training)
    nodes: list[TraceNode] = []
    by_name: dict[str, int] = {}
    counts: dict[str, int] = {}
    for n in graph.graph.nodes:
        out = recorder.outputs.get(n.name)
        if n.op == "output" or not isinstance(out, torch.Tensor) or out.dim() < 1:
            continue
        params: dict
        if n.op == "placeholder":
            kind, params, text, module = INPUT, {}, "the input image", None
            base = "input"
        elif n.op == "call_module":
            kind, params, text = _classify_module(graph.get_submodule(n.target))
            module = str(n.target)
            base = module
        elif n.op in ("call_function", "call_method"):
            kind, params, text = _classify_function(n)
            module = None
            scopes, _, _ = _scopes(n, model)
            name = _function_name(n)
            base = f"{scopes[-1]}.{name}" if scopes else name
        else:  # get_attr: a parameter used directly; not a step of the computation
            continue
        counts[base] = counts.get(base, 0) + 1
        label = base if counts[base] == 1 else f"{base} (call {counts[base]})"
        scopes, block, block_type = _scopes(n, model)
        parents = tuple(by_name[a.name] for a in n.all_input_nodes if a.name in by_name)
        value = out[0].detach().float().cpu().numpy()
        index = len(nodes)
        nodes.append(
            TraceNode(
                index,
                n.name,
                label,
                kind,
                text,
                parents,
                value,
                params,
                scopes,
                block,
                block_type,
                module,
            )
        )
        by_name[n.name] = index
        for p in parents:
            nodes[p].children.append(index)
    add_probabilities(nodes)
    return nodes


def add_probabilities(nodes: list[TraceNode]) -> None:
    """A last node with the class probabilities: softmax of the logits (a final log_softmax
    or softmax is undone to find them)."""
    last = nodes[-1]
    logits = (
        nodes[last.parents[0]] if last.kind in (LOG_SOFTMAX, SOFTMAX) and last.parents else last
    )
    z = torch.from_numpy(logits.value.reshape(-1).astype(np.float32))
    probs = torch.softmax(z, 0).numpy()
    index = len(nodes)
    nodes.append(
        TraceNode(
            index,
            "probabilities",
            "probabilities",
            PROBABILITIES,
            "softmax of the logits",
            (logits.index,),
            probs,
        )
    )
    logits.children.append(index)
