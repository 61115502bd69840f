"""Lesson → Practice…: ten seeded questions answered in the window, a wrong one shown on its
lesson page ("Show me"), the score, and the results saved as CSV."""

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from cnnviz.core.practice import CSV_HEADER
from cnnviz.core.practice_lessons import lesson_for
from cnnviz.core.quiz import generate

pytest.importorskip("torch")


def practice_action(window):
    return next(a for _, a in window.menus.actions if a.text() == "P&ractice…")


def wrong_answer(question) -> str:
    if question.asks == "output_shape":
        return " × ".join(str(v + 1) for v in question.answer)
    return str(question.answer + 7)


def test_practice_with_show_me_and_a_saved_result(qtbot, main_window, tmp_path, monkeypatch):
    from cnnviz.gui.lessons import practice_dialog

    action = practice_action(main_window)
    assert QKeySequence("Ctrl+Shift+T") in action.shortcuts()
    action.trigger()
    dialog = main_window.findChild(practice_dialog.PracticeDialog)
    assert dialog.isVisible()
    dialog.topic.setCurrentIndex(dialog.topic.findData("output_sizes"))
    dialog.seed.setValue(5)
    qtbot.mouseClick(dialog.start_button, Qt.LeftButton)
    questions = generate("output_sizes", 5, 10)
    assert dialog.practice.questions == questions
    assert dialog.progress.text() == "Question 1 of 10" and dialog.prompt.text() == (
        questions[0].prompt
    )

    qtbot.keyClicks(dialog.answer_edit, questions[0].answer_text)
    qtbot.keyClick(dialog.answer_edit, Qt.Key_Return)
    assert dialog.feedback.text().startswith("Right") and dialog.score.text() == "1 of 1 right"
    assert not dialog.show_me.isEnabled() and dialog.next_button.isEnabled()
    qtbot.mouseClick(dialog.next_button, Qt.LeftButton)

    dialog.answer_edit.setText("a lot")  # unreadable: said, not counted
    dialog.check()
    assert dialog.practice.index == 1 and dialog.answer_edit.isEnabled()
    assert dialog.feedback.text() != ""
    dialog.answer_edit.setText(wrong_answer(questions[1]))
    dialog.check()
    assert "Not quite" in dialog.feedback.text() and dialog.score.text() == "1 of 2 right"
    lesson = lesson_for(questions[1])
    assert dialog.show_me.isEnabled()
    main_window.set_look(presenter=True)
    qtbot.mouseClick(dialog.show_me, Qt.LeftButton)
    assert main_window.presenter  # the window keeps its look
    main_window.set_look(presenter=False)
    page = main_window.current_page()
    assert page.title == lesson.page
    shown = page.lesson_state()
    assert {key: shown[key] for key in lesson.state if key != "relu"} == {
        key: value for key, value in lesson.state.items() if key != "relu"
    }
    assert page.step_bar.index == page.step_count() - 1  # a size: the whole output shown
    assert dialog.isVisible()  # the practice stays beside the page

    for question in questions[2:]:
        dialog.next()
        dialog.answer_edit.setText(question.answer_text)
        dialog.check()
    assert dialog.next_button.text() == "See the score"
    dialog.next()
    assert dialog.progress.text() == "Done: 9 of 10 right" and not dialog.answer_edit.isEnabled()

    chosen = tmp_path / "class-results"  # the suffix is added
    monkeypatch.setattr(
        practice_dialog.QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), "")
    )
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    rows = list(csv.reader((tmp_path / "class-results.csv").open(encoding="utf-8")))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == 11
    assert rows[2][:4] == [
        questions[1].prompt,
        wrong_answer(questions[1]),
        questions[1].answer_text,
        "no",
    ]
    assert all(float(row[4]) >= 0 for row in rows[1:])
    assert [p.name for p in tmp_path.iterdir()] == ["class-results.csv"]


def test_show_me_says_why_when_no_page_shows_the_layer(main_window):
    from cnnviz.gui.lessons.practice_dialog import PracticeDialog, open_practice

    dialog = open_practice(main_window)
    assert open_practice(main_window) is dialog  # one practice per window
    dialog.topic.setCurrentIndex(dialog.topic.findData("receptive_fields"))
    dialog.seed.setValue(1)
    dialog.start()
    question = dialog.practice.current()
    dialog.answer_edit.setText(" × ".join(str(v + 1) for v in question.answer))
    dialog.check()
    assert not dialog.result.correct and not dialog.show_me.isEnabled()
    assert dialog.show_me.toolTip().startswith("No lesson page shows a stack of layers")
    assert main_window.findChildren(PracticeDialog) == [dialog]
