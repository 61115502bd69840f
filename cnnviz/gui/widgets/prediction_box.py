"""PredictionBox: "Predict first" on a lesson page — the question, the student's answer, the
verdict and its explanation, in type large enough for a projector."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from cnnviz.gui.appearance.look import named

RIGHT_COLOUR, WRONG_COLOUR, SHOWN_COLOUR = "#15803d", "#b91c1c", "#1d4ed8"


class WrappedLabel(QLabel):
    """A word-wrapped label that keeps the height its lines need at its width: a page short
    of room squeezes its grids, never the question or its explanation."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.RichText)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._keep_height()

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._keep_height()

    def _keep_height(self) -> None:
        needed = self.heightForWidth(self.width()) if self.width() > 0 else 0
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)


class PredictionBox(QFrame):
    """Asks one question at a time. Typed answers come as :attr:`answered` (Enter or Check);
    in click mode the page sends the clicked cell through :meth:`click` instead. "Show me"
    (:attr:`shown`) skips the question, so that a lesson never gets stuck."""

    answered = Signal(str)
    shown = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.prompt = WrappedLabel()
        named(self.prompt, "arithmetic")  # the lesson's large, framed type
        self.field = QLineEdit()
        self.field.setPlaceholderText("Your answer")
        self.field.setToolTip(
            "Type your prediction and press Enter: a size as 6 × 6 (or 6x6), a number as shown"
        )
        self.field.setClearButtonEnabled(True)
        self.field.returnPressed.connect(self._on_check)
        self.click_hint = QLabel()
        named(self.click_hint, "hint")
        self.check_button = QPushButton("Check")
        self.check_button.setToolTip("Check your answer (Enter)")
        self.check_button.clicked.connect(self._on_check)
        self.show_button = QPushButton("Show me")
        self.show_button.setToolTip("Skip the question: show the answer and the result")
        self.show_button.clicked.connect(self.shown.emit)
        self.verdict = WrappedLabel()
        # the type of the size formula under the grids: large enough for the back row, and
        # an explanation of four lines still leaves the grids their room at 1280×800
        named(self.verdict, "formula")
        self.verdict.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.field.setMinimumWidth(160)
        row = QHBoxLayout()
        row.addWidget(self.prompt, 3)
        row.addWidget(self.field, 1)
        row.addWidget(self.click_hint, 2)
        row.addWidget(self.check_button)
        row.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        self.clicking = False
        self.idle()

    # -- what the page asks ---------------------------------------------------------------------
    def ask(self, prompt: str, click: str = "", whole: str = "") -> None:
        """Show ``prompt`` and wait. ``click``: the answer is a click ("Click the winning cell
        on the input grid"), said instead of the answer field; ``whole``: the question in
        full, as the prompt's tooltip."""
        self.clicking = bool(click)
        self.prompt.setText(f"<b>Predict:</b> {escape(prompt)}")
        self.prompt.setToolTip(whole)
        self.field.clear()
        self.field.setVisible(not self.clicking)
        self.check_button.setVisible(not self.clicking)
        self.click_hint.setText(click)
        self.click_hint.setVisible(self.clicking)
        self.show_button.setEnabled(True)
        self.check_button.setEnabled(True)
        self.field.setEnabled(True)
        self.verdict.setVisible(bool(self.verdict.text()))  # the last stays till the next
        self.show()
        if not self.clicking and self.isVisible():
            self.field.setFocus(Qt.OtherFocusReason)

    def click(self, answer: str) -> bool:
        """A cell clicked while the box waits for a click: sent as the answer."""
        if not (self.clicking and self.waiting()):
            return False
        self.answered.emit(answer)
        return True

    def tell(self, correct: bool | None, explanation: str) -> None:
        """The verdict (None: shown, not answered) and its explanation (the quiz engine's,
        which says right or wrong in words); nothing waits now."""
        colour, mark = {
            True: (RIGHT_COLOUR, "✔ "),
            False: (WRONG_COLOUR, "✘ "),
            None: (SHOWN_COLOUR, "The answer: "),
        }[correct]
        text = escape(explanation).replace("\n", "<br>")
        self.verdict.setText(f"<b style='color:{colour}'>{mark}</b>{text}")
        self.verdict.show()
        self._stop_waiting()

    def waiting(self) -> bool:
        """Whether a question waits for its answer."""
        return self.show_button.isEnabled()

    def done(self) -> None:
        """The question waiting was dropped (the lesson moved on): the last verdict stays,
        the box goes when there is none."""
        self._stop_waiting()
        self.prompt.clear()
        if not self.verdict.text():
            self.hide()

    def idle(self) -> None:
        """Nothing asked and nothing to say: the box is hidden."""
        self._stop_waiting()
        self.verdict.clear()
        self.hide()

    def _stop_waiting(self) -> None:
        self.clicking = False
        for widget in (self.field, self.check_button, self.show_button):
            widget.setEnabled(False)
        self.click_hint.setText("")

    def _on_check(self) -> None:
        text = self.field.text().strip()
        if self.clicking or not self.waiting():
            return
        if not text:
            self.field.setPlaceholderText("Type your answer first (or Show me)")
            return
        self.answered.emit(text)
