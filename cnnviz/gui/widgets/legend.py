"""Legend: what each cell colour means."""

from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel

from cnnviz.gui.appearance import theme

SWATCH_PX = 22


def _swatch(colour) -> QPixmap:
    """A square of ``colour`` with a grey frame."""
    pixmap = QPixmap(SWATCH_PX, SWATCH_PX)
    pixmap.fill(QColor("#9ca3af"))
    painter = QPainter(pixmap)
    painter.fillRect(1, 1, SWATCH_PX - 2, SWATCH_PX - 2, colour)
    painter.end()
    return pixmap


class Legend(QGroupBox):
    """Colour swatches with their meaning, for the colours a page uses."""

    ENTRIES = {
        "window": (theme.WINDOW, "cells the current step reads"),
        "gap": (theme.GAP, "skipped by the dilation"),
        "winner": (theme.WINNER, "the maximum that wins"),
        "padding": (theme.PADDING, "padding"),
        "current": (theme.CURRENT, "the output cell being computed"),
        "reader": (theme.READER, "outputs that read the cell under the mouse"),
    }

    def __init__(self, keys, parent=None):
        super().__init__("Colours", parent)
        layout = QGridLayout(self)
        layout.setColumnStretch(1, 1)
        for row, key in enumerate(keys):
            colour, text = self.ENTRIES[key]
            swatch = QLabel()
            swatch.setFixedSize(SWATCH_PX, SWATCH_PX)
            swatch.setPixmap(_swatch(colour))  # a picture, not a style sheet: no re-polish
            layout.addWidget(swatch, row, 0)
            label = QLabel(text)
            label.setWordWrap(True)
            layout.addWidget(label, row, 1)
