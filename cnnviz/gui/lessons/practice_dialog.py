"""Lesson → Practice…: ten generated questions on a topic, answered here, with a score.

A window beside the lessons (not modal: "Show me" opens the lesson page at the question's
settings while it stays). The topic and the seed (shown, changeable: the same seed gives the
same ten questions to the whole class) choose the set; each answer is checked and explained,
and the results can be saved as CSV for the lecturer. The state is a
:class:`~cnnviz.core.practice.Practice`; this window only shows it.
"""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from cnnviz.core.practice import Practice
from cnnviz.core.practice_lessons import lesson_for

MAX_SEED = 999_999
RIGHT, WRONG = "#15803d", "#b91c1c"
SHOW_ME = "Open the lesson page at exactly this question's settings"


class PracticeDialog(QDialog):
    """The practice window of ``window`` (a MainWindow)."""

    def __init__(self, window):
        super().__init__(window)
        from cnnviz.core.quiz import topic_title, topics

        self.window = window
        self.setObjectName("practiceDialog")
        self.setWindowTitle("Practice")
        self.practice: Practice | None = None
        self.result = None  # the last answer's result, until the next question
        self.topic = QComboBox()
        for topic in topics():
            self.topic.addItem(topic_title(topic), topic)
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(random.randrange(1000))
        self.seed.setToolTip("The same topic and seed give the same ten questions")
        self.topic.activated.connect(lambda _index: self.start())
        self.start_button = self._button(
            "New set", "Ten new questions: this topic and seed", self.start
        )
        self.progress, self.score = QLabel(), QLabel()
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.PlainText)
        self.prompt.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.details = QLabel()  # the grids a value question is about
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.answer_edit = QLineEdit()
        self.answer_edit.setPlaceholderText("Your answer (Enter checks it)")
        self.answer_edit.returnPressed.connect(self.check)
        self.check_button = self._button("Check", "Check the answer", self.check)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.PlainText)
        self.show_me = self._button("Show me", SHOW_ME, self.show_lesson)
        self.next_button = self._button("Next question", "On to the next question", self.next)
        self.save_button = self._button(
            "Save results…",
            "The answers as CSV: question, answer, right answer, seconds",
            self.save_dialog,
        )
        self._lay_out()
        self.resize(560, 520)
        window.installEventFilter(self)
        self.start()

    def eventFilter(self, watched, event):  # noqa: N802
        """The window closed (hidden by the program, not minimized): the practice goes too."""
        if watched is self.window and event.type() == QEvent.Hide and not event.spontaneous():
            self.close()
        return False

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAutoDefault(False)  # Enter in the answer checks it, nothing else
        button.clicked.connect(slot)
        return button

    def _lay_out(self) -> None:
        choose = QHBoxLayout()
        for widget in (QLabel("Topic:"), self.topic, QLabel("Seed:"), self.seed):
            choose.addWidget(widget)
        choose.addWidget(self.start_button)
        where = QHBoxLayout()
        where.addWidget(self.progress, 1)
        where.addWidget(self.score)
        answer = QHBoxLayout()
        answer.addWidget(self.answer_edit, 1)
        answer.addWidget(self.check_button)
        buttons = QGridLayout()
        for column, button in enumerate((self.show_me, self.next_button, self.save_button)):
            buttons.addWidget(button, 0, column)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addLayout(where)
        layout.addWidget(self.prompt)
        layout.addWidget(self.details)
        layout.addLayout(answer)
        layout.addWidget(self.feedback, 1, Qt.AlignTop)
        layout.addLayout(buttons)

    # -- the session ----------------------------------------------------------------------------
    def start(self) -> None:
        """Ten questions on the chosen topic from the chosen seed, the first asked."""
        self.practice = Practice.start(self.topic.currentData(), self.seed.value())
        self.ask()

    def ask(self) -> None:
        """Show the question asked now (or the final score), its answer box empty."""
        practice = self.practice
        self.result = None
        question = practice.current()
        self.progress.setText(practice.progress_text())
        self.score.setText(practice.score_text() if practice.results else "")
        self.prompt.setText(question.prompt if question else practice.progress_text() + ".")
        details = question.details() if question else ""
        self.details.setText(details)
        self.details.setVisible(bool(details))
        self.feedback.setText("" if question else "Save the results, or start a new set.")
        self.feedback.setStyleSheet("")
        self.answer_edit.clear()
        self.answer_edit.setEnabled(question is not None)
        self.check_button.setEnabled(question is not None)
        self.show_me.setEnabled(False)
        self.show_me.setToolTip(f"After a wrong answer: {SHOW_ME[0].lower()}{SHOW_ME[1:]}")
        self.next_button.setEnabled(False)
        self.save_button.setEnabled(bool(practice.results))
        if question is not None:
            practice.shown()
            self.answer_edit.setFocus()

    def check(self) -> None:
        """Check the typed answer: an unreadable one says what is expected and is not
        counted; otherwise it is scored and explained."""
        practice, text = self.practice, self.answer_edit.text()
        if practice is None or practice.current() is None or not self.answer_edit.isEnabled():
            return
        problem = practice.readable(text)
        if problem or not text.strip():
            self.feedback.setText(problem or "Type an answer first.")
            self.feedback.setStyleSheet("")
            return
        self.result = practice.answer(text)
        self.feedback.setText(self.result.explanation)
        self.feedback.setStyleSheet(f"color: {RIGHT if self.result.correct else WRONG};")
        self.score.setText(practice.score_text())
        self.answer_edit.setEnabled(False)
        self.check_button.setEnabled(False)
        self.next_button.setEnabled(True)
        self.next_button.setText("See the score" if practice.finished else "Next question")
        self.next_button.setFocus()
        self.save_button.setEnabled(True)
        if not self.result.correct:
            lesson = lesson_for(self.result.question)
            self.show_me.setEnabled(not isinstance(lesson, str))
            self.show_me.setToolTip(lesson if isinstance(lesson, str) else SHOW_ME)

    def next(self) -> None:
        self.ask()

    def show_lesson(self) -> str:
        """Open the lesson page at the last wrong answer's question's settings; "" or why not
        (said under the question)."""
        if self.result is None or self.result.correct:
            return ""
        lesson = lesson_for(self.result.question)
        if isinstance(lesson, str):
            problem = lesson
        else:  # the window keeps its look: presenter mode stays as it is
            lesson.presenter = self.window.presenter
            problem = self.window.lesson_files.apply(lesson, "The question's lesson")
        if problem:
            self.feedback.setText(f"{self.result.explanation}\n\n{problem}")
        return problem

    def save(self, path) -> None:
        """Write the results as CSV (``OSError`` when they cannot be written)."""
        self.practice.save_csv(path)

    def save_dialog(self) -> None:
        if self.practice is None or not self.practice.results:
            return
        start = str(Path.home() / self.practice.file_name())
        path, _ = QFileDialog.getSaveFileName(self, "Save results", start, "CSV files (*.csv)")
        if not path:
            return
        path = path if path.endswith(".csv") else path + ".csv"
        try:
            self.save(path)
            self.window.statusBar().showMessage(f"Saved {path}", 5000)
        except OSError as exc:
            self.feedback.setText(f"Cannot write {Path(path).name}: {exc.strerror or exc}.")


def open_practice(window) -> PracticeDialog:
    """Lesson → Practice…: the window's practice (made the first time), shown and raised."""
    dialog = window.findChild(PracticeDialog, "practiceDialog")
    if dialog is None:
        dialog = PracticeDialog(window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
