"""Seeded question sets on a topic, rising in difficulty: each question is one of the public
builders called with random settings that PyTorch accepts."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .counts import multiply_adds_question, parameters_question
from .fields import (
    field_size,
    field_span,
    normalise_layers,
    receptive_field_question,
    shapes,
)
from .gradients import GRAD_INPUT, GRAD_WEIGHT, gradient_cell_question, route_question
from .layers import AVG_POOL, CONV, LINEAR, MAX_POOL, TRANSPOSED, output_shape
from .question import Question
from .sizes import output_shape_question
from .values import cell_question, winner_question

LEVELS = 4  # 0 (first questions) … 3 (last)
CHANNELS = (1, 2, 3, 4, 6, 8, 10, 16, 20, 32, 64)


def _side(rng: random.Random, low: int, high: int, square: bool) -> tuple[int, int]:
    h = rng.randint(low, high)
    return (h, h) if square else (h, rng.randint(low, high))


def _maybe_pair(rng: random.Random, value: int, other: int, level: int):
    """``value``, or at the top level now and then an (h, w) pair."""
    return [value, other] if level >= 3 and rng.random() < 0.3 else value


def _conv_size(rng: random.Random, level: int) -> Question:
    k = rng.choice((1, 3, 5) if level == 0 else (1, 2, 3, 4, 5, 7))
    kwargs: dict = {
        "in_channels": rng.choice(CHANNELS[:5]),
        "out_channels": rng.choice(CHANNELS),
        "kernel_size": _maybe_pair(rng, k, rng.choice((1, 3, 5)), level),
    }
    if level >= 1:
        kwargs["stride"] = rng.randint(1, 2 if level == 1 else 3)
        kwargs["padding"] = rng.randint(0, k // 2 + (level >= 2))
    if level >= 2 and rng.random() < 0.5:
        kwargs["dilation"] = rng.randint(1, 3)
    if level >= 3 and rng.random() < 0.15:
        kwargs["stride"], kwargs["padding"] = 1, "same"
    h, w = _side(rng, 4, 12 + 8 * level, level < 2)
    return output_shape_question(
        CONV, kwargs, [kwargs["in_channels"], h, w], with_channels=level >= 3
    )


def _pool_kwargs(rng: random.Random, level: int, layer: str) -> dict:
    k = rng.choice((2, 3) if level < 2 else (2, 3, 4, 5))
    kwargs: dict = {"kernel_size": k}
    if level >= 1 and rng.random() < 0.6:
        kwargs["stride"] = rng.randint(1, k)
    if level >= 2:
        kwargs["padding"] = rng.randint(0, k // 2)
    if level >= 3:
        kwargs["ceil_mode"] = rng.random() < 0.6
        if layer == MAX_POOL and rng.random() < 0.3:
            kwargs["dilation"] = 2
    if layer == AVG_POOL and kwargs.get("padding") and rng.random() < 0.5:
        kwargs["count_include_pad"] = False
    return kwargs


def _pool_size(rng: random.Random, level: int) -> Question:
    layer = rng.choice((MAX_POOL, AVG_POOL))
    kwargs = _pool_kwargs(rng, level, layer)
    h, w = _side(rng, 4, 10 + 8 * level, level < 2)
    return output_shape_question(layer, kwargs, [rng.choice(CHANNELS[:6]), h, w], level >= 3)


def output_sizes(rng: random.Random, level: int) -> Question:
    return _pool_size(rng, level) if level >= 2 and rng.random() < 0.3 else _conv_size(rng, level)


def _grid(rng: random.Random, shape, low: int, high: int, halves: bool = False) -> np.ndarray:
    values: list[float] = [rng.randint(low, high) for _ in range(int(np.prod(shape)))]
    if halves:
        values = [v / 2 if rng.random() < 0.3 else v for v in values]
    return np.asarray(values, dtype=np.float64).reshape(shape)


def _random_cell(rng: random.Random, shape) -> tuple[int, int]:
    return rng.randrange(shape[-2]), rng.randrange(shape[-1])


def convolution_cells(rng: random.Random, level: int) -> Question:
    k = rng.choice((2, 3) if level < 2 else (2, 3, 3, 4))
    c_in = 1 if level < 2 else rng.randint(1, 2)
    c_out = 1 if level < 3 else rng.randint(1, 2)
    kwargs: dict = {"in_channels": c_in, "out_channels": c_out, "kernel_size": k}
    if level >= 1:
        kwargs["stride"] = rng.randint(1, 2)
        kwargs["padding"] = rng.randint(0, 1)
    if level >= 3 and rng.random() < 0.4:
        kwargs["dilation"] = 2
    bias = level >= 1 and rng.random() < 0.7
    kwargs["bias"] = bias
    h, w = _side(rng, 3, 4 + level, True)
    x = _grid(rng, (c_in, h, w), -2 if level >= 2 else 0, 5)
    weight = _grid(rng, (c_out, c_in, k, k), -2 if level >= 2 else -1, 2, halves=level >= 3)
    bias_values = _grid(rng, (c_out,), -3, 3, halves=level >= 3) if bias else None
    c, ho, wo = output_shape(CONV, kwargs, [c_in, h, w])
    return cell_question(
        CONV, kwargs, x, _random_cell(rng, (ho, wo)), weight, bias_values, rng.randrange(c)
    )


def pooling(rng: random.Random, level: int) -> Question:
    kind = rng.choice(("size", "value", "winner") if level else ("value", "winner"))
    if kind == "size":
        return _pool_size(rng, level)
    layer = MAX_POOL if kind == "winner" or rng.random() < 0.5 else AVG_POOL
    kwargs = _pool_kwargs(rng, min(level, 2), layer)
    c = 1 if level < 2 else rng.randint(1, 2)
    h, w = _side(rng, 3, 4 + 2 * level, level < 2)
    # small values make ties, and ties are worth asking about (PyTorch takes the first)
    x = _grid(rng, (c, h, w), -4 if level >= 2 else 0, 4 if kind == "winner" else 9)
    _, ho, wo = output_shape(layer, kwargs, [c, h, w])
    cell, channel = _random_cell(rng, (ho, wo)), rng.randrange(c)
    if kind == "winner":
        return winner_question(kwargs, x, cell, channel)
    return cell_question(layer, kwargs, x, cell, channel=channel)


def parameters_and_multiply_adds(rng: random.Random, level: int) -> Question:
    layer = rng.choice(
        (CONV,) if level == 0 else (CONV, CONV, LINEAR) if level < 3 else (CONV, LINEAR, TRANSPOSED)
    )
    ask_macs = rng.random() < 0.5
    if layer == LINEAR:
        kwargs: dict = {
            "in_features": rng.choice((10, 84, 120, 320, 400, 500, 1024)),
            "out_features": rng.choice((2, 10, 50, 84, 120, 500)),
        }
        if level >= 2 and rng.random() < 0.3:
            kwargs["bias"] = False
        shape = [kwargs["in_features"]]
    else:
        g = rng.choice((1, 2, 4)) if level >= 2 else 1
        kwargs = {
            "in_channels": rng.choice(CHANNELS[: 4 + 2 * level]) * g,
            "out_channels": rng.choice(CHANNELS[: 4 + 2 * level]) * g,
            "kernel_size": rng.choice((1, 3, 5)),
        }
        if g > 1:
            kwargs["groups"] = g
        if level >= 1 and rng.random() < 0.3:
            kwargs["bias"] = False
        if level >= 1:
            kwargs["stride"] = rng.randint(1, 2)
            kwargs["padding"] = rng.randint(0, kwargs["kernel_size"] // 2)
        shape = [kwargs["in_channels"], *_side(rng, 4, 32, level < 3)]
    if ask_macs:
        return multiply_adds_question(layer, kwargs, shape)
    return parameters_question(layer, kwargs, shape)


def _field_stack(rng: random.Random, level: int) -> list[dict]:
    layers: list[dict] = []
    channels = 1
    for _ in range(rng.randint(1 + (level >= 2), 2 + level)):
        if layers and rng.random() < 0.4:
            layer = rng.choice((MAX_POOL, AVG_POOL))
            layers.append({"layer": layer, "kwargs": _pool_kwargs(rng, min(level, 2), layer)})
            continue
        k = rng.choice((3, 5) if level < 3 else (2, 3, 5))
        kwargs = {"in_channels": channels, "out_channels": rng.choice((2, 4, 8)), "kernel_size": k}
        if level >= 2:
            kwargs["padding"] = rng.randint(0, k // 2)
            kwargs["stride"] = rng.randint(1, 2)
        if level >= 3 and rng.random() < 0.4:
            kwargs["dilation"] = 2
        channels = kwargs["out_channels"]
        layers.append({"layer": CONV, "kwargs": kwargs})
        if rng.random() < 0.5:
            layers.append({"layer": "ReLU", "kwargs": {}})
    return layers


def receptive_fields(rng: random.Random, level: int) -> Question:
    layers = normalise_layers(_field_stack(rng, level))
    h, w = _side(rng, 8, 12 + 6 * level, level < 3)
    shape = [1, h, w]
    _, ho, wo = shapes(layers, shape)[-1]  # ValueError where PyTorch rejects the stack
    if level < 2:
        _check_unclipped(layers, shape, (ho, wo))
        return receptive_field_question(layers, shape)
    return receptive_field_question(layers, shape, _random_cell(rng, (ho, wo)))


def _check_unclipped(layers: list[dict], shape, out: tuple[int, int]) -> None:
    """A size question needs a unit whose whole field lies inside the input: the middle one's
    must (``ValueError`` otherwise)."""
    for dim, n in ((0, out[0]), (1, out[1])):
        want = field_size(layers, dim)[0]
        seen = field_span(layers, shape, dim, n // 2)[0]
        if not seen or max(seen) - min(seen) + 1 != want:
            raise ValueError("every unit's field is cut by the border")


def transposed_sizes(rng: random.Random, level: int) -> Question:
    k = rng.choice((2, 3, 4) if level < 2 else (1, 2, 3, 4, 5))
    stride = 2 if level == 0 else rng.randint(1, 3)
    kwargs: dict = {
        "in_channels": rng.choice(CHANNELS[:6]),
        "out_channels": rng.choice(CHANNELS[:6]),
        "kernel_size": k,
        "stride": stride,
    }
    if level >= 1:
        kwargs["padding"] = rng.randint(0, k // 2 + 1)
    if level >= 2 and stride > 1:
        kwargs["output_padding"] = rng.randint(0, stride - 1)
    if level >= 3 and rng.random() < 0.4:
        kwargs["dilation"] = 2
    h, w = _side(rng, 2, 6 + 4 * level, level < 2)
    return output_shape_question(
        TRANSPOSED, kwargs, [kwargs["in_channels"], h, w], with_channels=level >= 3
    )


def backward(rng: random.Random, level: int) -> Question:
    if rng.random() < 0.3:
        kwargs = _pool_kwargs(rng, min(level, 2), MAX_POOL)
        kwargs["stride"] = rng.randint(1, kwargs["kernel_size"])
        h, w = _side(rng, 3, 5 + level, True)
        x = _grid(rng, (1, h, w), 0, 6)
        _, ho, wo = output_shape(MAX_POOL, kwargs, [1, h, w])
        g = _grid(rng, (1, ho, wo), -2, 3)
        return route_question(kwargs, x, g, _random_cell(rng, (h, w)))
    k = rng.choice((2, 3))
    kwargs = {"in_channels": 1, "out_channels": 1, "kernel_size": k, "bias": False}
    if level >= 2:
        kwargs["stride"] = rng.randint(1, 2)
        kwargs["padding"] = rng.randint(0, 1)
    h, w = _side(rng, 3, 4 + level, True)
    x = _grid(rng, (1, h, w), -1 if level >= 2 else 0, 3)
    weight = _grid(rng, (1, 1, k, k), -2, 2)
    _, ho, wo = output_shape(CONV, kwargs, [1, h, w])
    g = _grid(rng, (1, ho, wo), -1, 2)
    if rng.random() < 0.5:
        return gradient_cell_question(kwargs, x, weight, g, GRAD_WEIGHT, _random_cell(rng, (k, k)))
    return gradient_cell_question(kwargs, x, weight, g, GRAD_INPUT, _random_cell(rng, (h, w)))


TOPICS: dict[str, tuple[str, Callable[[random.Random, int], Question]]] = {
    "output_sizes": ("Output sizes", output_sizes),
    "convolution_cells": ("Convolution cells", convolution_cells),
    "pooling": ("Pooling", pooling),
    "parameters": ("Parameters and multiply-adds", parameters_and_multiply_adds),
    "receptive_fields": ("Receptive fields", receptive_fields),
    "transposed_sizes": ("Transposed sizes", transposed_sizes),
    "backward": ("Gradients", backward),
}


def topics() -> tuple[str, ...]:
    """The topic ids, in the order a menu lists them."""
    return tuple(TOPICS)


def topic_title(topic: str) -> str:
    """The topic's name for a menu: ``"Output sizes"``."""
    return _entry(topic)[0]


def _entry(topic: str):
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}: one of {', '.join(TOPICS)}")
    return TOPICS[topic]


def level_of(index: int, n: int) -> int:
    """The difficulty (0 … 3) of question ``index`` of ``n``: rising through the set."""
    return min(LEVELS - 1, index * LEVELS // max(n, 1))


def generate(topic: str, seed: int = 0, n: int = 10) -> list[Question]:
    """``n`` questions on ``topic``, rising in difficulty; the same seed gives the same
    questions."""
    _, build = _entry(topic)
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    rng = random.Random(f"{topic}:{seed}")
    questions = []
    for index in range(n):
        level = level_of(index, n)
        for _ in range(1000):
            try:
                question = build(rng, level)
            except ValueError:  # settings PyTorch rejects: draw again
                continue
            break
        else:  # pragma: no cover - each builder accepts most draws
            raise RuntimeError(f"no valid {topic} question drawn")
        questions.append(_with_topic(question, topic))
    return questions


def _with_topic(question: Question, topic: str) -> Question:
    return replace(question, topic=topic)
