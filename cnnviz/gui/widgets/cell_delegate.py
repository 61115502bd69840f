"""CellDelegate: paints one grid cell large and clear, with its highlight edge."""

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from cnnviz.gui import theme
from cnnviz.gui.widgets.grid_model import BEYOND, PADDING

_EDGES = {
    "window": QPen(theme.WINDOW_EDGE, 3),
    "winner": QPen(theme.WINDOW_EDGE, 3),
    "current": QPen(theme.CURRENT_EDGE, 3),
}
_GAP_PEN = QPen(theme.WINDOW_EDGE, 1, Qt.DotLine)
_BEYOND_PEN = QPen(theme.PADDING_TEXT, 1, Qt.DashLine)
_PLAIN_PEN = QPen(theme.PADDING, 1)
_FOCUS_PEN = QPen(theme.CURRENT_EDGE, 1, Qt.DashLine)
_BOLD = ("window", "winner", "current")


def number_pixels(side: float) -> int:
    """The pixel size of a number in a cell ``side`` px wide: it scales with the cell."""
    return max(8, int(side * 0.4))


@lru_cache(maxsize=256)
def _font(family: str, pixels: int, bold: bool, italic: bool) -> tuple[QFont, QFontMetrics]:
    font = QFont(family)
    font.setPixelSize(pixels)
    font.setBold(bold)
    font.setItalic(italic)
    return font, QFontMetrics(font)


class CellDelegate(QStyledItemDelegate):
    """Draws a cell: background by role, thick edge on highlighted cells, centred number.

    Thousands of cells repaint on a 64×64 grid, so it asks the model for the whole look in
    one call and reuses fonts and pens.
    """

    def paint(self, painter, option, index):
        text, background, foreground, style, kind = index.model().look(index.row(), index.column())
        rect = QRectF(option.rect).adjusted(1, 1, -1, -1)
        painter.fillRect(rect, background)
        if kind == BEYOND:
            painter.setPen(_BEYOND_PEN)
        elif style in _EDGES:
            painter.setPen(_EDGES[style])
            rect = rect.adjusted(1, 1, -1, -1)
        else:
            painter.setPen(_GAP_PEN if style == "gap" else _PLAIN_PEN)
        painter.drawRect(rect)
        if option.state & QStyle.State_HasFocus and index.flags() & Qt.ItemIsEditable:
            painter.setPen(_FOCUS_PEN)
            painter.drawRect(rect.adjusted(3, 3, -3, -3))
        if not text:
            return
        pixels = number_pixels(min(rect.width(), rect.height()))
        font, metrics = _font(option.font.family(), pixels, style in _BOLD, kind == PADDING)
        width = metrics.horizontalAdvance(text)
        if width > rect.width() - 4:  # shrink long numbers to fit the cell
            smaller = max(7, int(pixels * (rect.width() - 4) / width))
            font, _ = _font(option.font.family(), smaller, style in _BOLD, kind == PADDING)
        painter.setFont(font)
        painter.setPen(foreground)
        painter.drawText(rect, Qt.AlignCenter, text)
