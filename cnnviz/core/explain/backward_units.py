"""A gradient unit's arithmetic by the chain rule, from numpy only: the forward trace's values
and weights, and the gradients of one backward run.

∂L/∂x_i = Σ_j ∂L/∂y_j · ∂y_j/∂x_i over every unit y_j that reads x_i. Each reader's kind of
operation gives ∂y_j/∂x_i (a rule); autograd's sum over each reader (kept by the backward run)
checks it. An operation without a written rule (``OTHER``: anything this module does not know)
is shown as one term per reader, autograd's sum over its units (``exact_rule`` False).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
    LINEAR,
    LOG_SOFTMAX,
    MAX_POOL,
    RESHAPE,
    SOFTMAX,
    TraceNode,
)
from .units import ExplainStep, _avg_divisor, _pad, num, unit_words

if TYPE_CHECKING:
    from .gradients import BackwardTrace

LOSS = "loss"
OTHER_READERS = "(readers outside the trace)"
_CHECK = 1e-4  # a rule's sum must equal autograd's to this, relative to its terms' size


@dataclass
class GradientTerm:
    """One term ∂L/∂y_j · ∂y_j/∂x_i: the unit y_j it comes through (``layer``: the reading
    node's label, or ``"loss"``; ``row``/``col`` None for a vector's entry), its two factors
    and their product. ``exact_rule`` False: autograd's sum over that reader, not one unit.
    ``channel``, ``row`` and ``col`` are 0-based indices (a term is named ``conv2[3, 2, 5]``)."""

    layer: str
    channel: int | None
    row: int | None
    col: int | None
    upstream: float  # ∂L/∂y_j
    local: float  # ∂y_j/∂x_i
    contribution: float
    exact_rule: bool = True

    def unit(self) -> tuple:
        return (self.channel,) if self.row is None else (self.channel, self.row, self.col)


@dataclass
class GradientExplanation:
    """∂L/∂ one unit (of a node's output, or of a parameter), its terms largest first (they
    sum to ``value``), the rule of each reader in words and numbers, and for each reader the
    units of its output the gradient depends on (``depends_on``, to outline them).
    ``channel``, ``row`` and ``col`` are torch's 0-based indices; the texts count channels,
    rows and columns from 1 in words and keep 0-based Python indexing (``∂L/∂x[2, 4, 5]``)."""

    layer: str
    kind: str
    channel: int | tuple
    row: int | None
    col: int | None
    value: float
    terms: list[GradientTerm] = field(default_factory=list)
    rule: str = ""
    rules: dict[str, str] = field(default_factory=dict)
    depends_on: dict[str, list[tuple]] = field(default_factory=dict)
    fallback: list[str] = field(default_factory=list)  # readers without a written rule
    steps: list[ExplainStep] = field(default_factory=list)  # for the step bar, running total

    def top(self, n: int = 8) -> tuple[list[GradientTerm], float]:
        """The ``n`` largest terms and the sum of the rest."""
        rest = math.fsum(t.contribution for t in self.terms[n:])
        return self.terms[:n], float(rest)

    @property
    def total(self) -> float:
        """The sum of the terms (equals ``value``)."""
        return float(math.fsum(t.contribution for t in self.terms))

    def where(self) -> str:
        """The unit's title: a map's unit in words counted from 1 (``channel``, ``row`` and
        ``col`` stay 0-based indices), a vector's entry as torch indexes it (``∂L/∂fc1[3]``)."""
        if self.row is None or not isinstance(self.channel, int):  # a vector or a parameter
            return f"∂L/∂{self.layer}[{self.channel}]"
        return f"∂L/∂{self.layer} · {unit_words(self.channel, self.row, self.col)}"


def _unit(node: TraceNode, channel, row, col) -> tuple:
    return (int(channel), int(row), int(col)) if node.is_map else (int(channel),)


def _term(child: TraceNode, grad: np.ndarray, at: tuple, local: float) -> GradientTerm:
    up = float(grad[at])
    row, col = (at[1], at[2]) if len(at) == 3 else (None, None)
    return GradientTerm(child.label, int(at[0]), row, col, up, float(local), up * float(local))


def _source_positions(size: int, before: int, after: int, mode: str) -> list[list[int]]:
    """For each input index, the positions of the padded axis that hold it."""
    out: list[list[int]] = [[] for _ in range(size)]
    for p in range(size + before + after):
        s = p - before
        if not 0 <= s < size:
            if mode == "reflect":
                s = -s if s < 0 else 2 * (size - 1) - s
            elif mode == "replicate":
                s = min(max(s, 0), size - 1)
            elif mode == "circular":
                s %= size
            else:
                continue
        out[s].append(p)
    return out


def _hits(positions: list[int], k: int, s: int, d: int, n_out: int) -> list[tuple[int, int]]:
    """(output index, kernel index) of every window that reads one of ``positions``."""
    hits = []
    for p in positions:
        for kk in range(k):
            q = p - kk * d
            if q >= 0 and q % s == 0 and q // s < n_out:
                hits.append((q // s, kk))
    return hits


def _conv_rule(bt: BackwardTrace, parent: TraceNode, child: TraceNode, u: tuple):
    p, w = child.params, child.params["weight"]
    c, a, b = u
    groups, c_in = p["groups"], parent.shape[0]
    per_in, per_out = c_in // groups, w.shape[0] // groups
    g = c // per_in
    _, oh, ow = child.shape
    h, wd = parent.shape[1:]
    (kh, kw), (sh, sw), (dh, dw) = p["kernel"], p["stride"], p["dilation"]
    mode = p["padding_mode"]
    (pt, pb), (pl, pr) = p["padding"]
    rows = _hits(_source_positions(h, pt, pb, mode)[a], kh, sh, dh, oh)
    cols = _hits(_source_positions(wd, pl, pr, mode)[b], kw, sw, dw, ow)
    local: dict[tuple, float] = {}
    for o in range(g * per_out, (g + 1) * per_out):
        for r, i in rows:
            for q, j in cols:
                key = (o, r, q)
                local[key] = local.get(key, 0.0) + float(w[o, c - g * per_in, i, j])
    grad = bt.raw.grads[child.index]
    terms = [_term(child, grad, at, v) for at, v in local.items()]
    text = (
        f"{child.label} (convolution {kh}×{kw}, stride {sh}): ∂L/∂x[{c}, {a}, {b}] = "
        f"Σ_o Σ_(kh,kw) ∂L/∂Y[o, ·, ·] · W[o, {c - g * per_in}, kh, kw] over the "
        f"{len(terms)} outputs whose window reads it: the full convolution of ∂L/∂Y with the "
        f"flipped kernel, = {num(_sum(terms))}"
    )
    grids = []
    for o in range(g * per_out, (g + 1) * per_out):
        window = np.zeros((kh, kw), np.float64)
        kinds = np.ones((kh, kw), np.int8)  # 1: no output reads x through this kernel cell
        for r, i in rows:
            for q, j in cols:
                window[i, j] += float(grad[o, r, q])
                kinds[i, j] = 0
        grids.append((o, window, kinds, w[o, c - g * per_in].astype(np.float64)))
    return terms, text, grids


def _sum(terms: list[GradientTerm]) -> float:
    return float(math.fsum(t.contribution for t in terms))


def _window_starts(n_out: int, k: int, s: int, pad: int, d: int, index: int) -> list[tuple]:
    """(output index, kernel index) of the pooling windows that read input ``index``."""
    return [(r, kk) for r in range(n_out) for kk in range(k) if r * s - pad + kk * d == index]


def _max_winner(plane: np.ndarray, rows: list[int], cols: list[int]) -> tuple[int, int]:
    """The position torch's max pooling routes the gradient to: the first largest value of
    the window, row by row (a later equal value does not replace it)."""
    best, at = -np.inf, (rows[0], cols[0])
    for r in rows:
        for c in cols:
            if 0 <= r < plane.shape[0] and 0 <= c < plane.shape[1]:
                v = plane[r, c]
                if v > best or np.isnan(v):
                    best, at = v, (r, c)
    return at


def _pool_rule(bt: BackwardTrace, parent: TraceNode, child: TraceNode, u: tuple):
    p = child.params
    c, a, b = u
    _, oh, ow = child.shape
    (kh, kw), (sh, sw), (dh, dw) = p["kernel"], p["stride"], p["dilation"]
    (pt, _), (pl, _) = p["padding"]
    grad = bt.raw.grads[child.index]
    terms, won = [], 0
    for r, _i in _window_starts(oh, kh, sh, pt, dh, a):
        for q, _j in _window_starts(ow, kw, sw, pl, dw, b):
            if child.kind == MAX_POOL:
                rows = [r * sh - pt + i * dh for i in range(kh)]
                cols = [q * sw - pl + j * dw for j in range(kw)]
                local = 1.0 if _max_winner(parent.value[c], rows, cols) == (a, b) else 0.0
                won += int(local)
            else:
                local = 1.0 / _avg_divisor(p, parent.shape[1:], r, q)
            terms.append(_term(child, grad, (c, r, q), local))
    if child.kind == MAX_POOL:
        text = (
            f"{child.label} (max pooling {kh}×{kw}): the winner of a window takes its ∂L/∂y, "
            f"the others get 0; x[{c}, {a}, {b}] = {num(parent.value[u])} is the winner of "
            f"{won} of the {len(terms)} windows that read it, = {num(_sum(terms))}"
        )
    else:
        text = (
            f"{child.label} (average pooling {kh}×{kw}): each window shares its ∂L/∂y equally "
            f"among the cells it averages; {len(terms)} windows read x, = {num(_sum(terms))}"
        )
    return terms, text


def _adaptive_rule(bt: BackwardTrace, parent: TraceNode, child: TraceNode, u: tuple):
    c, a, b = u
    h, w = parent.shape[1:]
    oh, ow = child.shape[1:]
    grad = bt.raw.grads[child.index]
    terms = []
    for r in range(oh):
        r0, r1 = (r * h) // oh, -(-((r + 1) * h) // oh)
        if not r0 <= a < r1:
            continue
        for q in range(ow):
            c0, c1 = (q * w) // ow, -(-((q + 1) * w) // ow)
            if not c0 <= b < c1:
                continue
            if child.kind == ADAPTIVE_MAX:
                winner = _max_winner(parent.value[c], list(range(r0, r1)), list(range(c0, c1)))
                local = 1.0 if winner == (a, b) else 0.0
            else:
                local = 1.0 / ((r1 - r0) * (c1 - c0))
            terms.append(_term(child, grad, (c, r, q), local))
    how = "the winner takes ∂L/∂y" if child.kind == ADAPTIVE_MAX else "each cell gets ∂L/∂y ÷ n"
    return terms, f"{child.label} (adaptive pooling): {how}, = {num(_sum(terms))}"


def _elementwise_rule(bt: BackwardTrace, parent: TraceNode, child: TraceNode, u: tuple):
    grad = bt.raw.grads[child.index]
    x = float(parent.value[u])
    if child.kind == BATCH_NORM:
        p, ch = child.params, u[0]
        gamma = float(p["weight"][ch]) if p["weight"] is not None else 1.0
        local = gamma / math.sqrt(float(p["var"][ch]) + p["eps"])
        text = (
            f"{child.label} (batch norm, eval): ∂y/∂x = γ / √(var + ε) = {num(gamma)} / "
            f"√({num(p['var'][ch])} + {p['eps']:g}) = {num(local)}"
        )
    elif child.kind == ACTIVATION:
        d = bt.raw.derivatives.get(child.index)
        if d is None:
            return None
        local = float(d[u])
        name = child.params.get("function", "activation")
        if name == "relu":
            state = "passes" if local else "blocks"
            text = f"{child.label} (ReLU): x = {num(x)} {'>' if local else '≤'} 0, so it {state}"
            text += f": ∂y/∂x = {num(local)}"
        else:
            text = f"{child.label} ({name}): ∂y/∂x = {name}′({num(x)}) = {num(local)}"
    else:
        local = 1.0
        text = f"{child.label} ({child.op_text.split('(')[0]}) passes its gradient unchanged"
    term = _term(child, grad, u, local)
    return [term], f"{text}; {num(term.upstream)} × {num(local)} = {num(term.contribution)}"


def _moved_rule(bt: BackwardTrace, parent: TraceNode, child: TraceNode, u: tuple):
    """Reshape, concatenation and addition: the unit is one unit of the reader, factor 1."""
    grad = bt.raw.grads[child.index]
    if child.kind == RESHAPE:
        flat = int(np.ravel_multi_index(u, parent.shape))
        at = tuple(int(i) for i in np.unravel_index(flat, child.shape))
        how = f"the same number at {child.label}{list(at)}"
    elif child.kind == CAT:
        if child.parents.count(parent.index) != 1:
            return None
        offset = sum(
            bt.trace.nodes[i].shape[0] for i in child.parents[: child.parents.index(parent.index)]
        )
        at = (u[0] + offset,) + u[1:]
        how = f"channel {u[0] + 1} is channel {u[0] + offset + 1} of the concatenation"
    else:
        if parent.shape != child.shape:
            return None
        at = u
        how = "an addition passes its gradient to each of its terms"
    term = _term(child, grad, at, 1.0)
    return [term], f"{child.label}: {how}; ∂L/∂x = {num(term.contribution)}"


def _vector_rule(bt: BackwardTrace, parent: TraceNode, child: TraceNode, u: tuple):
    """Linear, log_softmax and softmax: every output entry reads every input entry."""
    if parent.value.ndim != 1 or child.value.ndim != 1:
        return None
    grad = bt.raw.grads[child.index]
    k = u[0]
    y = child.value.astype(np.float64)
    if child.kind == LINEAR:
        locals_ = child.params["weight"][:, k].astype(np.float64)
        text = f"{child.label} (linear): ∂L/∂x_{k} = Σ_o ∂L/∂y_o · W[o, {k}]"
    elif child.kind == LOG_SOFTMAX:
        p = np.exp(y)
        locals_ = (np.arange(y.size) == k) - p[k]
        text = f"{child.label} (log_softmax): ∂y_j/∂z_{k} = [j = {k}] − p_{k}, p_{k} = {num(p[k])}"
        if bt.raw.output == child.index and bt.loss_kind == "nll":
            onehot = float(k == bt.target)
            text += (
                f"; with L = −y_{bt.target} this is p − one-hot: {num(p[k])} − {onehot:g} = "
                f"{num(p[k] - onehot)}"
            )
    else:
        locals_ = y * ((np.arange(y.size) == k) - y[k])
        text = f"{child.label} (softmax): ∂y_j/∂z_{k} = y_j ([j = {k}] − y_{k})"
    terms = [_term(child, grad, (j,), float(v)) for j, v in enumerate(locals_)]
    return terms, f"{text}, = {num(_sum(terms))}"


_RULES = {
    CONV: _conv_rule,
    MAX_POOL: _pool_rule,
    AVG_POOL: _pool_rule,
    ADAPTIVE_AVG: _adaptive_rule,
    ADAPTIVE_MAX: _adaptive_rule,
    BATCH_NORM: _elementwise_rule,
    ACTIVATION: _elementwise_rule,
    IDENTITY: _elementwise_rule,
    RESHAPE: _moved_rule,
    CAT: _moved_rule,
    ADD: _moved_rule,
    LINEAR: _vector_rule,
    LOG_SOFTMAX: _vector_rule,
    SOFTMAX: _vector_rule,
}


def _loss_term(bt: BackwardTrace, node: TraceNode, u: tuple) -> tuple[GradientTerm, str]:
    from .backward import output_gradient

    d = output_gradient(node.value, bt.target, bt.loss_kind)[u[0]]
    t, sub = bt.target, u[0]
    if bt.loss_kind == "nll":
        text = f"L = −y_{t} (NLL of log-probabilities): ∂L/∂y_{sub} = {num(d)}"
    else:
        p = float(d) + float(sub == t)  # the softmax of the output (∂L/∂z = p − one-hot)
        text = (
            f"L = cross-entropy of the logits: ∂L/∂z_{sub} = p_{sub} − [{sub} = {t}] = "
            f"{num(p)} − {int(sub == t)} = {num(d)}"
        )
    return GradientTerm(LOSS, None, None, None, 1.0, float(d), float(d)), text


def _autograd_sum(child: TraceNode, edge: float | None) -> tuple[list[GradientTerm], str]:
    """A reader without a written rule: one term, autograd's sum over its units."""
    contribution = 0.0 if edge is None else edge
    term = GradientTerm(
        child.label, None, None, None, math.nan, math.nan, contribution, exact_rule=False
    )
    text = (
        f"{child.label} ({child.op_text}): no written rule; autograd's sum over its units = "
        f"{num(contribution)}"
    )
    return [term], text


def _checked(rule_out, edge: float | None):
    """The rule's terms if they sum to autograd's (else None: the fallback is shown)."""
    if rule_out is None:
        return None
    terms = rule_out[0]
    if edge is None:
        return rule_out
    scale = math.fsum(abs(t.contribution) for t in terms) + abs(edge)
    return rule_out if abs(_sum(terms) - edge) <= _CHECK * scale + 1e-12 else None


def explain_gradient_unit(bt: BackwardTrace, index: int, channel, row, col):
    """The :class:`GradientExplanation` of ∂L/∂ unit (channel, row, col) of node ``index``."""
    nodes = bt.trace.nodes
    node = nodes[index]
    u = _unit(node, channel, row, col)
    value = float(bt.layers[node.label][u])
    result = GradientExplanation(node.label, node.kind, int(channel), row, col, value)
    if index == len(nodes) - 1:  # the probabilities: L = −log p_target
        p = float(bt.probabilities[bt.target])
        local = -1.0 / p if u[0] == bt.target and p > 0 else 0.0
        result.terms = [GradientTerm(LOSS, None, None, None, 1.0, local, local)]
        result.rule = f"L = −log p_{bt.target}: ∂L/∂p_{u[0]} = {num(local)}"
        _text_step(result, "The loss", result.rule, local)
        return result
    texts = []
    for j in dict.fromkeys(node.children):
        if j == len(nodes) - 1:
            continue  # the page's probabilities are not on the way to the loss
        child = nodes[j]
        edge_map = bt.raw.edges.get((index, j))
        edge = None if edge_map is None else float(edge_map[u])
        rule = _RULES.get(child.kind)
        checked = _checked(rule(bt, node, child, u) if rule else None, edge)
        if checked is None:
            result.fallback.append(child.label)
            terms, text = _autograd_sum(child, edge)
        else:
            terms, text = checked[0], checked[1]
            result.depends_on[child.label] = [t.unit() for t in terms]
        result.terms += terms
        result.rules[child.label] = text
        texts.append(text)
        if checked is not None and len(checked) > 2:
            _grid_steps(result, child, checked[2])
        else:
            _text_step(result, child.label, text, _sum(terms))
    if index == bt.raw.output:
        term, text = _loss_term(bt, node, u)
        result.terms.append(term)
        result.rules[LOSS] = text
        texts.append(text)
        _text_step(result, "The loss", text, term.contribution)
    _close(result, texts)
    return result


def _running(result: GradientExplanation) -> float:
    if not result.steps or result.steps[-1].total is None:
        return 0.0
    return float(result.steps[-1].total)


def _text_step(result: GradientExplanation, title: str, text: str, part: float) -> None:
    total = _running(result) + part
    result.steps.append(ExplainStep(title, f"{text}; sum so far {num(total)}", total=total))


def _grid_steps(result: GradientExplanation, child: TraceNode, grids) -> None:
    """A convolution reader, one step per output channel: the ∂L/∂Y values of the outputs
    that read x (placed at the kernel cell they read it through) × the kernel."""
    for o, window, kinds, kernel in grids:
        products = window * kernel
        part = float(products.sum())
        total = _running(result) + part
        result.steps.append(
            ExplainStep(
                f"{child.label}, output channel {o + 1}: ∂L/∂Y[{o}] × kernel",
                f"Σ (∂L/∂Y[{o}] where it reads x × W[{o}]) = {num(part)}; sum so far {num(total)}",
                window,
                kinds,
                kernel,
                products,
                total=total,
            )
        )


def _close(result: GradientExplanation, texts: list[str]) -> None:
    """Terms largest first; a rest not accounted for by the trace's readers as one term."""
    rest = result.value - result.total
    scale = math.fsum(abs(t.contribution) for t in result.terms) + abs(result.value)
    if abs(rest) > _CHECK * scale + 1e-12:
        result.terms.append(
            GradientTerm(OTHER_READERS, None, None, None, math.nan, math.nan, rest, False)
        )
        result.fallback.append(OTHER_READERS)
        texts.append(f"operations outside the trace send back {num(rest)}")
        _text_step(result, OTHER_READERS, texts[-1], rest)
    result.terms.sort(key=lambda t: -abs(t.contribution))
    if len(texts) > 1:
        texts.append(
            f"sum over the {len(texts)} readers: {num(result.total)} (autograd: "
            f"{num(result.value)})"
        )
    result.rule = "\n".join(texts)


def _param_nodes(bt: BackwardTrace, name: str) -> tuple[str, list[TraceNode]]:
    module, _, attr = name.rpartition(".")
    return attr, [n for n in bt.trace.nodes if n.module == module]


def _param_terms(bt: BackwardTrace, node: TraceNode, attr: str, index: tuple):
    """The terms of one parameter cell through one call of its module (None: no rule)."""
    x = bt.trace.nodes[node.parents[0]].value if node.parents else None
    grad = bt.raw.grads.get(node.index)
    if grad is None or x is None:
        return None
    o = index[0]
    if node.kind == CONV:
        return _conv_param_terms(node, x, grad, attr, index)
    if node.kind == LINEAR and x.ndim == 1 and grad.ndim == 1:
        local = 1.0 if attr == "bias" else float(x[index[1]])
        return [_term(node, grad, (o,), local)]
    if node.kind == BATCH_NORM and x.ndim == 3:
        p = node.params
        xhat = (x[o] - p["mean"][o]) / math.sqrt(float(p["var"][o]) + p["eps"])
        locals_ = np.ones_like(xhat) if attr == "bias" else xhat
        return [_term(node, grad, (o, r, c), locals_[r, c]) for r, c in np.ndindex(xhat.shape)]
    return None


def _conv_param_terms(node: TraceNode, x, grad, attr: str, index: tuple):
    p = node.params
    _, oh, ow = node.shape
    if attr == "bias":
        return [_term(node, grad, (index[0], r, c), 1.0) for r in range(oh) for c in range(ow)]
    o, i, kh, kw = index
    per_in = x.shape[0] // p["groups"]
    per_out = p["weight"].shape[0] // p["groups"]
    plane, _ = _pad(x[(o // per_out) * per_in + i], p["padding"], p["padding_mode"])
    (sh, sw), (dh, dw) = p["stride"], p["dilation"]
    return [
        _term(node, grad, (o, r, c), plane[r * sh + kh * dh, c * sw + kw * dw])
        for r in range(oh)
        for c in range(ow)
    ]


def explain_parameter_cell(bt: BackwardTrace, name: str, index: tuple) -> GradientExplanation:
    """∂L/∂ one cell of a parameter: Σ over its module's output units (and calls) of
    ∂L/∂y · ∂y/∂w."""
    value = float(bt.parameters[name][index])
    attr, calls = _param_nodes(bt, name)
    result = GradientExplanation(name, "parameter", index, None, None, value)
    texts = []
    for node in calls:
        terms = _param_terms(bt, node, attr, index)
        if terms is None:
            result.fallback.append(node.label)
            continue
        result.terms += terms
        result.depends_on[node.label] = [t.unit() for t in terms]
        texts.append(_param_text(node, attr, index, terms))
        _param_step(result, node, attr, terms, texts[-1])
    if not calls or result.fallback:
        rest = value - result.total
        result.terms.append(GradientTerm(name, None, None, None, math.nan, math.nan, rest, False))
        texts.append(f"autograd's ∂L/∂{name}{list(index)} through operations without a rule")
    _close(result, texts)
    return result


def _param_text(node: TraceNode, attr: str, index: tuple, terms) -> str:
    total = num(_sum(terms))
    if node.kind == CONV and attr == "weight":
        o, i, kh, kw = index
        return (
            f"{node.label}: ∂L/∂W[{o}, {i}, {kh}, {kw}] = Σ_(r,c) ∂L/∂Y[{o}, r, c] · "
            f"X[{i}, r·s + {kh}, c·s + {kw}]: the correlation of the input with ∂L/∂Y over "
            f"{len(terms)} positions, = {total}"
        )
    if attr == "bias":
        return f"{node.label}: ∂L/∂b[{index[0]}] = Σ ∂L/∂y over {len(terms)} outputs = {total}"
    if node.kind == LINEAR:
        o, j = index
        t = terms[0]
        return (
            f"{node.label}: ∂L/∂W[{o}, {j}] = ∂L/∂y_{o} · x_{j} = {num(t.upstream)} × "
            f"{num(t.local)} = {total}"
        )
    return f"{node.label}: ∂L/∂γ[{index[0]}] = Σ ∂L/∂y · x̂ over {len(terms)} outputs = {total}"


def _param_step(result: GradientExplanation, node: TraceNode, attr: str, terms, text) -> None:
    """A convolution's weight cell as one step over the output's grid: the input each output
    reads through the cell × ∂L/∂Y (their correlation); any other cell as words."""
    if node.kind != CONV or attr != "weight":
        _text_step(result, node.label, text, _sum(terms))
        return
    _, oh, ow = node.shape
    window = np.array([t.local for t in terms], np.float64).reshape(oh, ow)
    kernel = np.array([t.upstream for t in terms], np.float64).reshape(oh, ow)
    products = window * kernel
    total = _running(result) + float(products.sum())
    result.steps.append(
        ExplainStep(
            f"{node.label}: the input under the kernel cell × ∂L/∂Y",
            f"{text}; sum so far {num(total)}",
            window,
            None,
            kernel,
            products,
            total=total,
        )
    )
