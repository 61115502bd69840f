"""Reading a student's answer leniently, and checking it against a question."""

from __future__ import annotations

import math
import numbers
import re

from .question import Question, answer_text

# words and marks that may stand between the numbers of a typed list: "6x6", "6 × 6",
# "(1, 2)", "row 1 col 2", "rows 1 to 5, columns 3–7" (a range: a word, a dash, or a hyphen
# between two numbers, see _RANGE_HYPHEN)
_SEPARATORS = re.compile(
    r"rows?|columns?|cols?|by|and|to|through|from|height|width|[x×X*,;:()\[\]{}–—/|]",
    re.IGNORECASE,
)
# a whole number; a minus (or "−") right before it is its sign where it does not follow a
# digit (at the start, or after a separator): "-1, 0", "(−1,2)", "6 x -6"
_WHOLE = re.compile(r"(?<!\d)[-−](?=\d)\d+|\d+")
# a hyphen between two digits, touching both ("1-5") or spaced on both sides ("1 - 5"), is a
# range as students type it; spaced on one side only it is the next number's sign ("-3 -3")
_RANGE_HYPHEN = re.compile(r"(?<=\d)(?:-|\s+-\s+)(?=\d)")
_LABELS = re.compile(r"\b(rows?|col(?:umn)?s?)\b", re.IGNORECASE)
_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-"})


class AnswerError(ValueError):
    """An answer that cannot be read; the message says what was expected, plainly."""


def _shape_words(asks: str, count: int) -> str:
    if asks == "winner":
        return "the row and column of the input cell, counted from 1, like 1, 2"
    if asks == "receptive_field" and count == 4:
        return (
            "the field's top-left and bottom-right pixels (row, column, counted from 1), like "
            "1,3 to 5,7, or rows 1 to 5, columns 3 to 7"
        )
    if count == 3:
        return "channels × height × width, like 6 × 4 × 4"
    return "height × width in whole numbers, like 6x6"


def _labelled(text: str, values: list[int]) -> list[int]:
    """Numbers typed after the words "row(s)" and "column(s)", rows first or columns first
    ("rows 1 to 5, columns 3 to 7"; "column 2, row 1"), as corners: (row, column) or (top,
    left, bottom, right)."""
    labels = [m.group(1).lower()[:3] for m in _LABELS.finditer(text)]
    if len(labels) != 2 or len(set(labels)) != 2 or not _LABELS.match(text.strip()):
        return values
    half = len(values) // 2
    if len(values) not in (2, 4):
        return values
    first, second = values[:half], values[half:]
    rows, cols = (first, second) if labels[0] == "row" else (second, first)
    return [rows[0], cols[0], *([rows[1], cols[1]] if half == 2 else [])]


def parse_whole_numbers(text: str, asks: str, count: int) -> tuple[int, ...]:
    """The whole numbers of a typed answer as typed (``AnswerError`` naming the form asked;
    ``count`` is how many the question wants). A minus sign before a number makes it
    negative; a box typed as "rows 1 to 5, columns 3 to 7" comes back as its corners (1, 3,
    5, 7)."""
    text = _RANGE_HYPHEN.sub(" to ", text)
    values = [int(m.group().replace("−", "-")) for m in _WHOLE.finditer(text)]
    rest = _SEPARATORS.sub(" ", _WHOLE.sub(" ", text))
    if not values or rest.strip():
        raise AnswerError(f"I could not read {text.strip()!r}: give {_shape_words(asks, count)}.")
    return tuple(_labelled(text, values))


def counts_from_one(question: Question) -> bool:
    """Whether the answer is made of positions (rows and columns), typed counting from 1."""
    return question.asks == "winner" or (
        question.asks == "receptive_field" and len(question.answer) == 4
    )


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


def parse_class(question: Question, answer) -> str:
    """The class named by ``answer``: its name (any case) or its index (an int, or typed)."""
    names = [str(n) for n in question.settings["class_names"]]
    if isinstance(answer, numbers.Integral):
        index = int(answer)
    else:
        text = str(answer).strip()
        lowered = [n.lower() for n in names]
        if text.lower() in lowered:  # a name first: names may be digits ("7")
            return names[lowered.index(text.lower())]
        index = int(text) if re.fullmatch(r"\d+", text) else -1
    if 0 <= index < len(names):
        return names[index]
    raise AnswerError(
        f"{str(answer).strip()!r} is not one of its classes: give {_expected(question)}."
    )


def parse_answer(question: Question, answer):
    """The answer as the question's kind of value (``AnswerError`` when it cannot be read).

    Positions (a winner's row and column, a field's box) typed as text count from 1, as the
    question's words do, and come back counted from 0, like ``question.answer``; a tuple or
    list of ints is taken as counted from 0 already."""
    asks = question.asks
    if isinstance(answer, bool):
        raise AnswerError(f"{answer!r} is not an answer: give {_expected(question)}.")
    if asks == "class":
        return parse_class(question, answer)
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
    given = parse_whole_numbers(str(answer), asks, count)
    if counts_from_one(question) and len(given) == count:
        return tuple(v - 1 for v in given)
    return given


def _expected(question: Question) -> str:
    if question.asks == "class":
        names = question.settings["class_names"]
        return f"a class's name or its number (0 to {len(names) - 1}), like {names[0]}"
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
    named += _slip(question, given, isinstance(answer, str))
    mistake = "".join(f" {text}" for text in named)
    return False, (
        f"Not quite: you answered {shown}; the answer is {question.answer_text}.{mistake} "
        f"{question.explanation}"
    )


def _slip(question: Question, given, typed: bool) -> list[str]:
    """Words for a wrong answer that no layer's mistake explains: positions typed counting
    from 0; the probability the network gives the class named."""
    if question.asks == "class":
        names = question.settings["class_names"]
        p = question.settings["probabilities"][names.index(given)]
        return [f"The network gives {given} {100 * p:.1f}%."]
    if typed and counts_from_one(question) and given == tuple(a - 1 for a in question.answer):
        return [
            "That is the answer counted from 0: rows and columns count from 1 here, as on "
            "the pages (the first row is row 1)."
        ]
    return []


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
