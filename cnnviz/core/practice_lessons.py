"""A practice question's lesson: the page that shows its layer, at exactly its settings.

"Show me" after a wrong answer opens this lesson: a Conv2d on the Convolution page (a layer
with groups, or a question about its weights and multiply-adds, on the Grouped convolution
page), MaxPool2d and AvgPool2d on the Pooling page, ConvTranspose2d on the Transposed
convolution page, a gradient (∂L/∂W, ∂L/∂X) on the Backward page, each at the step of the
asked cell (a size or a count: the last step, the whole output shown). The state is checked
as a lesson file's is; a layer no page can show as it is (more channels than a page holds, a
stack of layers) gives the reason instead.
Qt-free: the plans that find the step are the pages' own (:mod:`cnnviz.core.ops`).
"""

from __future__ import annotations

import numpy as np

from cnnviz.core.lesson import Lesson
from cnnviz.core.lesson_presets import (
    MAX_CHANNELS,
    MAX_LAYER_CHANNELS,
    backward_preset_from_state,
    conv_preset_from_state,
    grouped_preset_from_state,
    pool_preset_from_state,
    transposed_preset_from_state,
)
from cnnviz.core.ops.backward import INPUT, WEIGHT, ConvBackwardPlan, PoolBackwardPlan
from cnnviz.core.ops.conv import ConvPlan
from cnnviz.core.ops.grouped import GroupedConvPlan
from cnnviz.core.ops.pool import PoolPlan
from cnnviz.core.ops.transposed import TransposedConvPlan
from cnnviz.core.quiz import GRAD_WEIGHT

CONVOLUTION, POOLING = "Convolution", "Pooling"
TRANSPOSED, GROUPED = "Transposed convolution", "Grouped convolution"


def pair(value) -> list[int]:
    """A PyTorch size argument (an int or a pair) as the pair a page's state holds."""
    return [int(value), int(value)] if isinstance(value, (int, float)) else [int(v) for v in value]


def example_input(shape) -> list:
    """Numbers 1–9 in reading order, for a question whose answer does not depend on them (a
    size, a count): the page needs an input of the question's shape."""
    c, h, w = (int(v) for v in shape)
    return (np.arange(c * h * w).reshape(c, h, w) % 9 + 1).astype(float).tolist()


def _input(settings: dict, channels: int) -> list:
    """The question's input, or numbers of its shape; a size question on more channels than
    the page holds shows its first channels (the size is the same on each)."""
    if settings.get("input") is not None:
        return settings["input"]
    c, h, w = settings["input_shape"]
    return example_input((min(int(c), channels), h, w))


def _step(plan, question, channel: int = 0) -> int:
    """The asked cell's step, else the last (the whole output shown)."""
    if question.cell is not None and question.asks in ("cell", "winner"):
        return plan.step_at(*question.cell, channel)
    return len(plan) - 1


def _conv(question) -> Lesson:
    s, k = question.settings, question.settings["kwargs"]
    channel = int(s.get("channel", 0))
    x = _input(s, MAX_CHANNELS)
    kh, kw = pair(k["kernel_size"])
    if s.get("weight") is not None:
        kernels = s["weight"][channel]
    else:
        kernels = np.ones((len(x), kh, kw)).tolist()
    bias = s.get("bias_values")
    bias = float(bias[channel]) if bias is not None else 0.0
    padding = k.get("padding", 0)
    padding = padding if isinstance(padding, str) else pair(padding)
    settings = dict(
        bias=bias,
        stride=pair(k.get("stride", 1)),
        padding=padding,
        dilation=pair(k.get("dilation", 1)),
        padding_mode=k.get("padding_mode", "zeros"),
    )
    state = {"inputs": x, "kernels": kernels, "relu": False} | settings
    conv_preset_from_state(state)  # ValueError: beyond what the page holds
    return Lesson(CONVOLUTION, state | {"step": _step(ConvPlan(x, kernels, **settings), question)})


def _grouped(question) -> Lesson:
    s, k = question.settings, question.settings["kwargs"]
    strided = pair(k.get("stride", 1)) != [1, 1] or pair(k.get("dilation", 1)) != [1, 1]
    if strided and question.asks != "parameters":  # (the weights are the same with them)
        raise ValueError("the Grouped convolution page has no stride or dilation")
    groups = int(k.get("groups", 1))
    x = _input(s, MAX_LAYER_CHANNELS)
    if s.get("weight") is not None:
        weights = s["weight"]
    else:
        shape = (int(k["out_channels"]), len(x) // groups, *pair(k["kernel_size"]))
        weights = np.ones(shape).tolist()
    padding = pair(k.get("padding", 0))
    state = {"inputs": x, "weights": weights, "groups": groups, "padding": padding}
    grouped_preset_from_state(state)
    plan = GroupedConvPlan(x, weights, padding=padding, groups=groups)
    return Lesson(GROUPED, state | {"step": _step(plan, question, int(s.get("channel", 0)))})


def _pool(question) -> Lesson:
    s, k = question.settings, question.settings["kwargs"]
    kind = "max" if s["layer"] == "MaxPool2d" else "avg"
    kernel = pair(k["kernel_size"])
    stride = k.get("stride")
    settings = dict(
        kernel=kernel,
        stride=kernel if stride is None else pair(stride),
        padding=pair(k.get("padding", 0)),
        dilation=pair(k.get("dilation", 1)),
        ceil_mode=bool(k.get("ceil_mode", False)),
        count_include_pad=bool(k.get("count_include_pad", True)),
    )
    x = _input(s, MAX_CHANNELS)
    state = {"inputs": x, "kind": kind} | settings
    preset, _ = pool_preset_from_state(state)
    plan = PoolPlan(
        x,
        kind,
        settings["kernel"],
        settings["stride"],
        settings["padding"],
        settings["dilation"],
        preset.ceil_mode,
        preset.count_include_pad,
    )
    return Lesson(POOLING, state | {"step": _step(plan, question, int(s.get("channel", 0)))})


def _transposed(question) -> Lesson:
    s, k = question.settings, question.settings["kwargs"]
    x = _input(s, 1)
    if len(x) != 1:
        raise ValueError("the Transposed convolution page shows one input channel")
    kernel = s["weight"][0][0] if s.get("weight") is not None else None
    kernel = kernel or np.ones(pair(k["kernel_size"])).tolist()
    settings = dict(
        stride=pair(k.get("stride", 1)),
        padding=pair(k.get("padding", 0)),
        output_padding=pair(k.get("output_padding", 0)),
        dilation=pair(k.get("dilation", 1)),
    )
    bias = s.get("bias_values")
    bias = float(bias[0]) if bias is not None else 0.0
    state = {"inputs": x, "kernel": kernel, "bias": bias, "view": "scatter"} | settings
    transposed_preset_from_state(state)
    plan = TransposedConvPlan(x, [[kernel]], bias, **settings)
    return Lesson(TRANSPOSED, state | {"step": len(plan) - 1})


def _gradient_step(plan, question) -> int:
    """The step of the asked ∂L/∂W or ∂L/∂X cell (pooling: the first window routing to it)."""
    cell = tuple(question.cell)
    if isinstance(plan, PoolBackwardPlan):
        hits = (i for i, step in enumerate(plan) if any(c[1:] == cell for c in step.cells))
    else:
        target = WEIGHT if question.settings["of"] == GRAD_WEIGHT else INPUT
        hits = (
            i for i, step in enumerate(plan) if step.target == target and step.cell[-2:] == cell
        )
    return next(hits, len(plan) - 1)


def _backward(question) -> Lesson:
    s, k = question.settings, question.settings["kwargs"]
    if len(s["input"]) != 1 or len(s["grad_output"]) != 1:
        raise ValueError("the Backward page shows one channel")
    x, g = s["input"][0], s["grad_output"][0]
    stride, padding = pair(k.get("stride", 1)), pair(k.get("padding", 0))
    state = {"inputs": [x], "grad_out": g, "stride": stride, "padding": padding, "lr": 0.01}
    plan: ConvBackwardPlan | PoolBackwardPlan
    if s["layer"] == "Conv2d":
        kernel = s["weight"][0][0]
        state |= {"kind": "conv", "kernel": kernel, "kernel_size": [len(kernel), len(kernel[0])]}
        plan = ConvBackwardPlan([x], [[kernel]], [g], stride, padding)
    else:
        size = pair(k["kernel_size"])
        stride = size if k.get("stride") is None else stride
        state |= {"kind": "max", "kernel": None, "kernel_size": size, "stride": stride}
        state |= {"ceil_mode": bool(k.get("ceil_mode", False))}
        plan = PoolBackwardPlan([x], "max", size, [g], stride, padding, state["ceil_mode"])
    backward_preset_from_state(state)
    return Lesson("Backward", state | {"step": _gradient_step(plan, question)})


def _maker(question):
    layer = question.settings.get("layer")
    if question.settings.get("grad_output") is not None:
        return _backward
    if layer == "Conv2d":
        groups = int(question.settings["kwargs"].get("groups", 1))
        counts = question.asks in ("parameters", "multiply_adds")
        return _grouped if groups > 1 or counts else _conv
    return {"MaxPool2d": _pool, "AvgPool2d": _pool, "ConvTranspose2d": _transposed}.get(layer)


def lesson_for(question) -> Lesson | str:
    """The lesson that shows ``question``'s layer at its settings, or why no page can."""
    maker = _maker(question)
    if maker is None:
        layer = question.settings.get("layer")
        what = "a stack of layers" if layer == "Sequential" else f"a {layer}"
        return f"No lesson page shows {what} on its own; the explanation gives its arithmetic."
    try:
        lesson = maker(question)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        return f"The lesson pages cannot show this layer as it is: {exc}."
    lesson.title = f"Practice: {question.prompt}"[:200]
    return lesson
