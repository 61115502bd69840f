"""Questions about values: a convolution's or a pooling's output cell, and which input cell
wins a max-pooling window, each computed by the project's step arithmetic (cnnviz.core.ops)."""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnviz.core.ops.grouped import GroupedConvPlan
from cnnviz.core.ops.pool import PoolPlan

from .layers import AVG_POOL, CONV, MAX_POOL, check_pool
from .question import Question, value_text
from .sizes import input_text, layer_text, ordered, unique


def nested(values) -> list:
    """A grid as nested lists of floats (JSON-ready)."""
    return np.asarray(values, dtype=np.float64).tolist()


def conv_plan(kwargs: dict, x, weight, bias_values) -> GroupedConvPlan:
    """The convolution ``Conv2d(**kwargs)`` with these numbers computes (``ValueError`` where
    torch rejects it)."""
    c_in = np.shape(x)[0]
    if int(kwargs["in_channels"]) != c_in:
        raise ValueError(f"in_channels {kwargs['in_channels']} but the input has {c_in}")
    if np.shape(weight)[0] != int(kwargs["out_channels"]):
        raise ValueError("the weight must have out_channels filters")
    if bool(kwargs.get("bias", True)) != (bias_values is not None):
        raise ValueError("bias_values must be given exactly when the layer has a bias")
    return GroupedConvPlan(
        x,
        weight,
        bias_values,
        kwargs.get("stride", 1),
        kwargs.get("padding", 0),
        kwargs.get("dilation", 1),
        kwargs.get("groups", 1),
    )


def pool_plan(layer: str, kwargs: dict, x) -> PoolPlan:
    check_pool(layer, kwargs)
    return PoolPlan(
        x,
        "max" if layer == MAX_POOL else "avg",
        kwargs["kernel_size"],
        kwargs.get("stride"),
        kwargs.get("padding", 0),
        kwargs.get("dilation", 1),
        kwargs.get("ceil_mode", False),
        kwargs.get("count_include_pad", True),
    )


def _check_cell(plan, cell, channel: int) -> tuple[int, int]:
    row, col = int(cell[0]), int(cell[1])
    c_out = plan.output.shape[0]
    if not (0 <= channel < c_out and 0 <= row < plan.out_h.size and 0 <= col < plan.out_w.size):
        raise ValueError(
            f"cell {(channel, row, col)} is outside the output "
            f"{c_out} × {plan.out_h.size} × {plan.out_w.size}"
        )
    return row, col


def _conv_mistakes(kwargs, x, weight, bias_values, row, col, channel, value):
    """(wrong value, mistake) pairs for a convolution's output cell."""
    found = []
    if bias_values is not None and float(np.asarray(bias_values)[channel]) != 0:
        found.append(
            (
                value - float(np.asarray(bias_values)[channel]),
                "That is the sum without the bias: add the bias at the end.",
            )
        )
    flipped = np.asarray(weight, dtype=np.float64)[..., ::-1, ::-1]
    wrong = conv_plan(kwargs, x, flipped, bias_values).output[channel, row, col]
    found.append(
        (
            float(wrong),
            "That is the kernel flipped: PyTorch's Conv2d does not flip "
            "it (cross-correlation); each weight multiplies the input cell under it.",
        )
    )
    changes = []
    if kwargs.get("padding", 0) not in (0, "valid", [0, 0], (0, 0)):
        changes.append(
            (
                {"padding": 0},
                "That is the window without the padding: the padding "
                "shifts every window up and left by the padding.",
            )
        )
    if kwargs.get("dilation", 1) not in (1, [1, 1], (1, 1)):
        changes.append(
            (
                {"dilation": 1},
                "That is the window with the dilation's gaps "
                "forgotten: the kernel's cells lie dilation apart.",
            )
        )
    for change, text in changes:
        try:
            other = conv_plan({**kwargs, **change}, x, weight, bias_values).output
        except ValueError:
            continue
        if row < other.shape[1] and col < other.shape[2]:
            found.append((float(other[channel, row, col]), text))
    return found


def _pool_mistakes(layer, kwargs, x, plan, row, col, channel, value):
    found = []
    step = plan[plan.step_at(row, col, channel)]
    if layer == MAX_POOL and any(step.is_padding) and value < 0:
        found.append(
            (
                0.0,
                "That counts the padding as 0: max pooling pads with −∞, so "
                "the padding never wins.",
            )
        )
    if layer == AVG_POOL:
        other = pool_plan(
            layer, {**kwargs, "count_include_pad": not kwargs.get("count_include_pad", True)}, x
        ).output[channel, row, col]
        found.append(
            (
                float(other),
                "That is the other divisor: count_include_pad="
                f"{kwargs.get('count_include_pad', True)} divides by "
                f"{step.divisor}, the number of cells "
                + (
                    "in the window, padding included."
                    if kwargs.get("count_include_pad", True)
                    else "of the input in the window."
                ),
            )
        )
    return found


def cell_question(
    layer: str,
    kwargs: dict,
    input,
    cell,
    weight=None,
    bias_values=None,
    channel: int = 0,
    decimals: int = 2,
    topic: str = "",
) -> Question:
    """What is output cell ``cell`` = (row, col) of output channel ``channel`` (both counted
    from 0; the texts count from 1)? ``layer`` is
    Conv2d (``weight`` [C_out, C_in/groups, kh, kw], ``bias_values`` [C_out] or None with
    ``bias=False``), MaxPool2d or AvgPool2d; ``input`` is [C, H, W]."""
    kwargs = ordered(kwargs)
    x = np.asarray(input, dtype=np.float64)
    settings: dict[str, Any] = {
        "layer": layer,
        "kwargs": kwargs,
        "input_shape": list(x.shape),
        "input": nested(x),
    }
    plan: GroupedConvPlan | PoolPlan
    if layer == CONV:
        plan = conv_plan(kwargs, x, weight, bias_values)
        settings["weight"] = nested(weight)
        settings["bias_values"] = None if bias_values is None else nested(bias_values)
    elif layer in (MAX_POOL, AVG_POOL):
        plan = pool_plan(layer, kwargs, x)
    else:
        raise ValueError(f"no cell question for {layer!r}")
    row, col = _check_cell(plan, cell, channel)
    settings["channel"] = channel = int(channel)
    value = float(plan.output[channel, row, col])
    step = plan[plan.step_at(row, col, channel)]
    if layer == CONV:
        mistakes = _conv_mistakes(kwargs, x, weight, bias_values, row, col, channel, value)
        window = "its window of the (padded) input times the kernel, cell by cell"
    else:
        mistakes = _pool_mistakes(layer, kwargs, x, plan, row, col, channel, value)
        window = "its window of the input"
    where = f"row {row + 1}, column {col + 1}" + (
        f" of output channel {channel + 1}" if plan.output.shape[0] > 1 else ""
    )
    kept = unique(
        [(round(w, 9), t) for w, t in mistakes if abs(w - value) > 10.0 ** (-decimals) * 1.5]
    )

    return Question(
        prompt=f"{layer_text(layer, kwargs)} takes {input_text(list(x.shape))}. What is the "
        f"output at {where}? (to {decimals} decimals)",
        settings=settings,
        asks="cell",
        answer=value,
        explanation=f"Output {where} is {window}: {step.expression()}.",
        cell=(row, col),
        topic=topic,
        mistakes=kept,
        decimals=decimals,
    )


def _start(index: int, stride: int, pad: int) -> str:
    """Where the window of output ``index`` (from 0) starts, as arithmetic counted from 1."""
    return f"({index + 1} − 1) × {stride} − {pad} + 1 = {index * stride - pad + 1}"


def winner_question(kwargs: dict, input, cell, channel: int = 0, topic: str = "") -> Question:
    """Which input cell wins the max-pooling window of output ``cell`` = (row, col)? The
    answer is the input's (row, col), counted from 0 (the texts count from 1); among equal
    values PyTorch takes the first in reading order (row by row)."""
    kwargs, channel = ordered(kwargs), int(channel)
    x = np.asarray(input, dtype=np.float64)
    plan = pool_plan(MAX_POOL, kwargs, x)
    row, col = _check_cell(plan, cell, channel)
    step = plan[plan.step_at(row, col, channel)]
    (ph, pw) = plan.padding
    _, wr, wc = step.winner
    answer = (wr - ph, wc - pw)
    ties = unique(
        (
            (r - ph, c - pw),
            f"That cell holds the maximum too, {value_text(v, 4)}, but PyTorch "
            "takes the first maximum in reading order (row by row).",
        )
        for (_, r, c), v, pad in zip(step.cells, step.values, step.is_padding)
        if not pad and v == step.value and (r - ph, c - pw) != answer
    )
    return Question(
        prompt=f"{layer_text(MAX_POOL, kwargs)} takes {input_text(list(x.shape))}. Which input "
        f"cell wins the window of output row {row + 1}, column {col + 1}"
        + (f" (channel {channel + 1})" if x.shape[0] > 1 else "")
        + "? (row, column of the input)",
        settings={
            "layer": MAX_POOL,
            "kwargs": kwargs,
            "input_shape": list(x.shape),
            "input": nested(x),
            "channel": channel,
        },
        asks="winner",
        answer=answer,
        explanation=f"The window starts at input row {_start(row, plan.stride[0], ph)}, column "
        f"{_start(col, plan.stride[1], pw)} ((output row or column − 1) × stride − padding + "
        f"1): {step.expression()}, found at row {answer[0] + 1}, column {answer[1] + 1}.",
        cell=(row, col),
        topic=topic,
        mistakes=ties,
    )
