"""Reading a student's answer leniently, and checking it against a question."""

from __future__ import annotations

import math
import numbers
import re

from .question import Question, answer_text

# words and marks a typed list of whole numbers may hold: "6x6", "6 × 6", "(1, 2)",
# "rows 0-4, columns 2-6", "row 1 col 2"
_SEPARATORS = re.compile(
    r"rows?|columns?|cols?|by|and|to|from|height|width|[x×X*,;:()\[\]{}–—\-/|]", re.IGNORECASE
)
_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-"})


class AnswerError(ValueError):
    """An answer that cannot be read; the message says what was expected, plainly."""


def _shape_words(asks: str, count: int) -> str:
    if asks == "winner":
        return "the row and column of the input cell, like 1, 2"
    if asks == "receptive_field" and count == 4:
        return (
            "the field's top-left and bottom-right pixels (row, column), like 0,2 to 4,6, "
            "or rows 0-4, columns 2-6"
        )
    if count == 3:
        return "channels × height × width, like 6 × 4 × 4"
    return "height × width in whole numbers, like 6x6"


_ROWS_COLUMNS = re.compile(
    r"^\s*rows?\D*?(\d+)\D+?(\d+)\D*?col\w*\D*?(\d+)\D+?(\d+)\s*$", re.IGNORECASE
)


def parse_whole_numbers(text: str, asks: str, count: int) -> tuple[int, ...]:
    """``count`` whole numbers from a typed answer (``AnswerError`` naming the form asked); a
    box typed as "rows 0-4, columns 2-6" comes back as its corners (0, 2, 4, 6)."""
    spans = _ROWS_COLUMNS.match(text) if asks == "receptive_field" else None
    if spans:
        top, bottom, left, right = (int(v) for v in spans.groups())
        return top, left, bottom, right
    cleaned = _SEPARATORS.sub(" ", text)
    parts = cleaned.split()
    if not parts or not all(p.isdigit() for p in parts):
        raise AnswerError(f"I could not read {text.strip()!r}: give {_shape_words(asks, count)}.")
    return tuple(int(p) for p in parts)


def parse_count(text: str) -> int:
    """A whole number, thousands separators allowed: ``1,234``, ``1 234``, ``1_234``."""
    cleaned = re.sub(r"[\s,_'’]", "", text)
    if cleaned.isdigit():
        return int(cleaned)
    try:
        value = float(cleaned.translate(_MINUS))
    except ValueError:
        value = math.nan
    if math.isfinite(value) and value == int(value) and value >= 0:
        return int(value)
    raise AnswerError(f"I could not read {text.strip()!r}: give a whole number, like 1,234.")


def parse_real(text: str) -> float:
    """A number: ``1.25``, ``-0.5``, ``−0.5``, ``1,25`` (decimal comma), ``5/4``."""
    cleaned = text.strip().translate(_MINUS).replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        if "/" in cleaned:
            top, bottom = cleaned.split("/")
            return float(top) / float(bottom)
        value = float(cleaned)
    except (ValueError, ZeroDivisionError):
        value = math.nan
    if not math.isfinite(value):
        raise AnswerError(f"I could not read {text.strip()!r}: give a number, like 1.25 or -3.")
    return value


def parse_answer(question: Question, answer):
    """The answer as the question's kind of value (``AnswerError`` when it cannot be read)."""
    asks = question.asks
    if isinstance(answer, bool):
        raise AnswerError(f"{answer!r} is not an answer: give {_expected(question)}.")
    if asks == "cell":
        if isinstance(answer, numbers.Real):
            return float(answer)
        return parse_real(str(answer))
    if asks in ("parameters", "multiply_adds"):
        if isinstance(answer, numbers.Integral):
            return int(answer)
        if isinstance(answer, numbers.Real) and float(answer).is_integer():
            return int(float(answer))
        return parse_count(str(answer))
    count = len(question.answer)
    if isinstance(answer, numbers.Integral):
        return (int(answer),)
    if isinstance(answer, (tuple, list)):
        if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in answer):
            return tuple(int(v) for v in answer)
        answer = " ".join(str(v) for v in answer)
    return parse_whole_numbers(str(answer), asks, count)


def _expected(question: Question) -> str:
    if question.asks == "cell":
        return "a number, like 1.25"
    if question.asks in ("parameters", "multiply_adds"):
        return "a whole number, like 1,234"
    return _shape_words(question.asks, len(question.answer))


def matches(question: Question, given, expected) -> bool:
    """Whether ``given`` counts as ``expected``: exact for whole numbers; a real number as
    shown (``decimals`` decimals), give or take one unit of its last digit."""
    if question.asks == "cell":
        shown = round(float(expected), question.decimals)
        return abs(float(given) - shown) <= 10.0 ** (-question.decimals) * (1 + 1e-9)
    return given == expected


def check(question: Question, answer) -> tuple[bool, str]:
    """``(correct, explanation)``: the explanation gives the arithmetic with its numbers and
    names the common mistake when the wrong answer is exactly the one it produces."""
    try:
        given = parse_answer(question, answer)
    except AnswerError as exc:
        return False, f"{exc} The answer is {question.answer_text}. {question.explanation}"
    if matches(question, given, question.answer):
        return True, f"Right: {question.answer_text}. {question.explanation}"
    shown = answer_text(question.asks, given, question.decimals, question.cell)
    if question.asks in ("output_shape", "receptive_field", "winner"):
        shape_hint = _count_hint(question, given)
        if shape_hint:
            return False, f"{shape_hint} The answer is {question.answer_text}. " + (
                question.explanation
            )
    named = [text for wrong, text in question.mistakes if matches(question, given, wrong)]
    mistake = "".join(f" {text}" for text in named)
    return False, (
        f"Not quite: you answered {shown}; the answer is {question.answer_text}.{mistake} "
        f"{question.explanation}"
    )


def _count_hint(question: Question, given: tuple[int, ...]) -> str:
    """A plain word when the answer has the wrong number of numbers."""
    want = len(question.answer)
    if len(given) == want:
        return ""
    if question.asks == "receptive_field" and want == 4 and len(given) == 2:
        top, left, bottom, right = question.answer
        if given == (bottom - top + 1, right - left + 1):
            return (
                f"{given[0]} × {given[1]} is the field's size; the question asks where it "
                "lies: its first and last row and column."
            )
    return f"The question asks for {_shape_words(question.asks, want)} ({want} numbers)."
