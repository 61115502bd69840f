"""Questions about receptive fields: how many input pixels a unit of a stack of layers sees,
and which ones (its box in the input, found by walking the windows back layer by layer)."""

from __future__ import annotations

from dataclasses import replace

from cnnviz.core.ops.windows import Field, Window, stack_field, stack_reads

from .layers import AVG_POOL, CONV, MAX_POOL, Axis, axes, output_shape
from .question import Question, shape_text
from .sizes import input_text, layer_text, ordered, unique

FIELD_LAYERS = (CONV, MAX_POOL, AVG_POOL)
# layers that keep each pixel where it is (batch norm and dropout as in evaluation)
PASS_THROUGH = (
    "ReLU",
    "LeakyReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Tanh",
    "Sigmoid",
    "Identity",
    "BatchNorm2d",
    "Dropout",
    "Dropout2d",
)


def normalise_layers(layers) -> list[dict]:
    """``[{"layer": ..., "kwargs": {...}}, ...]`` from dicts or (layer, kwargs) pairs."""
    out = []
    for item in layers:
        if isinstance(item, dict):
            layer, kwargs = item["layer"], dict(item.get("kwargs", {}))
        else:
            layer, kwargs = item[0], dict(item[1])
        if layer not in FIELD_LAYERS + PASS_THROUGH:
            raise ValueError(f"no receptive-field question through {layer!r}")
        out.append({"layer": layer, "kwargs": ordered(kwargs)})
    if not any(item["layer"] in FIELD_LAYERS for item in out):
        raise ValueError("a receptive-field question needs at least one window layer")
    return out


def shapes(layers: list[dict], input_shape) -> list[tuple[int, int, int]]:
    """The [C, H, W] going into each layer, then the output (``ValueError`` if rejected)."""
    found = [tuple(int(v) for v in input_shape)]
    for item in layers:
        if item["layer"] in FIELD_LAYERS:
            found.append(output_shape(item["layer"], item["kwargs"], found[-1]))
        else:
            found.append(found[-1])
    return found  # type: ignore[return-value]


def _window(a: Axis) -> Window:
    return Window(a.kernel, a.stride, a.pad_before, a.dilation)


def _windows(layers: list[dict], dim: int, **change) -> list[Window]:
    """The window layers along axis ``dim``, with some of their terms changed (a mistake's
    arithmetic)."""
    return [
        replace(_window(axes(i["layer"], i["kwargs"])[dim]), **change)
        for i in layers
        if i["layer"] in FIELD_LAYERS
    ]


def field_size(layers: list[dict], dim: int, **change) -> tuple[int, str]:
    """(size, its sum written out) of the field along axis ``dim`` (0 rows, 1 columns)."""
    field, terms = Field(), ["1"]
    for w in _windows(layers, dim, **change):
        terms.append(f"{w.dilation}·({w.kernel}−1)·{field.jump}")
        field = field.then(w)
    return field.size, " + ".join(terms) + f" = {field.size}"


def field_span(layers: list[dict], input_shape, dim: int, index: int, **change):
    """The input positions unit ``index`` of the last layer sees along axis ``dim`` (counted
    from 0), and the chain of first–last positions from the output back to the input, as
    text counted from 1."""
    stack = shapes(layers, input_shape)
    sizes = [s[1 + dim] for i, s in zip(layers, stack) if i["layer"] in FIELD_LAYERS]
    found = stack_reads(index, _windows(layers, dim, **change), sizes)
    chain = [str(index + 1)] + [f"{min(p) + 1}–{max(p) + 1}" for p in found if p]
    return found[-1], chain


def _stack_text(layers: list[dict]) -> str:
    return ", ".join(layer_text(i["layer"], i["kwargs"]) for i in layers)


def receptive_field_question(layers, input_shape, cell=None, topic: str = "") -> Question:
    """The receptive field of the stack ``layers`` (Conv2d, MaxPool2d, AvgPool2d; ReLU and
    the like pass through) on an ``input_shape`` input: with ``cell`` = (row, col) of the last
    output, the box (top, left, bottom, right) of input pixels that unit sees (inclusive,
    inside the input; ``cell`` and the box count from 0, the texts from 1); without, the
    field's size (h, w), padding and borders aside."""
    layers = normalise_layers(layers)
    input_shape = [int(v) for v in input_shape]
    out = shapes(layers, input_shape)[-1]
    settings = {
        "layer": "Sequential",
        "layers": layers,
        "input_shape": input_shape,
    }
    stack = f"The stack {_stack_text(layers)} takes {input_text(input_shape)}."
    if cell is None:
        return _size_question(layers, settings, stack, topic)
    row, col = int(cell[0]), int(cell[1])
    if not (0 <= row < out[1] and 0 <= col < out[2]):
        raise ValueError(f"cell {(row, col)} is outside the output {shape_text(out)}")
    (rows, row_chain), (cols, col_chain) = (
        field_span(layers, input_shape, dim, i) for dim, i in ((0, row), (1, col))
    )
    if not rows or not cols:
        raise ValueError(f"unit {(row, col)} sees only padding")
    answer = (min(rows), min(cols), max(rows), max(cols))
    mistakes = []
    no_pad = [field_span(layers, input_shape, d, i, padding=0)[0] for d, i in ((0, row), (1, col))]
    if all(no_pad):
        wrong = (min(no_pad[0]), min(no_pad[1]), max(no_pad[0]), max(no_pad[1]))
        if wrong != answer:
            mistakes.append(
                (
                    wrong,
                    "That is the field with the padding forgotten: the padding "
                    "moves each window back by the padding, up and to the left.",
                )
            )
    return Question(
        prompt=f"{stack} Which input pixels does output unit row {row + 1}, column {col + 1} "
        "see? "
        "(its top-left and bottom-right pixels: row, column to row, column)",
        settings=settings,
        asks="receptive_field",
        answer=answer,
        explanation="Walking each window back, counting from 1 (a unit's window starts at "
        "(index − 1) × stride − padding + 1 and reaches dilation·(kernel − 1) further; only "
        f"pixels inside the input count): rows {' → '.join(row_chain)}; "
        f"columns {' → '.join(col_chain)}.",
        cell=(row, col),
        topic=topic,
        mistakes=tuple(mistakes),
    )


def _size_question(layers: list[dict], settings: dict, stack: str, topic: str) -> Question:
    (h, h_text), (w, w_text) = field_size(layers, 0), field_size(layers, 1)
    how = (
        "Start at 1 pixel; each layer adds dilation·(kernel − 1) times the jump so far (the "
        "product of the strides before it): "
    )
    how += f"{h_text}." if h_text == w_text else f"height {h_text}; width {w_text}."
    mistakes = []
    no_jump = tuple(stack_field(_windows(layers, d, stride=1)).size for d in (0, 1))
    mistakes.append(
        (
            no_jump,
            "That adds the kernels as if every stride were 1: a layer after "
            "a stride-s layer steps s input pixels per cell (the jump).",
        )
    )
    no_dilation = (field_size(layers, 0, dilation=1)[0], field_size(layers, 1, dilation=1)[0])
    mistakes.append((no_dilation, "That is the field with the dilation's gaps forgotten."))
    answer = (h, w)
    return Question(
        prompt=f"{stack} How many input pixels tall and wide is the receptive field of one "
        "unit of its output (borders aside)?",
        settings=settings,
        asks="receptive_field",
        answer=answer,
        explanation=how,
        topic=topic,
        mistakes=unique([(m, t) for m, t in mistakes if m != answer]),
    )
