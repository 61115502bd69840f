"""Lecture decks in the window: the caption over the page, the stops beside it.

View → Deck shows the current stop's caption in a band above the page, with the stop's number
and a Stops button that opens the deck's stops in a side panel (add this view as a stop,
rename, move, delete, save). The panel opens by itself only in a window wide enough to spare
it (never in presenter mode): on a projector's 1280×800 the page keeps its room. The caption
belongs to its stop: on another page the band says only where the deck stands. PageDown /
PageUp (what presentation clickers send) and Alt+→ / Alt+← go to the next / previous stop,
whose page opens in its saved state. A stop keeps the window's presenter mode as it is.
A quiz stop asks its question over the page first: PageDown reveals the answer, the next
PageDown moves on; PageUp hides a revealed answer, and a quiz stop entered backwards shows
its answer (:mod:`cnnviz.gui.lessons.quiz_overlay`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.deck import Deck, Stop, lecture_deck, save_deck
from cnnviz.core.lesson import SUFFIX, LessonError
from cnnviz.core.quiz_stop import QuizWalk
from cnnviz.gui.lessons.quiz_overlay import QuizOverlay

# the stops panel (about 260 px) opens by itself only in a window at least this wide: at
# 1280 px it took the Convolution lesson's cells from 85 px to 38 px
PANEL_ROOM = 1600


class DeckController:
    """The deck shown in ``window`` (a MainWindow): its docks, the current stop, editing."""

    def __init__(self, window):
        self.window = window
        self.deck: Deck | None = None
        self.index = -1
        self.path = ""
        self.quiz: QuizWalk | None = None  # the quiz stop shown: asking or revealed
        self.quiz_view = QuizOverlay(window.centralWidget().findChild(QWidget, "pageRoom"))
        self.caption = QLabel()
        self.caption.setObjectName("deckCaption")
        self.caption.setAlignment(Qt.AlignCenter)
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("font-size: 22pt; font-weight: bold; padding: 6px;")
        self.where = QLabel()  # "3 / 12", or where the deck stands while another page shows
        self.where.setObjectName("deckWhere")
        self.where.setToolTip("The stop shown, of the deck's stops (PageDown: the next one)")
        self.stops_button = QToolButton()
        self.stops_button.setText("Stops")
        self.stops_button.setCheckable(True)
        self.stops_button.setToolTip("Show or hide the deck's stops beside the page")
        band = QWidget()
        row = QHBoxLayout(band)
        row.setContentsMargins(6, 0, 6, 0)
        row.addWidget(self.caption, 1)
        row.addWidget(self.where)
        row.addWidget(self.stops_button)
        self.caption_dock = self._dock("Deck caption", band, Qt.TopDockWidgetArea)
        self.caption_dock.setTitleBarWidget(QWidget())  # a band of text, no title bar
        self.stops = QListWidget()
        self.stops.setToolTip("The deck's stops: double-click one to go there")
        self.stops.setWordWrap(True)  # whole captions, never cut off at the panel's edge
        self.stops.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.stops.itemActivated.connect(lambda item: self.go_to(self.stops.row(item)))
        panel = QWidget()
        layout = QVBoxLayout(panel)
        self.title = QLabel()
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.stops, 1)
        buttons = QGridLayout()
        for i, (text, tip, slot) in enumerate(
            (
                ("Add this view", "Add the page as it is now as a stop after this one", self.add),
                ("Rename…", "Change the chosen stop's caption", self.rename_dialog),
                ("Move up", "Move the chosen stop one place earlier", lambda: self.move(-1)),
                ("Move down", "Move the chosen stop one place later", lambda: self.move(1)),
                ("Delete", "Remove the chosen stop from the deck", self.delete),
                ("Save deck…", "Save the deck as a .cnnviz file", self.save_dialog),
            )
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button, i // 2, i % 2)
        layout.addLayout(buttons)
        self.panel_dock = self._dock("Deck", panel, Qt.RightDockWidgetArea)
        self.panel_dock.visibilityChanged.connect(
            lambda _v: self.stops_button.setChecked(not self.panel_dock.isHidden())
        )
        self.stops_button.clicked.connect(lambda on: self.panel_dock.setVisible(on))
        window.stack.currentChanged.connect(lambda _index: self._show_caption())
        window.menus.presenter.toggled.connect(self._on_presenter)
        self.set_visible(False)

    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(title.replace(" ", ""))
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetClosable)
        dock.visibilityChanged.connect(lambda _v: self._sync_action())
        self.window.addDockWidget(area, dock)
        return dock

    # -- showing ------------------------------------------------------------------------------
    @property
    def visible(self) -> bool:
        """The caption band is shown (its stops panel may have been closed on its own)."""
        return not self.caption_dock.isHidden()

    def set_visible(self, on: bool) -> None:
        """View → Deck: the caption band, and the stops panel where the window has room for
        it (a new deck if there is none)."""
        if on and self.deck is None:
            self.deck = Deck("New deck")
            self._refresh()
        self.caption_dock.setVisible(on)
        self.panel_dock.setVisible(on and self.room_for_panel())
        self._sync_action()
        self._show_quiz()

    def room_for_panel(self) -> bool:
        """Whether the stops panel may open by itself: not in presenter mode, and only in a
        window wide enough that the page keeps its room."""
        return not self.window.presenter and self.window.width() >= PANEL_ROOM

    def _on_presenter(self, on: bool) -> None:
        if on:  # the page needs the room: the list opens on demand (Stops)
            self.panel_dock.hide()
        self._show_quiz()

    def _sync_action(self) -> None:
        action = getattr(self.window.menus, "deck", None) if hasattr(self.window, "menus") else None
        if action is not None:
            action.setChecked(self.visible)

    def open_deck(self, deck: Deck, path="") -> str:
        """Show ``deck`` at its first stop; "" or why its first stop cannot open."""
        old = (self.deck, self.index, self.path)
        self.deck, self.index, self.path = deck, -1, str(path)
        problem = self.go_to(0) if deck.stops else ""
        if problem:
            self.deck, self.index, self.path = old
            return problem
        self._refresh()
        self.set_visible(True)
        return ""

    def open_lecture(self) -> str:
        """The deck cnnviz ships: the seed lecture in its order ("" or why it cannot open)."""
        try:
            deck = lecture_deck()
        except LessonError as exc:
            self.window.lesson_files.warn("Deck", f"{exc}.")
            return f"{exc}."
        return self.open_deck(deck)

    def go_to(self, index: int, revealed: bool = False) -> str:
        """Open stop ``index`` (a quiz stop asking, or ``revealed``); "" or why it cannot
        (the current stop then stays)."""
        if self.deck is None or not 0 <= index < len(self.deck.stops):
            return ""
        stop = self.deck.stops[index]
        lesson = dataclasses.replace(stop.lesson, presenter=self.window.presenter)
        problem = self.window.lesson_files.apply(lesson, f"Stop {index + 1}")
        if problem:
            self.window.lesson_files.warn("Deck", problem)
            return problem
        self.index = index
        self.quiz = QuizWalk(stop.quiz, revealed) if stop.quiz is not None else None
        if revealed and self.quiz is not None:
            self.window.current_page().last_step()  # the page's result under the answer
        self._refresh()
        return ""

    def next_stop(self) -> None:
        """PageDown: a quiz stop's answer, else the next stop."""
        if self.quiz is not None and self._quiz_shown() and self.quiz.forward():
            self.window.current_page().last_step()  # the whole result on the page
            self._show_quiz()
            return
        self.go_to(self.index + 1)

    def previous_stop(self) -> None:
        """PageUp: a revealed answer hidden (the question asked again), else the previous
        stop (a quiz stop revealed, as it was left)."""
        if self.quiz is not None and self._quiz_shown() and self.quiz.back():
            self.go_to(self.index)  # the page as the question found it
            return
        self.go_to(self.index - 1, revealed=True)

    def _refresh(self) -> None:
        deck = self.deck
        stops = deck.stops if deck else []
        self.stops.blockSignals(True)
        self.stops.clear()
        for number, stop in enumerate(stops, start=1):
            self.stops.addItem(f"{number}. {stop.caption}")
        if 0 <= self.index < len(stops):
            self.stops.setCurrentRow(self.index)
        self.stops.blockSignals(False)
        where = f" — stop {self.index + 1} of {len(stops)}" if 0 <= self.index < len(stops) else ""
        self.title.setText(f"<b>{deck.title if deck else ''}</b>{where}")
        self._show_caption()

    def current_stop(self) -> Stop | None:
        if self.deck is None or not 0 <= self.index < len(self.deck.stops):
            return None
        return self.deck.stops[self.index]

    def _show_caption(self) -> None:
        """The stop's caption while its page is shown; on another page, only where the deck
        stands (the caption belongs to its stop, not to whatever page follows)."""
        stop = self.current_stop()
        self._show_quiz()
        if stop is None:
            self.caption.setText("")
            self.where.setText("")
            return
        count = f"{self.index + 1} / {len(self.deck.stops)}"
        if self.window.current_page().title == stop.lesson.page:
            self.caption.setText(stop.caption)
            self.where.setText(count)
        else:
            self.caption.setText("")
            self.where.setText(f"Deck: stop {count} is on the {stop.lesson.page} page")

    def _quiz_shown(self) -> bool:
        """The current stop's quiz is over its page: the deck shown, the stop's page too."""
        stop = self.current_stop()
        return (
            stop is not None
            and self.quiz is not None
            and stop.quiz is self.quiz.quiz
            and self.visible
            and self.window.current_page().title == stop.lesson.page
        )

    def _show_quiz(self) -> None:
        shown = self.quiz if self._quiz_shown() else None
        self.quiz_view.show_walk(shown, self.window.presenter)

    # -- editing ------------------------------------------------------------------------------
    def chosen(self) -> int:
        row = self.stops.currentRow()
        return row if row >= 0 else self.index

    def add(self, caption: str = "") -> None:
        """The page as it is now becomes a stop after the current one (and the current)."""
        if self.deck is None:
            self.deck = Deck("New deck")
        lesson = self.window.lesson_files.current_lesson()
        self.index = min(self.index + 1, len(self.deck.stops)) if self.deck.stops else 0
        self.deck.stops.insert(self.index, Stop(caption or lesson.title, lesson))
        self._refresh()

    def rename(self, index: int, caption: str) -> None:
        if self.deck is not None and 0 <= index < len(self.deck.stops) and caption.strip():
            self.deck.stops[index].caption = caption.strip()
            self._refresh()

    def rename_dialog(self) -> None:
        index = self.chosen()
        if self.deck is None or not 0 <= index < len(self.deck.stops):
            return
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Rename stop")
        dialog.setLabelText("Caption:")
        dialog.setTextValue(self.deck.stops[index].caption)
        try:
            if dialog.exec() == QInputDialog.Accepted:
                self.rename(index, dialog.textValue())
        finally:
            dialog.deleteLater()

    def move(self, step: int, index: int | None = None) -> None:
        """Move a stop (the chosen one by default) ``step`` places; it stays chosen."""
        index = self.chosen() if index is None else index
        target = index + step
        if self.deck is None or not (0 <= index < len(self.deck.stops)):
            return
        if not 0 <= target < len(self.deck.stops):
            return
        stops = self.deck.stops
        stops[index], stops[target] = stops[target], stops[index]
        if self.index in (index, target):
            self.index = target if self.index == index else index
        self._refresh()
        self.stops.setCurrentRow(target)

    def delete(self, index: int | None = None) -> None:
        index = self.chosen() if index is None else index
        if self.deck is None or not 0 <= index < len(self.deck.stops):
            return
        del self.deck.stops[index]
        if self.index > index or self.index >= len(self.deck.stops):
            self.index -= 1
        self._refresh()

    def save(self, path) -> None:
        """Write the deck (``OSError`` when it cannot be written)."""
        if self.deck is not None:
            save_deck(path, self.deck)
            self.path = str(path)
            self.window.lesson_files.remember(path)

    def save_dialog(self) -> None:
        if self.deck is None:
            return
        from cnnviz.gui.lessons.lesson_files import slug

        start = self.path or str(Path.home() / f"{slug(self.deck.title)}{SUFFIX}")
        self.window.lesson_files.save_as("Save deck", start, self.save)
