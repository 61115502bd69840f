"""ScrollColumn: a settings column that scrolls when the window is short (presenter mode at
1280×800) instead of squeezing its contents or forcing the window taller."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class ScrollColumn(QScrollArea):
    """Holds ``widget``; its width is what the widget needs at the type scale, kept between
    ``least`` and ``most`` pixels × that scale, plus room for the scroll bar."""

    def __init__(self, widget: QWidget, least: int, most: int, parent=None):
        super().__init__(parent)
        self.least, self.most, self.scale = least, most, 1.0
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.fit()

    def fit(self, scale: float | None = None) -> None:
        """Fit the width at ``scale`` (default: the last one)."""
        self.scale = self.scale if scale is None else scale
        need = min(self.widget().minimumSizeHint().width(), round(self.most * self.scale))
        bar = self.verticalScrollBar().sizeHint().width()
        self.setFixedWidth(max(round(self.least * self.scale), need) + bar + 2)

    def showEvent(self, event):  # noqa: N802
        # fitted when made, the column measured its contents before they had the page's
        # fonts: at 1280×800 the buttons at the end of the rows were cut off
        super().showEvent(event)
        self.fit()

    def rescale(self, scale: float) -> None:
        """A new type scale: fit now, and again once the new fonts have reached the widgets."""
        self.fit(scale)
        QTimer.singleShot(0, self, self.fit)
