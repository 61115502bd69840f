"""Questions about output sizes (Conv2d, pooling, ConvTranspose2d), with the mistakes a
student commonly makes named by the wrong size each produces."""

from __future__ import annotations

import numbers

import numpy as np

from .layers import AVG_POOL, CONV, MAX_POOL, TRANSPOSED, axes, axis_size, output_shape, sizes_with
from .question import Question, shape_text

# the order of torch.nn's constructors, so that a layer reads as the code would build it
KWARG_ORDER = (
    "in_channels",
    "out_channels",
    "in_features",
    "out_features",
    "kernel_size",
    "stride",
    "padding",
    "output_padding",
    "dilation",
    "groups",
    "bias",
    "ceil_mode",
    "count_include_pad",
)


def plain(value):
    """A keyword's value as JSON holds it: numpy numbers as Python's, tuples as lists."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (tuple, list, np.ndarray)):
        return [plain(v) for v in value]
    return value


def ordered(kwargs: dict) -> dict:
    """``kwargs`` in the constructor's order (unknown keys last, as given), plain values."""
    rank = {key: i for i, key in enumerate(KWARG_ORDER)}
    items = sorted(kwargs.items(), key=lambda item: rank.get(item[0], len(rank)))
    return {str(key): plain(value) for key, value in items}


def layer_text(layer: str, kwargs: dict) -> str:
    """``Conv2d(in_channels=1, out_channels=4, kernel_size=3)`` as the code would build it."""
    args = [f"{key}={value!r}" for key, value in ordered(kwargs).items()]
    return f"{layer}({', '.join(args)})"


def input_text(input_shape) -> str:
    if len(input_shape) == 1:
        return f"an input of {input_shape[0]} features"
    return f"a {shape_text(input_shape)} input (channels × height × width)"


def _size_mistakes(layer: str, kwargs: dict, input_shape) -> list[tuple[tuple[int, ...], str]]:
    """(wrong H, W, the mistake) for each common mistake that changes the size."""
    found: list[tuple[tuple[int, ...] | None, str]] = []
    h_axis, w_axis = axes(layer, kwargs)
    if h_axis.pad_before or h_axis.pad_after or w_axis.pad_before or w_axis.pad_after:
        wrong = sizes_with(layer, kwargs, input_shape, pad_before=0, pad_after=0)
        found.append((wrong, "That is the size with the padding forgotten."))
    _, h, w = input_shape
    right = tuple(axis_size(layer, a, n).size for a, n in zip((h_axis, w_axis), (h, w)))
    if layer == TRANSPOSED:
        found.append(((right[0] - 1, right[1] - 1), "That is the formula without its + 1."))
    else:
        without_one = tuple(s - 1 for s in right)
        found.append((without_one, "That is the size formula without its + 1 (the first window)."))
    if layer in (MAX_POOL, AVG_POOL):
        ceil = h_axis.ceil_mode
        wrong = sizes_with(layer, kwargs, input_shape, ceil_mode=not ceil)
        found.append(
            (
                wrong,
                "That is the size rounded up (ceil_mode=True); this layer rounds down "
                "(ceil_mode=False, the default)."
                if not ceil
                else "That is the size rounded down; ceil_mode=True rounds up (a last, "
                "partial window counts as long as it starts inside the input or its padding).",
            )
        )
        if kwargs.get("stride") is None:
            wrong = sizes_with(layer, kwargs, input_shape, stride=1)
            found.append(
                (
                    wrong,
                    "That is the size with stride 1; a pooling layer's stride defaults "
                    "to its kernel size.",
                )
            )
    if h_axis.dilation > 1 or w_axis.dilation > 1:
        wrong = sizes_with(layer, kwargs, input_shape, dilation=1)
        found.append(
            (
                wrong,
                "That is the size with the dilation's gaps forgotten: a dilated kernel "
                "spans dilation·(kernel − 1) + 1 cells.",
            )
        )
    if layer == TRANSPOSED and (h_axis.output_padding or w_axis.output_padding):
        wrong = sizes_with(layer, kwargs, input_shape, output_padding=0)
        found.append((wrong, "That is the size with output_padding forgotten."))
    return [(size, text) for size, text in found if size is not None and size != right]


def output_shape_question(
    layer: str, kwargs: dict, input_shape, with_channels: bool = False, topic: str = ""
) -> Question:
    """What size is the output of ``layer(**kwargs)`` on an ``input_shape`` [C, H, W] input?
    The answer is (H, W), or (C, H, W) ``with_channels``; ``ValueError`` where PyTorch
    rejects the settings."""
    kwargs = ordered(kwargs)
    input_shape = [int(v) for v in input_shape]
    if layer not in (CONV, TRANSPOSED, MAX_POOL, AVG_POOL):
        raise ValueError(f"no output-size question for {layer!r}")
    c, h, w = output_shape(layer, kwargs, input_shape)
    h_axis, w_axis = axes(layer, kwargs)
    explanation = (
        f"Height: {axis_size(layer, h_axis, input_shape[1]).formula()}; "
        f"width: {axis_size(layer, w_axis, input_shape[2]).formula()}."
    )
    asked = "channels × height × width" if with_channels else "height × width"
    mistakes: list[tuple[tuple[int, ...], str]] = list(_size_mistakes(layer, kwargs, input_shape))
    if with_channels:
        if layer in (CONV, TRANSPOSED):
            explanation += f" Channels: {c}, one per filter (out_channels)."
        else:
            explanation += f" Channels: {c}, pooling keeps each channel."
        mistakes = [((c,) + size, text) for size, text in mistakes]
    return Question(
        prompt=f"{layer_text(layer, kwargs)} takes {input_text(input_shape)}. "
        f"What is the output's {asked}?",
        settings={"layer": layer, "kwargs": kwargs, "input_shape": input_shape},
        asks="output_shape",
        answer=(c, h, w) if with_channels else (h, w),
        explanation=explanation,
        topic=topic,
        mistakes=unique(mistakes),
    )


def unique(mistakes) -> tuple:
    """One entry per wrong answer; two mistakes that give the same answer are both named."""
    merged: dict = {}
    for wrong, text in mistakes:
        merged[wrong] = (
            f"{merged[wrong]} Or: {text[0].lower()}{text[1:]}" if wrong in merged else text
        )
    return tuple(merged.items())
