"""ColumnToggle: a button that shows or collapses a page's settings column, so that what the
page shows gets the room. The choice is remembered, apart for presenter mode — which starts
collapsed: its larger type leaves too little room beside the column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QWidget

from cnnviz.gui.settings import open_settings, read


class ColumnToggle(QToolButton):
    """Checked: ``column`` shown. ``key``: where the choice is kept in the settings."""

    def __init__(self, column: QWidget, key: str, parent=None):
        super().__init__(parent)
        self.column, self.key = column, key
        settings = open_settings()
        self.shown = {mode: read(settings, self._key(mode), not mode) for mode in (False, True)}
        self.presenter = False
        self.setCheckable(True)
        self.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.toggled.connect(self.set_shown)
        self._apply()

    def _key(self, presenter: bool) -> str:
        return f"{self.key}/{'presenter_' if presenter else ''}settings_shown"

    def set_shown(self, shown: bool) -> None:
        """Show or collapse the column (in the present mode)."""
        self.shown[self.presenter] = bool(shown)
        self._apply()

    def set_presenter(self, presenter: bool) -> None:
        self.presenter = bool(presenter)
        self._apply()

    def save(self, settings) -> None:
        for mode, shown in self.shown.items():
            settings.setValue(self._key(mode), shown)

    def _apply(self) -> None:
        shown = self.shown[self.presenter]
        if not (shown and self.column.isWindow()):
            # a column not placed in its page yet shows with the page; shown now, it would
            # open for a moment as a window of its own (and take the focus from the window)
            self.column.setVisible(shown)
        self.blockSignals(True)
        self.setChecked(shown)
        self.blockSignals(False)
        self.setArrowType(Qt.LeftArrow if shown else Qt.RightArrow)
        self.setText("Hide settings" if shown else "Settings")
        self.setToolTip(
            "Collapse the settings column: the page gets its room"
            if shown
            else "Show the settings column"
        )
