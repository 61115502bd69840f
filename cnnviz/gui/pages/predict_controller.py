"""PredictController: "Predict first" on a lesson page, Qt-free.

While the switch is on, the page asks before a result appears: it hands the controller the
questions of one moment (the output size of these settings, the value of this step's cell)
under a key naming that moment, and holds the result back while :attr:`held` says so. The
controller keeps which moments have been answered (a step gone back to is not asked again),
checks each answer with :func:`cnnviz.core.quiz.check` and keeps the verdict to show. The page
(through :class:`~cnnviz.gui.widgets.prediction_box.PredictionBox`) shows the prompt and the
verdict; the arithmetic is always the quiz engine's, never this class's.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The outcome of one question: right or wrong (None: the student asked to be shown), the
    explanation with its numbers, and the answer given ("" when shown)."""

    correct: bool | None
    explanation: str
    given: str = ""


GRADIENTS = {"grad_weight": "∂L/∂W", "grad_input": "∂L/∂X"}


def short_prompt(question) -> str:
    """The question as a page asks it, short enough for the back row: the page shows the
    layer and highlights the cell, so the words need not (the quiz engine's whole prompt is
    the box's tooltip)."""
    asks = question.asks
    if asks == "output_shape":
        if len(question.answer) == 3:
            return "What shape (channels × height × width) is its output?"
        return "What size (height × width) is the output?"
    if asks == "cell":
        grad = GRADIENTS.get(question.settings.get("of", ""))
        if grad:
            return f"What number goes in the highlighted cell of {grad}?"
        return "What number goes in the highlighted output cell?"
    if asks == "winner":
        return "Which input cell wins the highlighted window?"
    if asks == "parameters":
        return "How many parameters (weights and biases) has this layer?"
    if asks == "multiply_adds":
        return "How many multiply-adds does this layer take for one image?"
    if asks == "receptive_field":
        if len(question.answer) == 4:
            return "Which input pixels does this unit see?"
        return "How large (rows × columns) is its receptive field?"
    return question.prompt


def _engine_check(question, answer):
    from cnnviz.core.quiz import check

    return check(question, answer)


class PredictController:
    """What is being asked on a page and whether its result is held back.

    ``check(question, answer) -> (correct, explanation)`` is the quiz engine's (injected for
    tests only as the engine itself)."""

    def __init__(self, check: Callable = _engine_check):
        self.check = check
        self.on = False
        self.key: Hashable | None = None  # the moment asked about now (None: nothing asked)
        self.queue: list = []  # its questions still to come, the one asked first
        self.answered: set = set()  # the moments answered or shown
        self.verdict: Verdict | None = None  # the last answer's, shown until the next question
        self.score = [0, 0]  # right answers, questions answered

    # -- the switch -----------------------------------------------------------------------------
    def set_on(self, on: bool) -> bool:
        """Turn predicting on or off; returns whether it changed. Off releases what is held."""
        on = bool(on)
        if on == self.on:
            return False
        self.on = on
        if not on:
            self.release()
            self.verdict = None
        return True

    # -- asking ---------------------------------------------------------------------------------
    @property
    def question(self):
        """The question waiting for an answer, or None."""
        return self.queue[0] if self.queue else None

    @property
    def held(self) -> bool:
        """Whether a result is held back: a question waits for its answer."""
        return self.question is not None

    def holds(self, kind: str) -> bool:
        """Whether the moment waiting is of ``kind`` (a key's first item: "size", "step", ...)."""
        return self.held and isinstance(self.key, tuple) and self.key[:1] == (kind,)

    def ask(self, key: Hashable, questions: Sequence) -> bool:
        """Ask ``questions`` (in turn) about the moment ``key``, unless predicting is off, the
        moment was answered already or there is nothing to ask. Returns whether the result of
        that moment is now held back. A new moment replaces one still waiting (the student
        moved on: the earlier one counts as shown)."""
        if key == self.key and self.held:
            return True
        questions = [q for q in questions if q is not None]
        if not self.on or key in self.answered or not questions:
            return False
        self.release()
        self.key, self.queue, self.verdict = key, questions, None
        return True

    def answer(self, text) -> Verdict | None:
        """Check ``text`` against the waiting question: the verdict (kept in :attr:`verdict`),
        or None when nothing waits. The next question of the moment, if any, waits next."""
        question = self.question
        if question is None:
            return None
        correct, explanation = self.check(question, text)
        self.verdict = Verdict(bool(correct), explanation, str(text))
        self.score[0] += bool(correct)
        self.score[1] += 1
        self._next()
        return self.verdict

    def show_me(self) -> Verdict | None:
        """The student skips: the waiting question's answer and explanation are the verdict."""
        question = self.question
        if question is None:
            return None
        self.verdict = Verdict(None, f"{question.answer_text}. {question.explanation}")
        self._next()
        return self.verdict

    def _next(self) -> None:
        self.queue.pop(0)
        if not self.queue:
            self.answered.add(self.key)

    def release(self) -> None:
        """Stop waiting: the moment asked about counts as shown."""
        if self.queue:
            self.answered.add(self.key)
        self.queue = []

    def forget(self, keep: Callable[[Hashable], bool] = lambda key: False) -> None:
        """Forget the moments answered (all, or those ``keep`` does not keep): the settings
        changed, so their questions are new ones."""
        self.answered = {key for key in self.answered if keep(key)}
