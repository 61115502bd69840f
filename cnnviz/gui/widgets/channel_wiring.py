"""ChannelWiring: which input channels each output channel of a convolution layer reads."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnviz.gui.appearance import theme

GROUP_COLOURS = ("#0b6fb8", "#c77c02", "#2e7d32", "#8e24aa", "#c62828", "#00838f")


class ChannelWiring(QWidget):
    """Input channels as boxes on the left, output channels on the right, a line for each
    channel an output reads, coloured by group; the output being computed is drawn bold."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.c_in, self.c_out, self.groups, self.current = 1, 1, 1, -1
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Expanding)
        self.setToolTip("Which input channels each output channel reads (one colour per group)")

    def set_layer(self, c_in: int, c_out: int, groups: int) -> None:
        self.c_in, self.c_out, self.groups = c_in, c_out, groups
        self.update()

    def set_current(self, out_channel: int) -> None:
        if out_channel != self.current:
            self.current = out_channel
            self.update()

    def reads(self, out_channel: int) -> range:
        """The input channels output channel ``out_channel`` reads (its group's)."""
        per_in, per_out = self.c_in // self.groups, self.c_out // self.groups
        g = out_channel // per_out
        return range(g * per_in, (g + 1) * per_in)

    def sizeHint(self):  # noqa: N802
        return QSize(round(2 * self._box_width() + 80), 60 * max(self.c_in, self.c_out) + 20)

    def minimumSizeHint(self):  # noqa: N802
        return QSize(round(2 * self._box_width() + 50), 120)

    def _box_width(self) -> float:
        return self.fontMetrics().horizontalAdvance("out 4") + 12.0

    def _boxes(self, count: int, x: float) -> list[QRectF]:
        height = self.height() - 10
        step = height / max(count, 1)
        side = min(self.fontMetrics().height() * 1.6, step * 0.8)
        width = self._box_width()
        return [QRectF(x, 5 + step * (i + 0.5) - side / 2, width, side) for i in range(count)]

    def paintEvent(self, event):  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), theme.CELL)
        left = self._boxes(self.c_in, 4)
        right = self._boxes(self.c_out, self.width() - self._box_width() - 4)
        valid = self.groups >= 1 and self.c_in % self.groups == 0 and self.c_out % self.groups == 0
        if valid:
            per_out = self.c_out // self.groups
            for o, box in enumerate(right):
                colour = QColor(GROUP_COLOURS[(o // per_out) % len(GROUP_COLOURS)])
                bold = o == self.current
                if self.current >= 0 and not bold:
                    colour.setAlpha(90)
                painter.setPen(QPen(colour, 3.5 if bold else 1.6))
                for i in self.reads(o):
                    start = QPointF(left[i].right(), left[i].center().y())
                    painter.drawLine(start, QPointF(box.left(), box.center().y()))
        painter.setPen(QPen(theme.PADDING_TEXT, 1))
        for prefix, boxes in (("in", left), ("out", right)):
            for k, box in enumerate(boxes):
                painter.fillRect(box, theme.KERNEL if prefix == "in" else theme.CURRENT)
                painter.drawRect(box)
                painter.setPen(QPen(theme.CELL_TEXT, 1))
                painter.drawText(box, Qt.AlignCenter, f"{prefix} {k + 1}")
                painter.setPen(QPen(theme.PADDING_TEXT, 1))
