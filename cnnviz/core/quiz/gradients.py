"""Questions for the backward pass: a cell of ∂L/∂W or ∂L/∂X of a convolution given the
upstream gradient ∂L/∂Y, and where max pooling routes the gradient."""

from __future__ import annotations

import numpy as np

from cnnviz.core.ops.backward import ConvBackwardPlan, PoolBackwardPlan
from cnnviz.core.ops.numbers import format_number

from .layers import CONV, MAX_POOL
from .question import Question
from .sizes import input_text, layer_text, ordered, unique
from .values import nested

GRAD_WEIGHT, GRAD_INPUT = "grad_weight", "grad_input"


def _conv_backward(kwargs: dict, x, weight, grad_output) -> ConvBackwardPlan:
    if int(kwargs.get("groups", 1)) != 1:
        raise ValueError("gradient questions are about groups 1")
    if int(kwargs["in_channels"]) != np.shape(x)[0]:
        raise ValueError("in_channels must match the input's channels")
    if np.shape(weight)[0] != int(kwargs["out_channels"]):
        raise ValueError("the weight must have out_channels filters")
    return ConvBackwardPlan(
        x,
        weight,
        grad_output,
        kwargs.get("stride", 1),
        kwargs.get("padding", 0),
        kwargs.get("dilation", 1),
    )


def gradient_cell_question(
    kwargs: dict,
    input,
    weight,
    grad_output,
    of: str,
    cell,
    channels=(0, 0),
    decimals: int = 2,
    topic: str = "",
) -> Question:
    """A cell of ∂L/∂W (``of="grad_weight"``: ``cell`` = (row, col) of the kernel of filter
    ``channels[0]`` over input channel ``channels[1]``) or of ∂L/∂X (``of="grad_input"``:
    ``cell`` = (row, col) of input channel ``channels[1]``) for a Conv2d given ∂L/∂Y =
    ``grad_output`` [C_out, Ho, Wo]. Cells and channels count from 0; the texts, from 1."""
    kwargs = ordered(kwargs)
    x = np.asarray(input, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    plan = _conv_backward(kwargs, x, w, grad_output)
    o, c = int(channels[0]), int(channels[1])
    row, col = int(cell[0]), int(cell[1])
    index: tuple[int, ...]
    if of == GRAD_WEIGHT:
        index = (o, c, row, col)
        grid = plan.grad_weight
        step = plan[plan.first_of("weight") + int(np.ravel_multi_index(index, grid.shape))]
        flipped = float(grid[o, c, w.shape[2] - 1 - row, w.shape[3] - 1 - col])
        mistakes = [
            (
                flipped,
                "That is the kernel flipped: ∂L/∂W[i, j] pairs ∂L/∂Y with "
                "the input the weight (i, j) met in the forward pass.",
            )
        ]
        what = f"∂L/∂W at row {row + 1}, column {col + 1} of filter {o + 1}, input channel {c + 1}"
        how = "the input cells this weight met, times ∂L/∂Y"
    elif of == GRAD_INPUT:
        index = (c, row, col)
        grid = plan.grad_input
        step = plan[plan.first_of("input") + int(np.ravel_multi_index(index, grid.shape))]
        unflipped = _conv_backward(kwargs, x, w[..., ::-1, ::-1], grad_output).grad_input
        mistakes = [
            (
                float(unflipped[index]),
                "That is the kernel not flipped: ∂L/∂X is "
                "∂L/∂Y (zeros inserted for the stride) convolved with the kernel "
                "turned by 180°.",
            )
        ]
        what = f"∂L/∂X at row {row + 1}, column {col + 1} of input channel {c + 1}"
        how = "∂L/∂Y (zero-inserted, padded) times the flipped kernel"
    else:
        raise ValueError(f"of must be {GRAD_WEIGHT!r} or {GRAD_INPUT!r}, got {of!r}")
    value = float(grid[index])
    return Question(
        prompt=f"{layer_text(CONV, kwargs)} takes {input_text(list(x.shape))}; the "
        f"gradient from above is ∂L/∂Y. What is {what}? (to {decimals} decimals)",
        settings={
            "layer": CONV,
            "kwargs": kwargs,
            "input_shape": list(x.shape),
            "input": nested(x),
            "weight": nested(w),
            "bias_values": None,
            "grad_output": nested(grad_output),
            "of": of,
            "channels": [o, c],
        },
        asks="cell",
        answer=value,
        explanation=f"{what[0].upper()}{what[1:]} is {how}: {step.expression()}.",
        cell=(row, col),
        topic=topic,
        mistakes=_far(mistakes, value, decimals),
        decimals=decimals,
    )


def _route_text(won, value: float) -> str:
    if not won:
        return "it wins no window, so it gets 0"
    text = "; ".join(
        f"the window of ∂L/∂Y row {s.row + 1}, column {s.col + 1} sends {format_number(s.grad)}"
        for s in won
    )
    if len(won) > 1:
        text += f": {' + '.join(format_number(s.grad) for s in won)} = {format_number(value)}"
    return text


def _route_mistakes(plan: PoolBackwardPlan, won, target) -> list[tuple[float, str]]:
    """One window's gradient alone (the cell wins several); the gradient spread evenly."""
    mistakes = []
    if len(won) > 1:
        text = "That is one window's gradient: this cell wins several windows, and their "
        mistakes += [(s.grad, text + "gradients add up.") for s in won]
    readers = [s for s in plan.forward if target in s.cells]
    if readers:
        spread = sum(
            float(plan.grad_out[s.channel, s.row, s.col]) / sum(not p for p in s.is_padding)
            for s in readers
        )
        mistakes.append(
            (
                spread,
                "That spreads the gradient evenly over the window, as average pooling does; "
                "max pooling sends it all to the winner.",
            )
        )
    return mistakes


def _far(mistakes, value: float, decimals: int) -> tuple:
    return unique(
        [(round(w, 9), t) for w, t in mistakes if abs(w - value) > 10.0 ** (-decimals) * 1.5]
    )


def route_question(
    kwargs: dict, input, grad_output, cell, channel: int = 0, decimals: int = 2, topic: str = ""
) -> Question:
    """∂L/∂X at input ``cell`` = (row, col) behind a MaxPool2d, given ∂L/∂Y: the sum of the
    gradients of the windows this cell wins (ties: the first maximum in reading order).
    ``cell`` and ``channel`` count from 0; the texts, from 1."""
    kwargs, channel = ordered(kwargs), int(channel)
    x = np.asarray(input, dtype=np.float64)
    plan = PoolBackwardPlan(
        x,
        "max",
        kwargs["kernel_size"],
        grad_output,
        kwargs.get("stride"),
        kwargs.get("padding", 0),
        kwargs.get("ceil_mode", False),
        True,
        kwargs.get("dilation", 1),
    )
    row, col = int(cell[0]), int(cell[1])
    _, h, w = x.shape
    if not (0 <= row < h and 0 <= col < w):
        raise ValueError(f"cell {(row, col)} is outside the input")
    ph, pw = plan.forward.padding
    target = (channel, row + ph, col + pw)  # in the padded grid
    won = [s for s in plan if s.cells == (target,)]
    value = float(plan.grad_input[channel, row, col])
    return Question(
        prompt=f"{layer_text(MAX_POOL, kwargs)} takes {input_text(list(x.shape))}; the "
        f"gradient from above is ∂L/∂Y. What is ∂L/∂X at input row {row + 1}, column {col + 1}"
        + (f" of channel {channel + 1}" if x.shape[0] > 1 else "")
        + f"? (to {decimals} decimals)",
        settings={
            "layer": MAX_POOL,
            "kwargs": kwargs,
            "input_shape": list(x.shape),
            "input": nested(x),
            "grad_output": nested(grad_output),
            "of": GRAD_INPUT,
            "channels": [channel, channel],
        },
        asks="cell",
        answer=value,
        explanation="Max pooling sends each window's gradient to the cell that won it: "
        f"{_route_text(won, value)}.",
        cell=(row, col),
        topic=topic,
        mistakes=_far(_route_mistakes(plan, won, target), value, decimals),
        decimals=decimals,
    )
