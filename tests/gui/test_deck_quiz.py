"""A deck's quiz stop in the window: PageDown asks, reveals the answer on the page, moves on;
PageUp goes back; the countdown runs; the question leaves the stop's page with it."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from cnnviz.core.deck import Deck, Stop, lecture_deck
from cnnviz.core.lesson import Lesson
from cnnviz.core.quiz_stop import QuizStop

pytest.importorskip("torch")


def press(qtbot, window, key) -> None:
    window.activateWindow()
    qtbot.keyClick(window, key)


def texts(view) -> dict:
    return {k: label.text() for k, label in view.labels.items() if label.isVisibleTo(view)}


def test_a_quiz_stop_is_asked_then_revealed_with_page_down(qtbot, main_window):
    decks = main_window.deck
    stop = lecture_deck().stops[0]
    assert stop.quiz is not None and decks.open_lecture() == ""
    view, page = decks.quiz_view, main_window.current_page()
    assert page.title == "Convolution" and view.isVisible()
    assert texts(view) == {
        "question": stop.quiz.question,
        "clock": "0:20",
        "hint": "PageDown: the answer",
    }
    room = view.room.rect()
    assert view.geometry().height() > 0.8 * room.height()  # the page's result is hidden
    qtbot.waitUntil(lambda: view.labels["clock"].text() == "0:19", timeout=3000)

    press(qtbot, main_window, Qt.Key_PageDown)
    qtbot.waitUntil(lambda: decks.quiz.revealed, timeout=3000)
    assert decks.index == 0 and view.isVisible() and not view.timer.isActive()
    shown = texts(view)
    assert shown["answer"] == "Answer: 2 × 2" and "(3 − 2) / 1 + 1 = 2" in shown["arithmetic"]
    assert "question" not in shown and "clock" not in shown
    assert page.step_bar.index == page.step_count() - 1  # the whole output on the page
    band = view.geometry()
    assert band.top() > room.height() / 2 and band.bottom() <= room.bottom()
    assert view.labels["arithmetic"].height() >= view.labels["arithmetic"].heightForWidth(
        view.labels["arithmetic"].width()
    )  # nothing cut off

    press(qtbot, main_window, Qt.Key_PageDown)
    qtbot.waitUntil(lambda: decks.index == 1, timeout=3000)
    assert not view.isVisible() and decks.quiz is None

    press(qtbot, main_window, Qt.Key_PageUp)  # back into the quiz stop: as it was left
    qtbot.waitUntil(lambda: decks.index == 0, timeout=3000)
    assert decks.quiz.revealed and view.isVisible() and "answer" in texts(view)
    press(qtbot, main_window, Qt.Key_PageUp)  # the question again, the page as it found it
    qtbot.waitUntil(lambda: not decks.quiz.revealed, timeout=3000)
    assert decks.index == 0 and texts(view)["clock"] == "0:20" and page.step_bar.index == 0


def test_the_question_belongs_to_its_stop_and_follows_presenter_mode(qtbot, main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    quiz = QuizStop("Which cell wins?", "8", "max(2, 4, 7, 8) = 8")
    deck = Deck("t", [Stop("q", Lesson("Convolution"), quiz), Stop("p", Lesson("Pooling"))])
    decks, view = main_window.deck, main_window.deck.quiz_view
    assert decks.open_deck(deck) == ""
    assert view.isVisible() and texts(view) == {
        "question": "Which cell wins?",
        "hint": "PageDown: the answer",
    }
    normal = QFont(view.labels["question"].font()).pointSizeF()
    main_window.set_look(presenter=True)
    presenter = QFont(view.labels["question"].font()).pointSizeF()
    assert presenter >= 30 > normal
    main_window.show_page(PoolPage)  # another page: the question is its stop's, not this one's
    assert not view.isVisible()
    main_window.choose(0)
    qtbot.waitUntil(lambda: main_window.current_page().title == "Convolution", timeout=5000)
    assert view.isVisible()
    decks.set_visible(False)
    assert not view.isVisible()
    main_window.set_look(presenter=False)
