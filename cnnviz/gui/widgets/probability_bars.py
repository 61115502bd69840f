"""ProbabilityBars: one bar per class, the most likely highlighted; empty when no prediction."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from cnnviz.gui.appearance import theme


class ProbabilityBars(QWidget):
    """Horizontal bars with the class name and the percentage."""

    def __init__(self, class_names=tuple(str(d) for d in range(10)), parent=None):
        super().__init__(parent)
        self.class_names = tuple(class_names)
        self.probabilities: np.ndarray | None = None
        self.setMinimumSize(220, 260)

    def sizeHint(self):  # noqa: N802
        return QSize(280, 330)

    def set_class_names(self, class_names) -> None:
        self.class_names = tuple(class_names)
        self.probabilities = None
        self.update()

    def set_probabilities(self, probabilities) -> None:
        self.probabilities = None if probabilities is None else np.asarray(probabilities, float)
        self.update()

    def top(self) -> int | None:
        return None if self.probabilities is None else int(np.argmax(self.probabilities))

    def paintEvent(self, event):  # noqa: N802
        n = len(self.class_names)
        if n == 0:  # no classes (yet): nothing to draw, and no row height to divide
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        row = self.height() / n
        font = QFont(self.font())
        font.setPixelSize(int(min(22, row * 0.6)))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        widest = max((metrics.horizontalAdvance(n) for n in self.class_names), default=0)
        label_w = min(max(34, widest + 12), self.width() // 2)
        pct_w = metrics.horizontalAdvance("100.0%") + 8
        bar_w = max(10, self.width() - label_w - pct_w - 8)
        top = self.top()
        for i, name in enumerate(self.class_names):
            y = i * row
            p = (
                0.0
                if self.probabilities is None or i >= len(self.probabilities)
                else float(self.probabilities[i])
            )
            best = i == top
            painter.setPen(self.palette().color(QPalette.WindowText))
            font.setBold(best)
            painter.setFont(font)
            painter.drawText(QRectF(0, y, label_w - 6, row), Qt.AlignRight | Qt.AlignVCenter, name)
            painter.fillRect(
                QRectF(label_w, y + row * 0.18, bar_w, row * 0.64), theme.TROUGH[theme.DARK]
            )
            if p > 0:
                painter.fillRect(
                    QRectF(label_w, y + row * 0.18, bar_w * p, row * 0.64),
                    QColor("#0b6fb8" if best else "#9ecae1"),
                )
            if self.probabilities is not None:
                painter.drawText(
                    QRectF(label_w + bar_w + 6, y, pct_w, row),
                    Qt.AlignLeft | Qt.AlignVCenter,
                    f"{100 * p:.1f}%",
                )
