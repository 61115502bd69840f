"""The layer table of any ``nn.Module``, found by running it (hooks + torch's FLOP counter).

When a layer does not fit its input, the table says which layer, what it expected, what it
got and where that size came from — in words, with a suggested fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


@dataclass
class LayerRow:
    """One call of one module (a module used twice, like the lecture's ``mp``, has two rows)."""

    name: str
    type: str
    depth: int
    is_leaf: bool
    output_shape: tuple[int, ...] | None = None  # without the batch dimension
    params: int = 0  # counted at the module's first call only, so totals add up
    macs: int = 0  # multiply-adds for one image
    call: int = 1
    failed: bool = False
    input_shape: tuple[int, ...] | None = None
    # theoretical receptive field (size, jump) in input pixels: None once the whole input is
    # seen; "" where not known (see add_receptive_fields)
    field: object = ""

    @property
    def label(self) -> str:
        return self.name if self.call == 1 else f"{self.name} (call {self.call})"


@dataclass
class Mismatch:
    """Why a forward pass failed, in the lecture's words."""

    layer: str
    layer_type: str
    message: str
    suggestion: str = ""
    expected: object = None
    got: object = None
    origin: str = ""
    torch_error: str = ""


@dataclass
class LayerTable:
    """Rows in call order, with totals, and a :class:`Mismatch` if the forward failed."""

    input_shape: tuple[int, ...]
    rows: list[LayerRow] = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    total_macs: int = 0
    output_shape: tuple[int, ...] | None = None
    mismatch: Mismatch | None = None

    def row(self, name: str) -> LayerRow:
        return next(r for r in self.rows if r.name == name)


def add_receptive_fields(table: LayerTable, model: nn.Module) -> None:
    """Fill each row's theoretical receptive field size and jump (by tracing the model);
    rows stay unknown for a model whose forward torch.fx cannot follow, or that failed."""
    if table.mismatch is not None:
        return
    from cnnviz.core.explain import TraceError, layer_fields

    try:
        fields = layer_fields(model, table.input_shape)
    except (TraceError, ValueError, RuntimeError):
        return
    for row in table.rows:
        row.field = fields.get((row.name, row.call), "")


def _shape(value) -> tuple[int, ...] | None:
    if isinstance(value, torch.Tensor):
        return tuple(value.shape[1:])
    if isinstance(value, (tuple, list)) and value and isinstance(value[0], torch.Tensor):
        return tuple(value[0].shape[1:])
    return None


def _fmt(shape) -> str:
    return " × ".join(str(s) for s in shape)


def inspect_model(model: nn.Module, input_shape) -> LayerTable:
    """Run ``model`` on one zero image of ``input_shape`` (C, H, W) and tabulate every layer."""
    input_shape = tuple(int(s) for s in input_shape)
    table = LayerTable(input_shape)
    table.total_params = sum(p.numel() for p in model.parameters())
    table.trainable_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    names = {module: name for name, module in model.named_modules() if name}
    calls: dict[str, int] = {}
    open_rows: list[tuple[LayerRow, int]] = []  # entered, not yet returned
    seen_params: set[str] = set()
    counter = FlopCounterMode(display=False)

    def pre(module, args):
        name = names[module]
        calls[name] = calls.get(name, 0) + 1
        leaf = not any(True for _ in module.children())
        own = 0
        if name not in seen_params:
            seen_params.add(name)
            own = sum(p.numel() for p in module.parameters(recurse=leaf))
        row = LayerRow(
            name,
            type(module).__name__,
            name.count("."),
            leaf,
            params=own,
            call=calls[name],
            input_shape=_shape(args[0]) if args else None,
        )
        table.rows.append(row)
        open_rows.append((row, counter.get_total_flops()))

    def post(module, args, output):
        row, flops_before = open_rows.pop()
        row.output_shape = _shape(output)
        row.macs = (counter.get_total_flops() - flops_before) // 2

    handles = []
    for module in names:
        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    was_training = model.training
    model.eval()
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    try:
        with torch.no_grad(), counter:
            out = model(torch.zeros((1,) + input_shape, device=device))
        table.output_shape = _shape(out)
    except Exception as exc:  # the model's own error: explain it, never crash the caller
        failing = [row for row, _ in open_rows]
        for row in failing:
            row.failed = True
        table.mismatch = explain(exc, failing, table.rows, model)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    table.total_macs = (
        counter.get_total_flops() // 2
        if table.mismatch is None
        else sum(r.macs for r in table.rows if r.is_leaf)
    )
    return table


def _origin(rows: list[LayerRow], failing: LayerRow, features: int) -> str:
    """Where a flat feature count came from: the last map before ``failing`` of that size."""
    before = rows[: rows.index(failing)]
    for row in reversed(before):
        shape = row.output_shape
        if row.is_leaf and shape and len(shape) >= 2 and math.prod(shape) == features:
            parts = (
                f"{shape[0]} channels × {shape[1]} × {shape[2]}" if len(shape) == 3 else _fmt(shape)
            )
            return (
                f"the output of {row.label} ({row.type}) flattens to {parts} = "
                f"{features:,} features"
            )
    return ""


def explain(
    exc: Exception, failing: list[LayerRow], rows: list[LayerRow], model: nn.Module
) -> Mismatch:
    """Turn a failed forward pass into a :class:`Mismatch` naming the layer and the fix."""
    torch_error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    leaf = next((r for r in reversed(failing) if r.is_leaf), None)
    row = leaf or (failing[-1] if failing else None)
    if row is None:
        return Mismatch(
            "(model)",
            type(model).__name__,
            f"The forward pass failed outside any layer: {torch_error}",
            torch_error=torch_error,
        )
    module = model.get_submodule(row.name)
    for diagnose in (_linear_mismatch, _conv_mismatch, _batch_norm_mismatch):
        found = diagnose(module, row, rows, torch_error)
        if found is not None:
            return found
    got = row.input_shape
    shape = f" on an input of shape {_fmt(got)}" if got else ""
    return Mismatch(
        row.name,
        row.type,
        f"{row.label} ({row.type}) failed{shape}: {torch_error}",
        torch_error=torch_error,
        got=got,
    )


# One diagnosis per kind of layer: (module, its row, all rows, torch's message) -> the
# Mismatch it recognises, or None when the input fits that layer (or it is another kind).


def _linear_mismatch(module, row: LayerRow, rows: list[LayerRow], torch_error: str):
    """A Linear layer given another number of features than it expects."""
    got = row.input_shape
    if not (isinstance(module, nn.Linear) and got and got[-1] != module.in_features):
        return None
    features = got[-1]
    origin = _origin(rows, row, features)
    suggestion = f"nn.Linear({features}, {module.out_features})"
    text = (
        f"{row.name} (Linear) expects {module.in_features} input features but gets "
        f"{features:,}" + (f": {origin}" if origin else "") + f". Use {suggestion}."
    )
    return Mismatch(
        row.name, "Linear", text, suggestion, module.in_features, features, origin, torch_error
    )


def _conv_mismatch(module, row: LayerRow, rows: list[LayerRow], torch_error: str):
    """A Conv2d given another number of channels, or a map smaller than its kernel."""
    got = row.input_shape
    if not (isinstance(module, nn.Conv2d) and got and len(got) == 3):
        return None
    previous = _previous(rows, row)
    if got[0] != module.in_channels:
        suggestion = (
            f"nn.Conv2d({got[0]}, {module.out_channels}, kernel_size={_k(module.kernel_size)})"
        )
        text = (
            f"{row.name} (Conv2d) expects {module.in_channels} input channels but gets "
            f"{got[0]}{previous}. Use {suggestion}."
        )
        return Mismatch(
            row.name,
            "Conv2d",
            text,
            suggestion,
            module.in_channels,
            got[0],
            previous,
            torch_error,
        )
    span = [d * (k - 1) + 1 for d, k in zip(module.dilation, module.kernel_size)]
    pad = module.padding if isinstance(module.padding, tuple) else (0, 0)
    if any(s > g + 2 * p for s, g, p in zip(span, got[1:], pad)):
        text = (
            f"{row.name} (Conv2d) has a {span[0]}×{span[1]} kernel but its input is only "
            f"{got[1]}×{got[2]}{previous}. Use a smaller kernel, padding, or a larger "
            "input."
        )
        return Mismatch(row.name, "Conv2d", text, "", tuple(span), got[1:], previous, torch_error)
    return None


def _batch_norm_mismatch(module, row: LayerRow, rows: list[LayerRow], torch_error: str):
    """A batch norm given another number of channels than it normalises."""
    got = row.input_shape
    if not (
        isinstance(module, nn.modules.batchnorm._BatchNorm)
        and got
        and got[0] != module.num_features
    ):
        return None
    suggestion = f"nn.{type(module).__name__}({got[0]})"
    text = (
        f"{row.name} ({type(module).__name__}) expects {module.num_features} channels "
        f"but gets {got[0]}{_previous(rows, row)}. Use {suggestion}."
    )
    return Mismatch(
        row.name,
        type(module).__name__,
        text,
        suggestion,
        module.num_features,
        got[0],
        "",
        torch_error,
    )


def _k(size) -> str:
    return str(size[0]) if size[0] == size[1] else str(tuple(size))


def _previous(rows: list[LayerRow], row: LayerRow) -> str:
    before = [r for r in rows[: rows.index(row)] if r.is_leaf and r.output_shape]
    if not before:
        return ", the model's input"
    last = before[-1]
    return f", the output of {last.label} ({last.type}) of shape {_fmt(last.output_shape)}"
