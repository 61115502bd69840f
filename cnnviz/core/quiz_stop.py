"""Quiz stops: a deck stop that asks the class before it shows.

A stop with a ``"quiz"`` table asks a question over its page; the next PageDown reveals the
answer with its arithmetic, the one after moves on. The question is written out::

    "quiz": {"question": "What size is the output?", "answer": "2 × 2",
             "arithmetic": "(3 − 2) / 1 + 1 = 2 each way", "seconds": 30}

or is a generated question (:mod:`cnnviz.core.quiz`) as its ``to_dict()`` saves it::

    "quiz": {"question": {...a question's dict...}, "seconds": 20}

whose prompt, answer and explanation are the question's own. ``seconds`` (optional) is the
countdown the class gets before the answer. Qt-free: the deck reads it, the window shows it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cnnviz.core.lesson import LessonError

MAX_SECONDS = 3600
MAX_TEXT = 2000


@functools.cache
def quiz_schema():
    """What a quiz table may hold besides its question (read when a deck is, not at start-up:
    the window imports this module before its first paint)."""
    from cnnviz.core.lesson_schema import Field, Optional, Schema, Text, Whole

    text = Text("{what} must be text")
    return Schema(
        (
            Field("answer", text, default="", what="its answer"),
            Field("arithmetic", text, default="", what="its arithmetic"),
            Field("seconds", Optional(Whole(0, MAX_SECONDS)), default=None, what="its countdown"),
        )
    )


@dataclass(frozen=True)
class QuizStop:
    """A question for the class, the answer revealed after it and the arithmetic that gives
    it; ``seconds`` of countdown (0: none); ``generated``: the generated question's dict it
    came from (None: written out by the lecturer)."""

    question: str
    answer: str
    arithmetic: str = ""
    seconds: int = 0
    generated: dict | None = None

    def to_data(self) -> dict:
        """The stop's ``"quiz"`` table, as read by :func:`quiz_from_data`."""
        data: dict = {"question": self.generated if self.generated is not None else self.question}
        if self.generated is None:
            data["answer"] = self.answer
            if self.arithmetic:
                data["arithmetic"] = self.arithmetic
        if self.seconds:
            data["seconds"] = self.seconds
        return data


def answer_text(answer) -> str:
    """A written-out answer given as numbers, as the class reads it: a shape as ``2 × 2``, a
    count with thousands separated. (A generated question's answer is its own
    ``answer_text``, rows and columns counted from 1.)"""
    if isinstance(answer, (list, tuple)):
        return " × ".join(answer_text(part) for part in answer)
    if isinstance(answer, bool):
        return str(answer)
    if isinstance(answer, int):
        return f"{answer:,}"
    if isinstance(answer, float):
        return f"{answer:g}"
    return str(answer)


def _generated(data: dict, where: str) -> tuple[str, str, str]:
    """(prompt, answer, explanation) of a generated question's dict."""
    from cnnviz.core.quiz import Question  # (torch-free; read only by decks that hold one)

    try:
        question = Question.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise LessonError(f"{where} is damaged: its quiz question cannot be read: {exc}") from None
    return question.prompt, question.answer_text, question.explanation


def quiz_from_data(data, where: str = "This stop") -> QuizStop:
    """A stop's ``"quiz"`` table; :class:`LessonError` saying what is wrong with it."""
    if not isinstance(data, dict):
        raise LessonError(f"{where} is damaged: its quiz must be a table with a question")
    answer = data.get("answer")
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        data = data | {"answer": answer_text(answer)}  # "answer": 320 reads as "320"
    try:
        values = quiz_schema().check(data)
    except ValueError as exc:
        raise LessonError(f"{where} is damaged: {exc}") from None
    seconds = values["seconds"] or 0
    question = data.get("question")
    if isinstance(question, dict):
        prompt, answer, arithmetic = _generated(question, where)
        return QuizStop(prompt, answer, arithmetic, seconds, question)
    if not isinstance(question, str) or not question.strip():
        raise LessonError(f"{where} is damaged: its quiz has no question")
    answer = values["answer"].strip()
    if not answer:
        raise LessonError(f"{where} is damaged: its quiz question has no answer")
    if len(question) > MAX_TEXT or len(answer) + len(values["arithmetic"]) > MAX_TEXT:
        raise LessonError(f"{where} is damaged: its quiz is too long for a stop")
    return QuizStop(question.strip(), answer, values["arithmetic"].strip(), seconds)


class QuizWalk:
    """Where a quiz stop stands: asking (the countdown running down) or revealed.

    PageDown at a stop (``forward``) first reveals the answer; at a revealed stop it is the
    deck's, to move on. PageUp (``back``) hides a revealed answer; on a question it is the
    deck's, to go back a stop."""

    def __init__(self, quiz: QuizStop, revealed: bool = False):
        self.quiz = quiz
        self.revealed = revealed
        self.seconds_left = quiz.seconds

    def forward(self) -> bool:
        """PageDown: True when it revealed the answer, False when the deck moves on."""
        if self.revealed:
            return False
        self.revealed = True
        return True

    def back(self) -> bool:
        """PageUp: True when it hid the answer (the question asked again, its countdown
        from the start), False when the deck goes back a stop."""
        if not self.revealed:
            return False
        self.revealed = False
        self.seconds_left = self.quiz.seconds
        return True

    @property
    def counting(self) -> bool:
        """The countdown is running: a question with one, asked, time left."""
        return not self.revealed and self.seconds_left > 0

    def tick(self) -> None:
        """One second has passed."""
        if self.counting:
            self.seconds_left -= 1

    def clock_text(self) -> str:
        """The countdown as shown: "0:25", "Time's up", or "" (none, or revealed)."""
        if self.revealed or not self.quiz.seconds:
            return ""
        if self.seconds_left <= 0:
            return "Time's up"
        minutes, seconds = divmod(self.seconds_left, 60)
        return f"{minutes}:{seconds:02d}"
