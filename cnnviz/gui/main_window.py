"""MainWindow: the lesson list on the left, the chosen lesson's page on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QListWidget, QMainWindow, QMessageBox,
                               QStackedWidget, QWidget)

from cnnviz import __version__
from cnnviz.gui.pages.conv_page import ConvPage
from cnnviz.gui.pages.pool_page import PoolPage

SHORTCUTS = (
    ("Space", "Play / pause the walk-through"),
    ("→ / ←", "Next / previous step"),
    ("Home / End", "First / last step"),
    ("Ctrl+1, Ctrl+2", "Convolution / Pooling lesson"),
    ("Ctrl+Shift+V", "Paste numbers into the grid"),
    ("Ctrl+Shift+C", "Copy the output grid"),
    ("F11", "Full screen"),
    ("Ctrl+Q", "Quit"),
)


class MainWindow(QMainWindow):
    """Lessons in a list; menus and shortcuts act on the page that is shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("cnnviz — convolutional neural networks, step by step")
        self.pages = [ConvPage(), PoolPage()]
        self.lessons = QListWidget()
        self.lessons.setObjectName("lessons")
        self.lessons.setFixedWidth(170)
        self.stack = QStackedWidget()
        for number, page in enumerate(self.pages, start=1):
            self.lessons.addItem(f"{number}  {page.title}")
            self.lessons.item(number - 1).setToolTip(f"{page.title} lesson (Ctrl+{number})")
            self.stack.addWidget(page)
        self.lessons.currentRowChanged.connect(self.stack.setCurrentIndex)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.lessons)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self.lessons.setCurrentRow(0)
        self.statusBar().showMessage("Pick an example, then step through it with → or Space.")

    def current_page(self):
        return self.stack.currentWidget()

    def show_page(self, index: int) -> None:
        self.lessons.setCurrentRow(index)

    def _action(self, menu, text, shortcut, slot, tip="") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.WindowShortcut)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close)
        edit = bar.addMenu("&Edit")
        self._action(edit, "&Paste numbers into the grid", "Ctrl+Shift+V",
                     lambda: self.current_page().paste())
        self._action(edit, "&Copy the output grid", "Ctrl+Shift+C",
                     lambda: self.current_page().copy_output())
        self._action(edit, "&Randomize input", "Ctrl+R", lambda: self.current_page().randomize())
        step = bar.addMenu("&Step")
        bar_of = lambda: self.current_page().step_bar  # noqa: E731
        self._action(step, "&Play / pause", "Space", lambda: bar_of().toggle_play())
        self._action(step, "&Next step", "Right", lambda: bar_of().advance())
        self._action(step, "P&revious step", "Left", lambda: bar_of().previous())
        self._action(step, "&First step", "Home", lambda: bar_of().set_index(0))
        self._action(step, "&Last step", "End", lambda: bar_of().set_index(bar_of().count - 1))
        lesson = bar.addMenu("&Lesson")
        for number, page in enumerate(self.pages, start=1):
            self._action(lesson, f"&{number} {page.title}", f"Ctrl+{number}",
                         lambda _=False, i=number - 1: self.show_page(i))
        view = bar.addMenu("&View")
        self.full_screen_action = self._action(view, "&Full screen", "F11", self.toggle_full_screen)
        self.full_screen_action.setCheckable(True)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self._action(help_menu, "&About cnnviz", "", self.show_about)

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()
        self.full_screen_action.setChecked(self.isFullScreen())

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        QMessageBox.about(self, "About cnnviz",
                          f"<h3>cnnviz {__version__}</h3><p>Convolutional neural networks, step "
                          "by step: every number on screen is the number PyTorch computes.</p>"
                          "<p>Follows Sung Kim's lecture 10 (CNN) of <i>PyTorch Zero to All</i>.</p>")
