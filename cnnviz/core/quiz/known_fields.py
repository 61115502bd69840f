"""Receptive-field questions whose answer is already known: the field a page has traced
through a whole network (branches, asymmetric padding and all), so that the question asks
exactly what the page then outlines. :mod:`.fields` builds its questions from a plain stack
of layers instead, and walks the windows itself."""

from __future__ import annotations

from .question import Question
from .sizes import input_text

WHERE = (
    "the field traced back through every path of the network (where branches meet, the "
    "widest field counts; only pixels inside the input count)"
)


def _pair(values) -> tuple[int, int]:
    return int(values[0]), int(values[1])


def _size_words(size, jump) -> str:
    h, w = size
    words = f"Each unit of it sees {h} × {w} input pixels"
    if jump is not None:
        words += f", and neighbouring units' fields lie {jump[0]} rows, {jump[1]} columns apart"
    return words + " (the jump: the product of the strides before it)"


def known_field_question(
    unit: str,
    input_shape,
    answer,
    cell=None,
    size=None,
    jump=None,
    start=None,
    topic: str = "",
) -> Question:
    """The receptive field of ``unit`` (a layer's name as the page shows it) of a network
    taking an ``input_shape`` [C, H, W] input, with its ``answer`` already traced: with
    ``cell`` = (row, col), the box (top, left, bottom, right) of input pixels that unit sees
    (inclusive, inside the input, counted from 0 like ``cell``); without, the field's size
    (h, w). ``size``, ``jump`` and ``start`` (the layer's theoretical field: (rows, columns)
    each, ``start`` where unit (0, 0)'s field begins, negative in the padding) explain it."""
    input_shape = [int(v) for v in input_shape]
    answer = tuple(int(v) for v in answer)
    settings = {"layer": "Network", "unit": unit, "input_shape": input_shape}
    if size is not None:
        settings["size"] = list(_pair(size))
    if jump is not None:
        settings["jump"] = list(_pair(jump))
    takes = f"The network takes {input_text(input_shape)}."
    if cell is None:
        if len(answer) != 2:
            raise ValueError(f"a field's size is (h, w); got {answer}")
        return Question(
            prompt=f"{takes} How many input pixels tall and wide is the receptive field of one "
            f"unit of {unit} (borders aside)?",
            settings=settings,
            asks="receptive_field",
            answer=answer,
            explanation=f"{_size_words(answer, jump)}: {WHERE}. Each window layer on the way "
            "adds dilation·(kernel − 1) times the jump so far.",
            topic=topic,
        )
    return _box_question(unit, takes, settings, answer, cell, size, jump, start, topic)


def _clipped(box, input_shape) -> tuple[int, int, int, int]:
    _, height, width = input_shape
    top, left, bottom, right = box
    return max(top, 0), max(left, 0), min(bottom, height - 1), min(right, width - 1)


def _box_question(unit, takes, settings, answer, cell, size, jump, start, topic) -> Question:
    if len(answer) != 4:
        raise ValueError(f"a unit's field is (top, left, bottom, right); got {answer}")
    row, col = int(cell[0]), int(cell[1])
    top, left, bottom, right = answer
    found = f"rows {top + 1}–{bottom + 1}, columns {left + 1}–{right + 1}"
    explanation = f"Its pixels are {found}: {WHERE}."
    mistakes = []
    if size is not None and jump is not None and start is not None:
        (h, w), (jr, jc), (sr, sc) = _pair(size), _pair(jump), _pair(start)
        first = (sr + row * jr, sc + col * jc)
        whole = (first[0], first[1], first[0] + h - 1, first[1] + w - 1)
        explanation = (
            f"{_size_words((h, w), (jr, jc))}; unit (0, 0)'s field starts at row {sr + 1}, "
            f"column {sc + 1}, so row {row + 1}, column {col + 1}'s starts at row "
            f"{sr + 1} + {row}·{jr} = {first[0] + 1}, column {sc + 1} + {col}·{jc} = "
            f"{first[1] + 1}. {explanation}"
        )
        if whole != answer and _clipped(whole, settings["input_shape"]) == answer:
            mistakes.append(
                (
                    whole,
                    "That box reaches past the input's border into the padding: only "
                    "pixels inside the input count.",
                )
            )
    return Question(
        prompt=f"{takes} Of {unit}, which input pixels does unit row {row + 1}, column "
        f"{col + 1} see? (its top-left and bottom-right pixels: row, column to row, column)",
        settings=settings,
        asks="receptive_field",
        answer=answer,
        explanation=explanation,
        cell=(row, col),
        topic=topic,
        mistakes=tuple(mistakes),
    )
