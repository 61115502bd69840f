"""Practice: ten generated questions on a topic, answered one by one, with a score.

The questions come from :mod:`cnnviz.core.quiz` (``generate(topic, seed, n)``: the same seed
gives the same questions, each a little harder than the one before); this module keeps the
session's state: the question asked, the answers given and how long each took, the score,
and the results as a CSV file a lecturer can collect (question, answer given, right answer,
correct, seconds taken). Qt-free: the Practice dialog shows it.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cnnviz.core.files import write_text_atomically

QUESTIONS = 10
CSV_HEADER = ("question", "answer given", "right answer", "correct", "seconds taken")


@dataclass(frozen=True)
class Result:
    """One answered question: what was asked, answered, right, and the seconds it took."""

    question: Any  # a cnnviz.core.quiz Question
    given: str
    correct: bool
    explanation: str
    seconds: float

    def row(self) -> tuple[str, str, str, str, str]:
        return (
            self.question.prompt,
            self.given,
            self.question.answer_text,
            "yes" if self.correct else "no",
            f"{self.seconds:.1f}",
        )


class Practice:
    """A practice session over ``questions`` (``topic`` and ``seed`` name where they came
    from). ``clock`` gives seconds (a test passes its own)."""

    def __init__(
        self,
        questions: Sequence,
        topic: str = "",
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not questions:
            raise ValueError("a practice needs at least one question")
        self.questions = list(questions)
        self.topic, self.seed = topic, seed
        self.clock = clock
        self.results: list[Result] = []
        self.asked_at = clock()

    @classmethod
    def start(cls, topic: str, seed: int, count: int = QUESTIONS, clock=time.monotonic):
        """``count`` questions generated on ``topic`` from ``seed``."""
        from cnnviz.core.quiz import generate

        return cls(generate(topic, seed, count), topic, seed, clock)

    # -- where it stands ------------------------------------------------------------------------
    @property
    def index(self) -> int:
        """The question asked now (0-based); ``len(questions)`` once all are answered."""
        return len(self.results)

    @property
    def finished(self) -> bool:
        return self.index >= len(self.questions)

    def current(self):
        """The question asked now, or None once all are answered."""
        return None if self.finished else self.questions[self.index]

    @property
    def score(self) -> int:
        """How many answers were right."""
        return sum(result.correct for result in self.results)

    def score_text(self) -> str:
        """ "3 of 4 right" so far (of the answered questions)."""
        return f"{self.score} of {len(self.results)} right"

    def progress_text(self) -> str:
        """ "Question 4 of 10", or "Done: 7 of 10 right"."""
        if self.finished:
            return f"Done: {self.score} of {len(self.questions)} right"
        return f"Question {self.index + 1} of {len(self.questions)}"

    # -- answering ------------------------------------------------------------------------------
    def shown(self) -> None:
        """The question asked now is on screen from now on: its seconds count from here (not
        from the last answer, whose explanation the student was reading)."""
        self.asked_at = self.clock()

    def readable(self, answer: str) -> str:
        """ "" when ``answer`` can be read as this question's kind of answer, else what it
        should look like (such an answer is not counted: the student types it again)."""
        from cnnviz.core.quiz import AnswerError, parse_answer

        question = self.current()
        if question is None:
            return "Every question has been answered."
        try:
            parse_answer(question, answer)
        except AnswerError as exc:
            return str(exc)
        return ""

    def answer(self, answer: str) -> Result:
        """Check the answer to the question asked now and move on to the next; ``ValueError``
        once all are answered."""
        from cnnviz.core.quiz import check

        question = self.current()
        if question is None:
            raise ValueError("every question has been answered")
        correct, explanation = check(question, answer)
        seconds = max(0.0, self.clock() - self.asked_at)
        result = Result(question, answer.strip(), correct, explanation, seconds)
        self.results.append(result)
        self.asked_at = self.clock()
        return result

    def wrong(self) -> list[Result]:
        """The answers that were wrong, in order."""
        return [result for result in self.results if not result.correct]

    # -- the results ----------------------------------------------------------------------------
    def csv_text(self) -> str:
        """The answered questions as CSV: a header, then one row per answer."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        writer.writerows(result.row() for result in self.results)
        return out.getvalue()

    def save_csv(self, path) -> None:
        """Write the results atomically (``OSError`` when they cannot be written)."""
        write_text_atomically(path, self.csv_text())

    def file_name(self) -> str:
        """A name for the results: ``practice-output_size-seed-7.csv``."""
        return f"practice-{self.topic or 'questions'}-seed-{self.seed}.csv"
