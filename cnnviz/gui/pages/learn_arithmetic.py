"""A gradient unit's chain rule, written for the Trace page's arithmetic panel, and the numbers
the Backward page takes for a convolution's gradient; without Qt.

The panel shows a :class:`~cnnviz.core.explain.UnitExplanation` (a heading, steps with words
and grids): a gradient unit's explanation from the library is written out as one.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.core.explain import ExplainStep, Region, UnitExplanation, num
from cnnviz.core.lesson_presets import BackwardPreset, backward_state

TOP_TERMS = 8  # the largest terms written out, the rest summed


def gradient_unit(backward: dict, index: int, channel: int, row=None, col=None):
    """The clicked gradient unit's chain rule as an explanation the arithmetic panel shows,
    and the regions of the units it depends on (by node index), to outline."""
    e = backward["explainer"].explain(index, channel, row, col)
    trace = backward["trace"]
    node = trace.nodes[index]
    # the rule and the largest terms, then the library's walk through the sum (a
    # convolution reader: one output channel a step, its ∂L/∂Y and kernel as grids)
    steps = [_rule_step(e), _terms_step(e), *e.steps]
    conv = conv_reader(backward, index)
    explanation = UnitExplanation(
        layer=f"∂L/∂{node.label}",
        kind=e.kind,
        op_text=f"the gradient of the loss with respect to this unit of {node.label} "
        f"({node.op_text})",
        channel=channel,
        row=row,
        col=col,
        value=e.value,
        steps=steps,
        source=f"∂L/∂Y of {conv.label}" if conv is not None else "",
    )
    return explanation, _regions(trace, e)


def parameter_unit(backward: dict, name: str, index: tuple):
    """A weight's (or bias's) gradient as an explanation for the arithmetic panel — a
    convolution's weight: the correlation of its input with ∂L/∂Y — and the output units it
    sums over, to outline."""
    e = backward["explainer"].explain_parameter(name, index)
    where = ", ".join(str(i) for i in index)
    explanation = UnitExplanation(
        layer=f"∂L/∂{name}",
        kind="parameter",
        op_text=f"the gradient of the loss with respect to {name}[{where}]",
        channel=where,
        row=None,
        col=None,
        value=e.value,
        steps=[
            _rule_step(e, "∂L/∂w = Σ_j ∂L/∂y_j · ∂y_j/∂w, over every output y_j it makes"),
            _terms_step(e),
            *e.steps,
        ],
    )
    return explanation, _regions(backward["trace"], e)


def _term_name(t) -> str:
    if t.channel is None:
        return t.layer
    where = f"{t.channel}" if t.row is None else f"{t.channel}, {t.row}, {t.col}"
    return f"{t.layer}[{where}]"


def _rule_step(e, rule: str = "∂L/∂x = Σ_j ∂L/∂y_j · ∂y_j/∂x, over every unit y_j that reads x"):
    readers = len(e.rules)
    lines = [
        f"{rule} ({len(e.terms)} term{'s' if len(e.terms) != 1 else ''}"
        + (f" through {readers} operations" if readers > 1 else "")
        + "):"
    ]
    lines += [f"• {text}" for text in (e.rules.values() if e.rules else [e.rule])]
    if e.fallback:
        lines.append("Without a written rule (autograd's sum): " + ", ".join(e.fallback))
    return ExplainStep("The chain rule", "\n".join(lines), total=e.value)


def _terms_step(e) -> ExplainStep:
    shown, rest_sum = e.top(TOP_TERMS)
    lines = []
    for t in shown:
        if math.isnan(t.upstream):
            lines.append(f"{_term_name(t)}: {num(t.contribution)}")
        else:
            lines.append(
                f"{_term_name(t)}: {num(t.upstream)} × {num(t.local)} = {num(t.contribution)}"
            )
    rest = len(e.terms) - len(shown)
    if rest:
        lines.append(f"the other {rest} terms: {num(rest_sum)}")
    lines.append(f"Σ = {num(e.value)}")
    title = "The terms ∂L/∂y_j × ∂y_j/∂x, largest first"
    return ExplainStep(title, "\n".join(lines), total=e.value)


def conv_terms(e, conv) -> tuple[dict[int, list], list[int]]:
    """A convolution reader's terms by its output channel, and those channels, the one whose
    terms sum to the most (in magnitude) first."""
    by_channel: dict[int, list] = {}
    for t in e.terms:
        if t.layer == conv.label and t.row is not None:
            by_channel.setdefault(t.channel, []).append(t)
    order = sorted(by_channel, key=lambda o: -abs(math.fsum(t.contribution for t in by_channel[o])))
    return by_channel, order


def _regions(trace, e) -> dict:
    """The units each reader's terms come through, as regions to outline."""
    regions = {}
    for label, units in e.depends_on.items():
        if not units:
            continue
        index = trace.index(label)
        node = trace.nodes[index]
        size = node.shape[0] if node.is_map else node.value.size
        mask = np.zeros(size, bool)
        mask[[u[0] for u in units]] = True
        box = None
        if node.is_map:
            rows, cols = [u[1] for u in units], [u[2] for u in units]
            box = (min(rows), min(cols), max(rows) + 1, max(cols) + 1)
        regions[index] = Region(mask, box)
    return regions


def conv_reader(backward: dict, index: int):
    """The convolution that reads node ``index``'s output (None if none does)."""
    trace = backward["trace"]
    return next((n for n in trace.nodes if index in n.parents and n.kind == "conv"), None)


def backward_lesson(backward: dict, selected: tuple, lr: float) -> dict:
    """A Backward page lesson with the trained net's numbers for the clicked unit and the
    convolution that reads it (the library's ``conv_numbers``): the unit's input channel,
    the kernel from it to the output channel whose terms reach the unit most (the chain
    rule's largest), and that channel's ∂L/∂Y. The Backward page's ∂L/∂W is then the net's
    ∂L/∂W for that pair of channels. ``ValueError`` for a convolution the Backward page does
    not draw (dilated, or padded unevenly)."""
    trace, explainer = backward["trace"], backward["explainer"]
    label, channel, row, col = selected
    index = trace.index(label)
    conv = conv_reader(backward, index)
    if conv is None:
        raise ValueError(f"no convolution reads {label}")
    if tuple(conv.params["dilation"]) != (1, 1):
        raise ValueError(f"{conv.label} is dilated: the Backward page draws no dilation")
    _, order = conv_terms(explainer.explain(index, channel, row, col), conv)
    per_in = conv.params["weight"].shape[1]
    numbers = explainer.conv_numbers(conv.label, order[0] if order else 0, channel % per_in)
    preset = BackwardPreset(
        "",
        "",
        "conv",
        np.asarray(numbers["x"], float).tolist(),
        np.asarray(numbers["weight"], float).tolist(),
        tuple(conv.params["kernel"]),
        tuple(numbers["stride"]),
        tuple(numbers["padding"]),
        np.asarray(numbers["grad_out"], float).tolist(),
        lr=float(lr),
    )
    return backward_state(preset)
