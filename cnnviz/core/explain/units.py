"""One unit's arithmetic written out with the trained numbers, as steps for the page.

Everything here is numpy on the traced outputs and weights: no torch, no forward pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .graph import (
    ACTIVATION,
    ADAPTIVE_AVG,
    ADAPTIVE_MAX,
    ADD,
    AVG_POOL,
    BATCH_NORM,
    CAT,
    CONV,
    IDENTITY,
    INPUT,
    LINEAR,
    LOG_SOFTMAX,
    MAX_POOL,
    PROBABILITIES,
    RESHAPE,
    SOFTMAX,
    TraceNode,
)

TOP_TERMS = 8  # a dot product lists its largest terms, then the rest summed


def num(value: float) -> str:
    """A number as the explanations write it: 4 significant digits, no exponent if sensible."""
    v = float(value)
    if v == 0:
        return "0"
    if math.isinf(v):
        return "−∞" if v < 0 else "∞"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.3e}".replace("-", "−")
    return f"{v:.4g}".replace("-", "−")


def unit_words(channel: int, row: int | None = None, col: int | None = None) -> str:
    """A unit's place as a student reads it, counted from 1 as the grid lessons and the quiz
    count: ``unit_words(3, 2, 5)`` is ``"channel 4, row 3, column 6"`` (``row`` None: only the
    channel). ``channel``, ``row`` and ``col`` are torch's 0-based indices; a text written as
    Python indexing (``conv2[3, 2, 5]``) keeps them as they are."""
    where = f"channel {int(channel) + 1}"
    if row is None or col is None:
        return where
    return f"{where}, row {int(row) + 1}, column {int(col) + 1}"


def signed_sum(values) -> str:
    """``a + b − c`` for a list of numbers."""
    text = ""
    for i, v in enumerate(values):
        v = float(v)
        if i == 0:
            text = num(v)
        else:
            text += f" − {num(-v)}" if v < 0 else f" + {num(v)}"
    return text


@dataclass
class ExplainStep:
    """One step of a unit's arithmetic. Grids are 2-D numpy arrays (``None`` where a step
    has none); ``window_kinds`` marks padding cells (1) of the window."""

    title: str
    text: str
    window: np.ndarray | None = None
    window_kinds: np.ndarray | None = None
    kernel: np.ndarray | None = None
    products: np.ndarray | None = None
    winner: tuple[int, int] | None = None
    total: float | None = None  # the running result after this step


@dataclass
class UnitExplanation:
    """A unit's value and how it is computed from the layer before. ``channel``, ``row`` and
    ``col`` are torch's 0-based indices; the texts (``where()``, the steps' titles and words)
    count channels, rows and columns from 1, and keep 0-based Python indexing (``w[3, 17]``)."""

    layer: str
    kind: str
    op_text: str
    channel: int
    row: Any  # int, or None for a vector's entry
    col: Any
    value: float
    steps: list[ExplainStep] = field(default_factory=list)
    bias: float | None = None
    partials: np.ndarray | None = None  # one per input channel read (convolution)
    input_channels: list[int] = field(default_factory=list)
    source: str = ""  # the node it reads ("relu (call 2)")
    cannot: str = ""  # what cannot be shown, in words
    origin: tuple | None = None  # a reshape's (channel, row, col) or index in its input
    receptive_field: Any = None  # the ReceptiveField, attached by Trace.explain

    def where(self) -> str:
        """The unit's title: a map's unit in words counted from 1 (``channel``, ``row`` and
        ``col`` stay 0-based indices), a vector's entry as torch indexes it (``fc1[3]``)."""
        if self.row is None:
            return f"{self.layer}[{self.channel}]"
        return f"{self.layer} · {unit_words(self.channel, self.row, self.col)}"


def _pad(plane: np.ndarray, pad, mode: str = "zeros", fill: float = 0.0):
    """A padded 2-D plane and its kinds (0 input, 1 padding)."""
    (pt, pb), (pl, pr) = pad
    kinds = np.pad(np.zeros(plane.shape, np.int8), ((pt, pb), (pl, pr)), constant_values=1)
    if mode == "zeros" or mode == "constant":
        out = np.pad(plane, ((pt, pb), (pl, pr)), constant_values=fill)
    else:
        np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
        out = np.pad(plane, ((pt, pb), (pl, pr)), mode=np_mode)  # type: ignore[call-overload]
    return out.astype(np.float64), kinds


def _window(plane, pad, kernel, stride, dilation, row, col, mode="zeros", fill=0.0):
    padded, kinds = _pad(plane, pad, mode, fill)
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    r0, c0 = row * sh, col * sw
    rows = slice(r0, r0 + dh * (kh - 1) + 1, dh)
    cols = slice(c0, c0 + dw * (kw - 1) + 1, dw)
    window, wk = padded[rows, cols], kinds[rows, cols]
    # ceil_mode may let the last window hang over the padded input: the overhang reads nothing
    if window.shape != (kh, kw):
        full = np.full((kh, kw), fill, np.float64)
        fk = np.full((kh, kw), 2, np.int8)
        full[: window.shape[0], : window.shape[1]] = window
        fk[: window.shape[0], : window.shape[1]] = wk
        window, wk = full, fk
    return window, wk


def explain(nodes: list[TraceNode], index: int, channel: int, row=None, col=None):
    """The :class:`UnitExplanation` of one unit of node ``index``."""
    node = nodes[index]
    value = float(node.value[channel, row, col] if node.is_map else node.value.reshape(-1)[channel])
    result = UnitExplanation(
        node.label,
        node.kind,
        node.op_text,
        channel,
        row if node.is_map else None,
        col if node.is_map else None,
        value,
    )
    if node.parents:
        result.source = nodes[node.parents[0]].label
    writer = _WRITERS.get(node.kind)
    if writer is None and node.kind == "unrecorded":
        result.cannot = (
            f"This is {node.op_text}. Its value is exact; its arithmetic cannot be shown, and "
            "its receptive field is inferred from its shape."
        )
        result.steps = [ExplainStep(node.label, f"value = {num(value)}", total=value)]
        return result
    if writer is None:
        result.cannot = (
            f"{node.op_text} is not one of the layers whose arithmetic cnnviz writes out; "
            "its value and receptive field are exact."
        )
        result.steps = [ExplainStep(f"{node.label}", f"value = {num(value)}", total=value)]
        return result
    writer(nodes, node, result)
    _then_activation(nodes, node, result)
    return result


def _parent(nodes, node) -> TraceNode:
    return nodes[node.parents[0]]


def _conv(nodes, node, r: UnitExplanation) -> None:
    p, x = node.params, _parent(nodes, node).value
    weight, bias = p["weight"], p["bias"]
    groups, c_in = p["groups"], x.shape[0]
    per_group_out = weight.shape[0] // groups
    in_per_group = c_in // groups
    g = r.channel // per_group_out
    channels = list(range(g * in_per_group, (g + 1) * in_per_group))
    partials, total = [], 0.0
    for i, ch in enumerate(channels):
        window, kinds = _window(
            x[ch],
            p["padding"],
            p["kernel"],
            p["stride"],
            p["dilation"],
            r.row,
            r.col,
            p["padding_mode"],
        )
        kernel = weight[r.channel, i].astype(np.float64)
        products = window * kernel
        partial = float(products.sum())
        partials.append(partial)
        total += partial
        r.steps.append(
            ExplainStep(
                f"Input channel {ch + 1} of {c_in}: window × kernel",
                f"Σ (window × kernel of channel {ch + 1}) = {num(partial)}; "
                f"sum so far {num(total)}",
                window,
                kinds,
                kernel,
                products,
                total=total,
            )
        )
    r.partials = np.array(partials)
    r.input_channels = channels
    b = float(bias[r.channel]) if bias is not None else 0.0
    r.bias = b
    terms = signed_sum(partials[:6]) + (" + …" if len(partials) > 6 else "")
    r.steps.append(
        ExplainStep(
            "Add the bias",
            f"{terms} = {num(total)};  {signed_sum([total, b])} (bias) = {num(total + b)} "
            f"(torch: {num(r.value)})",
            total=total + b,
        )
    )


def _pool(nodes, node, r: UnitExplanation) -> None:
    p, x = node.params, _parent(nodes, node).value
    is_max = node.kind == MAX_POOL
    fill = -np.inf if is_max else 0.0
    window, kinds = _window(
        x[r.channel],
        p["padding"],
        p["kernel"],
        p["stride"],
        p["dilation"],
        r.row,
        r.col,
        fill=fill,
    )
    r.input_channels = [r.channel]
    if is_max:
        flat = int(np.argmax(np.where(kinds == 0, window, -np.inf)))
        winner = divmod(flat, window.shape[1])
        best = float(window[winner])
        r.steps.append(
            ExplainStep(
                f"Max pooling {p['kernel'][0]}×{p['kernel'][1]}, stride {p['stride'][0]}",
                f"max of the window = {num(best)} (row {winner[0] + 1}, column "
                f"{winner[1] + 1} of the window)",
                window,
                kinds,
                winner=winner,
                total=best,
            )
        )
        return
    divisor = _avg_divisor(p, x.shape[1:], r.row, r.col)
    total = float(window[kinds == 0].sum())
    r.steps.append(
        ExplainStep(
            f"Average pooling {p['kernel'][0]}×{p['kernel'][1]}, stride {p['stride'][0]}",
            f"sum of the window {num(total)} ÷ {divisor} = {num(total / divisor)}",
            window,
            kinds,
            total=total / divisor,
        )
    )


def _avg_divisor(p, size, row, col) -> int:
    """torch's divisor for one average-pooling window."""
    if p.get("divisor_override"):
        return int(p["divisor_override"])
    counts = []
    for axis, index in enumerate((row, col)):
        k, s = p["kernel"][axis], p["stride"][axis]
        pad = p["padding"][axis][0]
        start = index * s - pad
        end = min(start + k, size[axis] + pad)
        whole = end - start
        inside = min(end, size[axis]) - max(start, 0)
        counts.append(whole if p.get("count_include_pad", True) else inside)
    return int(counts[0] * counts[1])


def _adaptive(nodes, node, r: UnitExplanation) -> None:
    x = _parent(nodes, node).value
    h, w = x.shape[1:]
    oh, ow = node.shape[1:]
    r0, r1 = (r.row * h) // oh, -(-((r.row + 1) * h) // oh)
    c0, c1 = (r.col * w) // ow, -(-((r.col + 1) * w) // ow)
    window = x[r.channel, r0:r1, c0:c1].astype(np.float64)
    r.input_channels = [r.channel]
    if node.kind == ADAPTIVE_MAX:
        at = np.unravel_index(int(np.argmax(window)), window.shape)
        winner = (int(at[0]), int(at[1]))
        text = f"max of rows {r0 + 1}–{r1}, columns {c0 + 1}–{c1} = {num(window.max())}"
        r.steps.append(
            ExplainStep(
                "Adaptive max pooling", text, window, winner=winner, total=float(window.max())
            )
        )
        return
    text = (
        f"average of rows {r0 + 1}–{r1}, columns {c0 + 1}–{c1}: {num(window.sum())} ÷ "
        f"{window.size} = {num(window.mean())}"
    )
    r.steps.append(
        ExplainStep("Adaptive average pooling", text, window, total=float(window.mean()))
    )


def _at(node: TraceNode, r: UnitExplanation) -> float:
    if node.is_map and r.row is not None:
        return float(node.value[r.channel, r.row, r.col])
    return float(node.value.reshape(-1)[r.channel])


def _batch_norm(nodes, node, r: UnitExplanation) -> None:
    p, x = node.params, _at(_parent(nodes, node), r)
    c = r.channel
    mean, var = float(p["mean"][c]), float(p["var"][c])
    gamma = float(p["weight"][c]) if p["weight"] is not None else 1.0
    beta = float(p["bias"][c]) if p["bias"] is not None else 0.0
    y = (x - mean) / math.sqrt(var + p["eps"]) * gamma + beta
    r.input_channels = [c]
    r.steps.append(
        ExplainStep(
            "Batch norm (eval: the running statistics)",
            f"(x − mean) / √(var + ε) · γ + β = ({num(x)} − {num(mean)}) / √({num(var)} + "
            f"{p['eps']:g}) · {num(gamma)} + {num(beta)} = {num(y)}",
            total=y,
        )
    )


_FORMULAS = {
    "relu": "max(0, {x})",
    "relu6": "min(max(0, {x}), 6)",
    "sigmoid": "1 / (1 + e^−({x}))",
    "leaky_relu": "leaky_relu({x})",
}


def _formula(name: str, x: float) -> str:
    return _FORMULAS.get(name, name + "({x})").format(x=num(x))


def _activation(nodes, node, r: UnitExplanation) -> None:
    x = _at(_parent(nodes, node), r)
    name = node.params.get("function", "activation")
    r.input_channels = [r.channel]
    r.steps.append(
        ExplainStep(
            f"Activation {name}",
            f"{_formula(name, x)} = {num(r.value)}",
            total=r.value,
        )
    )


def _identity(nodes, node, r: UnitExplanation) -> None:
    x = _at(_parent(nodes, node), r)
    r.steps.append(
        ExplainStep(
            node.op_text.split("(")[0],
            f"in eval mode {node.op_text.split('(')[0]} passes its input unchanged: {num(x)}",
            total=x,
        )
    )


def _add(nodes, node, r: UnitExplanation) -> None:
    parts = [nodes[i] for i in node.parents]
    values = [_at(p, r) if p.shape == node.shape else float("nan") for p in parts]
    names = [p.label for p in parts]
    terms = " + ".join(f"{num(v)} ({n})" for v, n in zip(values, names))
    r.steps.append(ExplainStep("The residual addition", f"{terms} = {num(r.value)}", total=r.value))


def _cat(nodes, node, r: UnitExplanation) -> None:
    offset = 0
    for i in node.parents:
        parent = nodes[i]
        n = parent.shape[0]
        if offset <= r.channel < offset + n:
            inner = r.channel - offset
            r.source = parent.label
            r.origin = (inner, r.row, r.col)
            r.steps.append(
                ExplainStep(
                    "Concatenation of the channels",
                    f"channel {r.channel + 1} of {node.label} is channel {inner + 1} of "
                    f"{parent.label} (channels {offset + 1}–{offset + n} come from it): "
                    f"{num(r.value)}",
                    total=r.value,
                )
            )
            return
        offset += n


def _reshape(nodes, node, r: UnitExplanation) -> None:
    parent = _parent(nodes, node)
    flat = (
        int(np.ravel_multi_index((r.channel, r.row, r.col), node.shape))
        if node.is_map
        else r.channel
    )
    origin = np.unravel_index(flat, parent.shape)
    r.origin = tuple(int(i) for i in origin)
    shape = parent.describe_shape()
    here = f"{node.label}[{flat}]"
    if node.is_map:  # a reshape into maps: the unit as it is clicked
        here = (
            f"{node.label}[{r.channel}, {r.row}, {r.col}] ({unit_words(r.channel, r.row, r.col)})"
        )
    if parent.is_map:
        where = f"{parent.label}{list(r.origin)} ({unit_words(*r.origin)} of its {shape})"
    else:
        where = f"{parent.label}[{r.origin[0]}] (entry {r.origin[0] + 1} of its {shape})"
    r.steps.append(
        ExplainStep(
            "Flatten (a new shape, the same numbers)",
            f"{here} = {where}: {num(r.value)}",
            total=r.value,
        )
    )


def _linear(nodes, node, r: UnitExplanation) -> None:
    x = _parent(nodes, node).value.reshape(-1).astype(np.float64)
    w = node.params["weight"][r.channel].astype(np.float64)
    b = float(node.params["bias"][r.channel]) if node.params["bias"] is not None else 0.0
    terms = w * x
    order = np.argsort(-np.abs(terms), kind="stable")
    top = order[:TOP_TERMS]
    total = 0.0
    for rank, j in enumerate(top, 1):
        total += float(terms[j])
        r.steps.append(
            ExplainStep(
                f"Term {rank}: weight × input x[{int(j)}]",
                f"w[{r.channel}, {int(j)}] × x[{int(j)}] = {num(w[j])} × {num(x[j])} = "
                f"{num(terms[j])}; sum so far {num(total)}",
                total=total,
            )
        )
    rest = float(terms[order[TOP_TERMS:]].sum())
    total += rest
    if len(order) > TOP_TERMS:
        r.steps.append(
            ExplainStep(
                f"The other {len(order) - TOP_TERMS} terms",
                f"Σ of the other {len(order) - TOP_TERMS} products = {num(rest)}; sum so far "
                f"{num(total)}",
                total=total,
            )
        )
    r.bias = b
    r.steps.append(
        ExplainStep(
            "Add the bias",
            f"{signed_sum([total, b])} (bias) = {num(total + b)} (torch: {num(r.value)})",
            total=total + b,
        )
    )


def _softmax_like(nodes, node, r: UnitExplanation) -> None:
    z = _parent(nodes, node).value.reshape(-1).astype(np.float64)
    k = r.channel
    shifted = z.max() > 60  # e^z would overflow: every z less the largest (the same ratio)
    exps = np.exp(z - z.max()) if shifted else np.exp(z)
    shift = f" (each z less the largest, {num(z.max())}: the same ratios)" if shifted else ""
    if node.kind == LOG_SOFTMAX:
        lse = z.max() + math.log(np.exp(z - z.max()).sum())
        text = f"z − log Σ e^z = {num(z[k])} − {num(lse)} = {num(z[k] - lse)}"
        r.steps.append(ExplainStep("Log-softmax", text, total=float(z[k] - lse)))
        return
    listed = " + ".join(num(e) for e in exps[:10]) + (" + …" if len(exps) > 10 else "")
    p = exps[k] / exps.sum()
    r.steps.append(
        ExplainStep(
            "e^z for every class" + shift,
            f"{'e^(z − max)' if shifted else 'e^z'}: {listed}",
            total=float(exps[k]),
        )
    )
    r.steps.append(
        ExplainStep(
            "Divide by the sum",
            f"e^z[{k}] / Σ e^z = {num(exps[k])} / {num(exps.sum())} = {num(p)}",
            total=float(p),
        )
    )


def _input(nodes, node, r: UnitExplanation) -> None:
    r.steps.append(
        ExplainStep(
            "The input",
            f"a pixel of the image as the network takes it: {num(r.value)}",
            total=r.value,
        )
    )


def _then_activation(nodes, node: TraceNode, r: UnitExplanation) -> None:
    """A convolution whose only reader is an activation: show it as the last step."""
    if node.kind != CONV or len(node.children) != 1:
        return
    child = nodes[node.children[0]]
    if child.kind != ACTIVATION:
        return
    name = child.params.get("function", "")
    after = _at(child, r)
    r.steps.append(
        ExplainStep(
            f"Then the activation ({child.label})",
            f"{_formula(name, r.value)} = {num(after)}",
            total=after,
        )
    )


_WRITERS = {
    CONV: _conv,
    MAX_POOL: _pool,
    AVG_POOL: _pool,
    ADAPTIVE_AVG: _adaptive,
    ADAPTIVE_MAX: _adaptive,
    BATCH_NORM: _batch_norm,
    ACTIVATION: _activation,
    IDENTITY: _identity,
    ADD: _add,
    CAT: _cat,
    RESHAPE: _reshape,
    LINEAR: _linear,
    LOG_SOFTMAX: _softmax_like,
    SOFTMAX: _softmax_like,
    PROBABILITIES: _softmax_like,
    INPUT: _input,
}
