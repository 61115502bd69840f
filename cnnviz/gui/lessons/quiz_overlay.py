"""A deck's quiz stop over the page: the question in type for the back row, then the answer.

While the class thinks, the question covers the page (whose grids would give the answer
away), with the countdown the lecturer set; once revealed, the answer and its arithmetic sit
in a band at the foot of the page, which shows its result above it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from cnnviz.core.quiz_stop import QuizWalk

# point sizes in presenter mode (a projector's back row); the normal look takes 3/4 of them
SIZES = {"question": 30, "clock": 44, "answer": 30, "arithmetic": 20, "hint": 12}
MARGIN = 0.04  # of the page's room, around the question
ASK_HINT = "PageDown: the answer"
ANSWER_HINT = "PageDown: the next stop · PageUp: the question again"


class QuizOverlay(QFrame):
    """Shows a :class:`~cnnviz.core.quiz_stop.QuizWalk` over ``room`` (the pages' room),
    following its size; hidden while there is none to show."""

    def __init__(self, room: QWidget):
        super().__init__(room)
        self.setObjectName("quizOverlay")
        self.room = room
        self.walk: QuizWalk | None = None
        self.presenter = False
        self.labels: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 6, 20, 6)
        layout.setSpacing(2)  # the revealed band takes as little of the page as it can
        layout.addStretch(1)
        for key in ("question", "clock", "answer", "arithmetic", "hint"):
            label = QLabel()
            label.setObjectName(f"quiz_{key}")
            label.setAlignment(Qt.AlignCenter)
            label.setWordWrap(True)
            label.setTextFormat(Qt.PlainText)  # the lecturer's text as written, line breaks too
            layout.addWidget(label)
            self.labels[key] = label
        layout.addStretch(1)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._on_second)
        room.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched, event):  # noqa: N802
        if watched is self.room and event.type() == QEvent.Resize and self.isVisible():
            self._place()
        return False

    def show_walk(self, walk: QuizWalk | None, presenter: bool = False) -> None:
        """Show ``walk`` (asking or revealed) in the look of ``presenter`` mode; None hides."""
        self.walk, self.presenter = walk, presenter
        if walk is None:
            self.timer.stop()
            self.hide()
            return
        self._style()
        self._fill()
        self.show()
        self.raise_()
        self._place()
        if walk.counting:
            self.timer.start()
        else:
            self.timer.stop()

    def _on_second(self) -> None:
        if self.walk is None or not self.walk.counting:
            self.timer.stop()
            return
        self.walk.tick()
        self.labels["clock"].setText(self.walk.clock_text())
        if not self.walk.counting:
            self.timer.stop()

    def _fill(self) -> None:
        walk = self.walk
        quiz, revealed = walk.quiz, walk.revealed
        texts = {
            "question": "" if revealed else quiz.question,
            "clock": walk.clock_text(),
            # a grid of numbers keeps its rows aligned under its own heading
            "answer": ("Answer:\n" if "\n" in quiz.answer else "Answer: ") + quiz.answer
            if revealed
            else "",
            "arithmetic": quiz.arithmetic if revealed else "",
            "hint": ANSWER_HINT if revealed else ASK_HINT,
        }
        for key, label in self.labels.items():
            label.setText(texts[key])
            label.setVisible(bool(texts[key]) or (key == "clock" and walk.counting))

    def _style(self) -> None:
        scale = 1.0 if self.presenter else 0.75
        sheets = [
            "QFrame#quizOverlay { background: palette(window);"
            " border: 3px solid palette(highlight); border-radius: 10px; }"
        ]
        for key, size in SIZES.items():
            weight = "bold" if key in ("question", "answer", "clock") else "normal"
            points = round(size * scale)
            sheets.append(f"QLabel#quiz_{key} {{ font-size: {points}pt; font-weight: {weight}; }}")
        self.setStyleSheet("\n".join(sheets))

    def _place(self) -> None:
        """Asking: over the whole room but a margin. Revealed: a band at its foot, as tall as
        the answer needs (never more than half the room)."""
        room = self.room.rect()
        dx, dy = round(room.width() * MARGIN), round(room.height() * MARGIN)
        width = room.width() - 2 * dx
        if self.walk is None or not self.walk.revealed:
            self.setGeometry(room.adjusted(dx, dy, -dx, -dy))
            return
        self.layout().activate()
        height = min(self.heightForWidth(width), room.height() // 2)
        if height <= 0:
            height = min(self.sizeHint().height(), room.height() // 2)
        self.setGeometry(dx, room.height() - height - dy // 2, width, height)
