"""The One step page's walk through the backward pass, right to left, without Qt: which nodes
it visits and what each step says (the rule that brings the gradient back to that node)."""

from __future__ import annotations

import numpy as np

from cnnviz.core.explain import num, unit_words

# how the gradient of a node's output is brought back from the node that reads it
RULES = {
    "log_softmax": "through log_softmax: ∂L/∂z = p − one-hot (the probabilities, minus 1 at "
    "the label)",
    "softmax": "through softmax: ∂L/∂z_i = p_i (∂L/∂p_i − Σ_j p_j ∂L/∂p_j)",
    "linear": "through the linear layer: ∂L/∂x = Wᵀ · ∂L/∂y (each input sums over the outputs "
    "it feeds, weighted)",
    "activation": "through the activation: ∂L/∂x = ∂L/∂y · f′(x) (ReLU passes the gradient "
    "where its input was positive and blocks it elsewhere)",
    "max_pool": "through max pooling: the winner of each window takes the whole gradient, "
    "the others get 0",
    "avg_pool": "through average pooling: each unit of a window gets an equal share",
    "adaptive_avg": "through average pooling: each unit of a window gets an equal share",
    "adaptive_max": "through max pooling: the winner takes the whole gradient, the others 0",
    "conv": "through the convolution: ∂L/∂X is the full convolution of ∂L/∂Y with the "
    "flipped kernel",
    "reshape": "through the reshape: the same numbers, back in the map's shape",
    "batch_norm": "through batch normalisation (eval): ∂L/∂x = ∂L/∂y · γ / √(var + ε)",
    "add": "through the sum: each branch gets the whole gradient",
    "cat": "through the concatenation: each branch gets its own channels' gradient",
    "identity": "through the identity: unchanged",
}
PARAMETER_RULES = {
    "conv": "∂L/∂W is the correlation of the convolution's input with ∂L/∂Y; ∂L/∂b sums ∂L/∂Y "
    "over each map",
    "linear": "∂L/∂W = ∂L/∂y · xᵀ (an outer product); ∂L/∂b = ∂L/∂y",
    "batch_norm": "∂L/∂γ and ∂L/∂β sum ∂L/∂y (times the normalised input for γ) over each map",
}


def walked_nodes(backward: dict) -> list[int]:
    """The nodes the backward pass reaches, in the order it visits them (the library's),
    from the model's output back to the input's first reader: the input, whose map shows its
    pixels, is not walked."""
    trace = backward["trace"]
    order = [trace.index(label) for label in backward["explainer"].backward_order()]
    return [i for i in order if trace.nodes[i].kind != "input"]


def readers(trace, index: int) -> list:
    """The nodes that read node ``index``'s output."""
    return [n for n in trace.nodes if index in n.parents and n.kind != "probabilities"]


def walk_text(backward: dict, index: int, step: int, total: int) -> str:
    """What step ``step`` of the walk says about node ``index``: how its gradient comes back,
    its largest magnitude, and the gradients of its weights."""
    trace = backward["trace"]
    node = trace.nodes[index]
    grad = np.asarray(node.value)
    head = f"Step {step + 1} of {total}: ∂L/∂({node.label})"
    if step == 0:
        how = f"the loss itself: {backward['loss_text']}"
    else:
        rules = [RULES.get(r.kind, f"through {r.label}") for r in readers(trace, index)]
        how = "; ".join(dict.fromkeys(rules)) or "it reads nothing the loss depends on"
    big = float(np.abs(grad).max()) if grad.size else 0.0
    lines = [f"{head}, {how}.", f"Largest magnitude: {num(big)}."]
    params = backward["layer_params"].get(node.label, ())
    if params:
        rule = PARAMETER_RULES.get(node.kind, "")
        names = ", ".join(f"∂L/∂{name}" for name in params)
        lines.append(f"Its weights' gradients ({names}) are in the Weights tab. {rule}")
    return " ".join(lines)


def hover_text(backward: dict, index: int, channel: int, row, col) -> str:
    """The hovered unit's gradient (the library's: the input's and the probabilities' too,
    whose maps show their pixels and probabilities) and its value on the forward pass, named
    as its arithmetic's title names it (counted from 1; ``channel``, ``row``, ``col`` are
    0-based)."""
    node = backward["trace"].nodes[index]
    grad = np.asarray(backward["explainer"].layers[node.label])
    value = backward["forward"].nodes[index].value
    at = (channel, row, col) if node.is_map else (channel,)
    where = f" · {unit_words(channel, row, col)}" if node.is_map else f"[{channel}]"
    forward = float(value[at] if node.is_map else value.reshape(-1)[channel])
    gradient = float(grad[at] if node.is_map else grad.reshape(-1)[channel])
    return f"∂L/∂{node.label}{where} = {num(gradient)}  ·  the unit is {num(forward)}"
