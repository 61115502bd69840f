"""ColourLegend: what the colours of the Trace page's maps mean, with the numbers."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnviz.core.explain import num
from cnnviz.gui.widgets.trace_overview import colour


class ColourLegend(QWidget):
    """A blue–white–red bar labelled −a, 0 and +a, and whose scale it is."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.scale: float | None = None
        self.scope = ""
        ramp = colour(np.linspace(-1, 1, 256)[None, :], 1.0)
        self._ramp = QImage(
            np.ascontiguousarray(ramp).data, 256, 1, 768, QImage.Format_RGB888
        ).copy()
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("Negative values blue, zero white, positive red")

    def sizeHint(self):  # noqa: N802
        return QSize(360, self.fontMetrics().height() * 2 + 10)

    def minimumSizeHint(self):  # noqa: N802
        return QSize(200, self.sizeHint().height())

    def set_range(self, scale: float | None, scope: str) -> None:
        self.scale, self.scope = scale, scope
        self.update()

    def text(self) -> str:
        """The legend in words (also its accessible description)."""
        if self.scale is None:
            return self.scope
        return f"{num(-self.scale)} … 0 … {num(self.scale)} ({self.scope})"

    def paintEvent(self, event):  # noqa: N802
        painter = QPainter(self)
        fm = self.fontMetrics()
        bar_w = min(220, self.width() // 2)
        bar = QRectF(0, 2, bar_w, fm.height())
        painter.drawImage(bar, self._ramp)
        painter.setPen(QColor("#6b7280"))
        painter.drawRect(bar)
        painter.setPen(self.palette().windowText().color())
        y = bar.bottom() + fm.ascent() + 2
        if self.scale is not None:
            low, high = num(-self.scale), num(self.scale)
            painter.drawText(0, int(y), low)
            painter.drawText(int(bar_w / 2 - fm.horizontalAdvance("0") / 2), int(y), "0")
            painter.drawText(int(bar_w - fm.horizontalAdvance(high)), int(y), high)
        painter.drawText(
            QRectF(bar_w + 10, 0, self.width() - bar_w - 10, self.height()),
            Qt.AlignVCenter | Qt.TextWordWrap,
            f"scale: {self.scope}" if self.scale is not None else self.scope,
        )
        self.setAccessibleDescription(self.text())
