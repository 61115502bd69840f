"""The "Predict first" switch: a checkable command in the Lesson menu and on the toolbar,
remembered in the settings and passed on to every page that offers it."""

from __future__ import annotations

from PySide6.QtWidgets import QToolBar, QVBoxLayout, QWidget

from cnnviz.gui.settings import open_settings, read

KEY = "lesson/predict_first"
TIP = (
    "Predict first: the lessons ask for your prediction (an output size, the next cell, the "
    "winner…) before they show the result"
)


class PredictSwitch:
    """Owns the action (``action``) and the window's lesson toolbar (``toolbar``); ``on`` is
    the switch's state, told to each built page with ``predicts`` and to pages built later
    (the window calls :meth:`tell`)."""

    def __init__(self, window, settings):
        self.window = window
        self.on = read(settings, KEY, False)
        menus = window.menus
        self.action = menus.add(
            menus.lesson_menu, "&Predict first", "Ctrl+Shift+P", self.set_on, TIP
        )
        self.action.setCheckable(True)
        self.action.setChecked(self.on)
        self.toolbar = QToolBar("Lesson", window)
        self.toolbar.setObjectName("lessonToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.action)
        # on or off must show from the back of the room: on is the lesson list's blue
        self.toolbar.setStyleSheet(
            "QToolButton { padding: 4px 10px; } "
            "QToolButton:checked { background: #0b6fb8; color: white; border-radius: 3px; }"
        )
        self._place(window)

    def _place(self, window) -> None:
        """The toolbar goes under the lesson list, where the list leaves room: a row of its
        own, or a taller menu bar, would cost every lesson height at 1280×800."""
        layout = window.centralWidget().layout()
        index = layout.indexOf(window.lessons)
        column = QWidget()
        stack = QVBoxLayout(column)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(0)
        layout.removeWidget(window.lessons)
        stack.addWidget(window.lessons, 1)
        stack.addWidget(self.toolbar)
        layout.insertWidget(index, column)

    def set_on(self, on: bool) -> None:
        """Turn the switch on or off: remembered at once, told to every built page."""
        self.on = bool(on)
        self.action.setChecked(self.on)
        settings = open_settings()
        settings.setValue(KEY, self.on)
        settings.sync()
        for page in self.window.built_pages():
            self.tell(page)

    def tell(self, page) -> None:
        """Bring ``page`` to the switch's state (pages that do not predict ignore it)."""
        if page.predicts:
            page.set_predict_first(self.on)
