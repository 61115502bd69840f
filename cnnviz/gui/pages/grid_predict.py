"""PredictingGridPage: "Predict first" on the step-through grid lessons.

While the window's switch is on, a new set of settings asks its questions first (the output
size; the Grouped lesson's weights and multiplications) with the results held back: the output
grids' cells hidden, their sizes and the formula not said. Then each step asks for its output
cell (max pooling: which input cell wins, clicked on the input grid) before the cell and the
step's arithmetic show. The questions are the quiz engine's (:mod:`cnnviz.core.quiz`), asked
by each page's :meth:`settings_questions` and :meth:`step_question`; the asking and waiting is
a Qt-free :class:`~cnnviz.gui.pages.predict_controller.PredictController`.
"""

from __future__ import annotations

import json

from cnnviz.gui.pages.grid_lesson import GridLessonPage
from cnnviz.gui.pages.predict_controller import PredictController, short_prompt
from cnnviz.gui.widgets.prediction_box import PredictionBox

HELD_FORMULA = "The result is held back until you predict it (or press Show me)."
CLICK_WINNER = "Click the winning cell on the input grid."


def question_key(questions) -> str:
    """A key naming what a list of questions is about (their settings and what they ask)."""
    return json.dumps(
        [(q.settings, q.asks, q.cell) for q in questions], sort_keys=True, default=str
    )


class PredictingGridPage(GridLessonPage):
    """A grid lesson that can ask before it shows. Subclasses say what to ask."""

    predicts = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.predict = PredictController()
        self.prediction_box = PredictionBox()
        self.prediction_box.answered.connect(self.take_prediction)
        self.prediction_box.shown.connect(self.show_prediction)
        self._settings_key = ""  # the settings the output-size questions were asked about

    # -- what each page asks ----------------------------------------------------------------------
    def settings_questions(self) -> list:
        """The questions the current settings ask first (none by default)."""
        return []

    def step_question(self, step):
        """The question asked before ``step`` shows, or None."""
        return None

    def masks(self, step) -> bool:
        """Whether ``step`` computes one output cell (its later cells are held back)."""
        return hasattr(step, "row") and hasattr(step, "col")

    def result_grids(self) -> list:
        """The grids whose numbers and size are held back while the settings' questions wait."""
        return list(self.output_grids)

    def held_title(self, grid) -> str:
        """A result grid's title while its size is held back."""
        return "<b>Output</b> · ?×?"

    # -- the switch -------------------------------------------------------------------------------
    def set_predict_first(self, on: bool) -> None:
        if not self.predict.set_on(on):
            return
        if on:  # what is on screen now was seen already: asking starts with the next change
            self._settings_key = question_key(self.settings_questions())
            self.predict.answered.add(("size", self._settings_key))
            if (found := self._step_key()) is not None:
                self.predict.answered.add(found[0])
        self.prediction_box.idle()
        self.reveal()

    def assemble(self) -> None:
        super().assemble()
        self.answer_clicks(self.input_grids)
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.arithmetic), self.prediction_box)

    # -- asking -----------------------------------------------------------------------------------
    def recompute(self, step_index: int | None = None) -> bool:
        shown = super().recompute(step_index)
        if shown and self.predict.on:
            questions = self.settings_questions()
            self._settings_key = question_key(questions)
            self._ask(("size", self._settings_key), questions)
            self._ask_step()
            self.hold()
        return shown

    def load_preset(self, index: int) -> None:
        self.predict.forget()  # an example chosen is asked about afresh, even the same one
        super().load_preset(index)

    def _show_step(self, index: int) -> None:
        super()._show_step(index)
        if self.predict.on and not self._showing_plan:  # (recompute asks once it is done)
            self._ask_step()
            self.hold()

    def _step_key(self):
        """The moment of the step shown: its index and its question (None: nothing to ask)."""
        if self.plan is None or not len(self.plan):
            return None
        question = self.step_question(self.plan[self.step_bar.index])
        if question is None:
            return None
        return ("step", self.step_bar.index, question_key([question])), question

    def _ask_step(self) -> None:
        """Ask about the step shown, unless the settings' questions wait or it was asked."""
        if self.predict.holds("size"):
            return
        key, question = self._step_key() or (("step",), None)
        questions = [question] if question is not None else []
        if self._ask(key, questions):
            self.step_bar.stop()

    def _ask(self, key, questions) -> bool:
        """Ask about the moment ``key`` unless it waits already (what the student is typing
        stays); a question of the same kind about another moment is dropped. Returns whether
        it was asked now."""
        if self.predict.held and self.predict.key == key:
            return False
        if self.predict.holds(key[0]):  # the settings or the step changed under it
            self.predict.release()
            self.prediction_box.done()
        if self.predict.ask(key, questions):
            self._ask_waiting()
            return True
        return False

    def _ask_waiting(self) -> None:
        question = self.predict.question
        click = CLICK_WINNER if question.asks == "winner" else ""
        self.prediction_box.ask(short_prompt(question), click, question.prompt)

    def take_prediction(self, text: str) -> None:
        """The student's answer to the question waiting (typed, or a clicked cell)."""
        verdict = self.predict.answer(text)
        if verdict is not None:
            self._after_answer(verdict)

    def show_prediction(self) -> None:
        """ "Show me": the question waiting is skipped; its answer and the result show."""
        verdict = self.predict.show_me()
        if verdict is not None:
            self._after_answer(verdict)

    def _after_answer(self, verdict) -> None:
        self.prediction_box.tell(verdict.correct, verdict.explanation)
        if self.predict.held:  # the same settings ask another question
            self._ask_waiting()
            return
        self.reveal()
        self._ask_step()  # the step shown may ask its own question now
        self.hold()

    # -- holding back and revealing -------------------------------------------------------------
    def hold(self) -> None:
        """Hide what the waiting question is about (and, while predicting, the cells after
        the step shown)."""
        if self.predict.holds("size"):
            for grid in self.result_grids():
                grid.view.hide()
                grid.set_title(self.held_title(grid))
            self.formula.setText(HELD_FORMULA)
        if self.predict.held:  # the step's arithmetic would give the answer; its room is the
            self.arithmetic.setText("")  # box's while the question waits
            self.arithmetic.hide()
        if self.predict.holds("step"):
            if self.predict.question.asks == "winner":  # the winner's mark would tell
                for grid in self.input_grids:
                    marks = grid.model.highlights
                    grid.model.set_highlights(
                        {cell: "window" if s == "winner" else s for cell, s in marks.items()}
                    )
        if self.plan is not None and len(self.plan):
            self.mask_outputs(self.plan[self.step_bar.index])

    def reveal(self) -> None:
        """Show everything the settings and the step give (nothing waits now)."""
        for grid in self.result_grids():
            grid.view.show()
        self.arithmetic.show()
        if self.plan is None:
            return
        self._showing_plan = True
        try:
            self.show_plan()
            self.grid_area.fit()
        finally:
            self._showing_plan = False
        if len(self.plan):
            super()._show_step(self.step_bar.index)
            self.mask_outputs(self.plan[self.step_bar.index])

    def highlight_outputs(self, step) -> None:
        super().highlight_outputs(step)
        self.mask_outputs(step)

    def mask_outputs(self, step) -> None:
        """While predicting, the output cells not computed yet show "?" — and the step's own
        cell while its question waits; off, every number shows."""
        grids = self.output_grids
        for k, grid in enumerate(grids):
            first = None
            if self.predict.on and self.masks(step) and len(self.plan) % len(grids) == 0:
                _, pending, _ = self.lesson.output_marks(step, k, len(grids))
                waiting = self.predict.holds("step")
                first = 0 if pending == -1 else None if pending is None else pending + 1 - waiting
            grid.model.set_hidden_from(first)

    def copy_output(self) -> str:
        if self.predict.held:  # the Edit menu does not give the answer away
            self.hint.setText("The output is held back until you predict it.")
            return ""
        return super().copy_output()

    def wire_grids(self, inputs: list, outputs: list) -> None:
        super().wire_grids(inputs, outputs)
        self.answer_clicks(inputs)

    def answer_clicks(self, inputs: list) -> None:
        """Let clicks on these input grids answer a "which cell" question (once per grid)."""
        for ch, grid in enumerate(inputs):
            if not grid.view.property("answersClicks"):
                grid.view.setProperty("answersClicks", True)
                grid.view.cell_clicked.connect(lambda r, c, k=ch: self.input_clicked(k, r, c))

    def input_clicked(self, channel: int, row: int, col: int) -> None:
        """A click on an input grid (its padded coordinates) answers a "which cell" question;
        a padding cell is no answer (max pooling pads with −∞: it never wins)."""
        if not self.prediction_box.clicking:
            return
        answer = self.clicked_answer(channel, row, col)
        if answer is None:
            self.prediction_box.click_hint.setText(
                "That is padding: it never wins (max pooling pads with −∞). Click an input cell."
            )
        else:
            self.prediction_box.click(answer)

    def clicked_answer(self, channel: int, row: int, col: int) -> str | None:
        """The answer a click on the padded input grid gives (the input's row and column,
        typed as the student would: counted from 1), None for a padding cell."""
        plan = getattr(self.plan, "forward", self.plan)  # (the Backward page's pooling)
        top, left = tuple(getattr(plan, "padding", (0, 0)))[:2]
        _, height, width = self.inputs.shape
        if not (0 <= row - top < height and 0 <= col - left < width):
            return None
        return f"{row - top + 1}, {col - left + 1}"
