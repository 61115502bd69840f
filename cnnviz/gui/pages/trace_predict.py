""" "Predict first" on the Trace page: what the network will say about the drawing, asked
before the forward pass shows; and which input pixels a clicked unit sees, answered by
clicking the two corners of its field on the input, before its field and arithmetic show.

Both questions are the quiz engine's: :func:`cnnviz.core.quiz.class_question` from the
probabilities of the trace in hand (no forward pass on the GUI thread), and
:func:`cnnviz.core.quiz.known_field_question` with the field the page outlines on the input
(traced through every path: branches and asymmetric padding included), so the answer is what
the page then shows. A clicked corner is answered as typed, counted from 1 like the
question's words."""

from __future__ import annotations

import numpy as np

from cnnviz.core.quiz import class_question, known_field_question
from cnnviz.gui.pages.predict_controller import PredictController, short_prompt
from cnnviz.gui.widgets.prediction_box import PredictionBox

CLICK_CORNERS = "Click the first and the last input pixel it sees (two corners) on the input."
HELD = "Predict first: the answer shows once you have predicted it (or pressed Show me)."


def field_question(trace, index: int, row: int, col: int, regions, explanation):
    """The field question of unit (row, col) of node ``index``: its answer is the input box
    the page outlines (``regions[0]``, traced through every path), its words the layer's
    theoretical field (None where the unit reads no input pixel)."""
    found = regions.get(0)
    if found is None or found.box is None:
        return None
    top, left, bottom, right = found.box  # bottom and right exclusive
    field = getattr(explanation, "receptive_field", None)
    theory = {}
    if field is not None and field.size is not None:
        theory = {"size": field.size, "jump": field.jump, "start": field.start}
    return known_field_question(
        trace.nodes[index].label,
        trace.nodes[0].shape,
        (top, left, bottom - 1, right - 1),
        cell=(row, col),
        **theory,
    )


class TracePrediction:
    """The Trace page's "Predict first"; ``box`` sits above the network's maps."""

    def __init__(self, page):
        self.page = page
        self.predict = PredictController()
        self.box = PredictionBox()
        self.box.answered.connect(lambda text: self._after(self.predict.answer(text)))
        self.box.shown.connect(lambda: self._after(self.predict.show_me()))
        self.corners: list[tuple[int, int]] = []
        self.unit = None  # (index, channel, row, col, regions, explanation) held back

    @property
    def on(self) -> bool:
        return self.predict.on

    def set_on(self, on: bool) -> None:
        if self.predict.set_on(on):
            self.box.idle()
            self._reveal()

    # -- what the network says ------------------------------------------------------------------
    def trace_shown(self, trace, class_names, ink: bool) -> None:
        """A new trace is on the page: ask what the network says (its maps wait)."""
        if not (self.on and ink and trace.probabilities is not None):
            return
        question = class_question(np.asarray(trace.probabilities), class_names)
        if self.predict.ask(("class", self.page.shown_id), [question]):
            self.unit = None
            self.box.ask(question.prompt)
            self._hold_maps(True)

    def prediction_text(self, text: str) -> str:
        """The prediction line, or what it says while the question waits."""
        return "What will the network say? Predict first." if self.predict.holds("class") else text

    # -- the field of a clicked unit ------------------------------------------------------------
    def click(self, index: int, row, col) -> bool:
        """A click on the page's maps: a corner while a field question waits (True: taken)."""
        if not self.predict.holds("field"):
            return False
        if index == 0 and row is not None:
            self.corners.append((row + 1, col + 1))  # as the question counts: from 1
            if len(self.corners) == 2:  # in either order
                (r1, c1), (r2, c2) = self.corners
                self.box.click(f"{min(r1, r2)}, {min(c1, c2)}, {max(r1, r2)}, {max(c1, c2)}")
            else:
                self.box.click_hint.setText(
                    f"First corner: row {row + 1}, column {col + 1}. Now the other."
                )
        return True

    def unit_selected(self, index, channel, row, col, regions, explanation) -> bool:
        """A unit was clicked: ask which input pixels it sees; True when its field and
        arithmetic are held back."""
        trace = self.page.trace
        if not self.on or row is None or index == 0 or self.predict.holds("class"):
            return False
        question = field_question(trace, index, row, col, regions, explanation)
        if question is None or not self.predict.ask(
            ("field", index, row, col, self.page.shown_id), [question]
        ):
            return False
        self.unit, self.corners = (index, channel, row, col, regions, explanation), []
        self.box.ask(short_prompt(question), CLICK_CORNERS, question.prompt)
        self.page.overview.show_regions("selected", None)
        self.page.arithmetic.clear(HELD)
        return True

    # -- after the answer -----------------------------------------------------------------------
    def _after(self, verdict) -> None:
        if verdict is not None:
            self.box.tell(verdict.correct, verdict.explanation)
            self._reveal()

    def _hold_maps(self, held: bool) -> None:
        page = self.page
        page.splitter.setVisible(not held)
        page.prediction.setText(self.prediction_text(page.controller.prediction_text()))

    def _reveal(self) -> None:
        """Show what was held: the network's maps, the clicked unit's field and arithmetic."""
        page = self.page
        if page.trace is None:
            return
        self._hold_maps(False)
        if self.unit is not None:
            index, channel, row, col, regions, explanation = self.unit
            self.unit = None
            page.overview.show_regions("selected", regions, (index, channel, row, col))
            page.arithmetic.set_explanation(explanation)
