"""CellDelegate: paints one grid cell large and clear, with its highlight edge."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from cnnviz.gui import theme
from cnnviz.gui.widgets.grid_model import BEYOND, KIND_ROLE, PADDING, STYLE_ROLE

_EDGES = {"window": theme.WINDOW_EDGE, "winner": theme.WINDOW_EDGE,
          "current": theme.CURRENT_EDGE}


class CellDelegate(QStyledItemDelegate):
    """Draws a cell: background by role, thick edge on highlighted cells, centred number."""

    def paint(self, painter, option, index):
        painter.save()
        rect = QRectF(option.rect).adjusted(1, 1, -1, -1)
        kind = index.data(KIND_ROLE)
        style = index.data(STYLE_ROLE)
        painter.fillRect(rect, index.data(Qt.BackgroundRole))
        if kind == BEYOND:
            painter.setPen(QPen(theme.PADDING_TEXT, 1, Qt.DashLine))
        elif style in _EDGES:
            painter.setPen(QPen(_EDGES[style], 3))
            rect = rect.adjusted(1, 1, -1, -1)
        elif style == "gap":
            painter.setPen(QPen(theme.WINDOW_EDGE, 1, Qt.DotLine))
        else:
            painter.setPen(QPen(theme.PADDING, 1))
        painter.drawRect(rect)
        if option.state & QStyle.State_HasFocus and index.flags() & Qt.ItemIsEditable:
            painter.setPen(QPen(theme.CURRENT_EDGE, 1, Qt.DashLine))
            painter.drawRect(rect.adjusted(3, 3, -3, -3))
        text = index.data(Qt.DisplayRole)
        if text:
            font = QFont(option.font)
            font.setPixelSize(max(8, int(min(rect.width(), rect.height()) * 0.4)))
            font.setBold(style in ("window", "winner", "current"))
            font.setItalic(kind == PADDING)
            width = QFontMetrics(font).horizontalAdvance(text)
            if width > rect.width() - 4:  # shrink long numbers to fit the cell
                font.setPixelSize(max(7, int(font.pixelSize() * (rect.width() - 4) / width)))
            painter.setFont(font)
            painter.setPen(index.data(Qt.ForegroundRole))
            painter.drawText(rect, Qt.AlignCenter, text)
        painter.restore()
