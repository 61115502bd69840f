"""A quiz question: what is asked about which layer, the right answer and its arithmetic."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from cnnviz.core.ops.numbers import format_fixed, format_number

ASKS = (
    "output_shape",
    "cell",
    "parameters",
    "multiply_adds",
    "receptive_field",
    "winner",
    "class",
)
# answers that are a tuple of whole numbers (a shape, a box, a cell of the input)
TUPLE_ANSWERS = ("output_shape", "receptive_field", "winner")


@dataclass(frozen=True)
class Question:
    """One question, plain data throughout (``to_dict``/``from_dict`` round-trip through JSON).

    ``settings``: the layer as PyTorch builds it, ``{"layer": "Conv2d", "kwargs": {...},
    "input_shape": [C, H, W]}``, for questions about values also ``input``, ``weight`` and
    ``bias_values`` as nested lists (a stack of layers: ``"layer": "Sequential"`` and
    ``"layers"``, a list of ``{"layer", "kwargs"}``).

    Further keys where they apply: ``channel`` (the output channel of a ``cell`` or
    ``winner`` question), ``grad_output`` (∂L/∂Y as nested lists), ``of`` (``"grad_weight"``
    or ``"grad_input"``: the cell is one of that gradient's, not of the output) and
    ``channels`` ([filter, input channel] of that gradient's cell). A ``class`` question (what
    a network says about an image) has no layer: its settings are ``probabilities``,
    ``class_names`` and ``class_index`` (the predicted class's index).

    ``asks``: one of :data:`ASKS`. ``answer``: a tuple of ints for ``output_shape`` ((H, W) or
    (C, H, W)), ``receptive_field`` ((h, w) of the field, or the box (top, left, bottom,
    right) of the input pixels the unit at ``cell`` sees) and ``winner`` (the input cell, row
    and column); an int for ``parameters`` and ``multiply_adds``; a float for ``cell`` (shown
    to ``decimals`` decimals, checked to one unit of the last of them); the predicted class's
    name for ``class``.

    Counting: ``cell``, ``answer`` and ``mistakes`` hold positions as PyTorch indexes them,
    from 0 (``cell`` = (0, 1) is the first row's second cell; the pages and the Practice
    lessons index their grids with them). Every text a student reads — ``prompt``,
    ``explanation``, ``answer_text``, the mistakes' words — counts rows, columns, channels and
    filters from 1, as the pages do ("Output row 1, column 2"), and :func:`check` reads a
    typed "row 1, column 2" the same way; an answer given as a tuple of ints counts from 0,
    like ``answer``.

    ``mistakes``: (wrong answer, the mistake that gives it) pairs, so that ``check`` can name
    the mistake a wrong answer comes from.
    """

    prompt: str
    settings: dict[str, Any]
    asks: str
    answer: Any
    explanation: str
    cell: tuple[int, int] | None = None
    topic: str = ""
    mistakes: tuple[tuple[Any, str], ...] = field(default=())
    decimals: int = 2

    def __post_init__(self) -> None:
        if self.asks not in ASKS:
            raise ValueError(f"asks must be one of {', '.join(ASKS)}; got {self.asks!r}")

    def __hash__(self) -> int:  # settings is a dict: hash the JSON form
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    @property
    def answer_text(self) -> str:
        """The right answer as a page shows it, rows and columns counted from 1: ``6 × 6``,
        ``1,234``, ``3.25``, ``row 1, column 2`` (for ``answer`` (0, 1)), ``rows 1–5, columns
        3–7`` (for the box (0, 2, 4, 6)), a class's name."""
        return answer_text(self.asks, self.answer, self.decimals, self.cell)

    def details(self) -> str:
        """The grids a value question is about, as text (see :func:`details`)."""
        return details(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tuples become lists."""
        return {
            "prompt": self.prompt,
            "settings": copy.deepcopy(self.settings),
            "asks": self.asks,
            "answer": list(self.answer) if isinstance(self.answer, tuple) else self.answer,
            "explanation": self.explanation,
            "cell": list(self.cell) if self.cell is not None else None,
            "topic": self.topic,
            "mistakes": [
                [list(a) if isinstance(a, tuple) else a, text] for a, text in self.mistakes
            ],
            "decimals": self.decimals,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """The inverse of :meth:`to_dict` (``ValueError`` for a malformed dict)."""
        try:
            asks = data["asks"]
            tuple_answer = asks in TUPLE_ANSWERS

            def answer(value):
                return tuple(int(v) for v in value) if tuple_answer else value

            cell = data.get("cell")
            return cls(
                prompt=str(data["prompt"]),
                settings=copy.deepcopy(dict(data["settings"])),
                asks=asks,
                answer=answer(data["answer"]),
                explanation=str(data.get("explanation", "")),
                cell=(int(cell[0]), int(cell[1])) if cell is not None else None,
                topic=str(data.get("topic", "")),
                mistakes=tuple((answer(a), str(text)) for a, text in data.get("mistakes", ())),
                decimals=int(data.get("decimals", 2)),
            )
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"not a question: {exc!r}") from None


def shape_text(values) -> str:
    return " × ".join(str(v) for v in values)


def value_text(value: float, decimals: int) -> str:
    """A real answer as shown: whole numbers without a point, others to ``decimals``."""
    whole = format_number(value, decimals)
    if "." not in whole:
        return whole
    return format_fixed(value, decimals).rstrip("0").rstrip(".")


def answer_text(asks: str, answer, decimals: int = 2, cell=None) -> str:
    """``answer`` (positions counted from 0) as the student reads it (counted from 1)."""
    if asks == "output_shape":
        return shape_text(answer)
    if asks in ("parameters", "multiply_adds"):
        return f"{answer:,}"
    if asks == "cell":
        return value_text(answer, decimals)
    if asks == "class":
        return str(answer)
    if asks == "winner":
        return f"row {answer[0] + 1}, column {answer[1] + 1}"
    if len(answer) == 2:  # a receptive field's size
        return shape_text(answer)
    top, left, bottom, right = answer
    return f"rows {top + 1}–{bottom + 1}, columns {left + 1}–{right + 1}"


def _grid_lines(grid, decimals: int = 4) -> list[str]:
    rows = [[format_number(float(v), decimals) for v in row] for row in grid]
    width = max(len(text) for row in rows for text in row)
    return ["  " + " ".join(text.rjust(width) for text in row) for row in rows]


def _channels(name: str, values, label: str) -> list[str]:
    """A [C, H, W] grid channel by channel (one channel: no channel label)."""
    lines = []
    for c, grid in enumerate(values):
        lines.append(f"{name}" + (f", {label} {c + 1}:" if len(values) > 1 else ":"))
        lines += _grid_lines(grid)
    return lines


def details(question: Question) -> str:
    """The numbers a value question is about, as text (empty for a question without them):
    the input, the weight, the bias and the gradient from above, grid by grid (channels and
    filters counted from 1)."""
    s = question.settings
    lines: list[str] = []
    if s.get("input") is not None:
        lines += _channels("Input", s["input"], "channel")
    if s.get("weight") is not None:
        for o, filt in enumerate(s["weight"]):
            lines += _channels(f"Weight of filter {o + 1}", filt, "input channel")
    if s.get("bias_values") is not None:
        bias = ", ".join(format_number(float(v)) for v in s["bias_values"])
        lines.append(f"Bias: {bias}")
    if s.get("grad_output") is not None:
        lines += _channels("∂L/∂Y (the gradient from above)", s["grad_output"], "channel")
    return "\n".join(lines)
