"""GridBoard: the area that holds a lesson's grids, operators and titles in one grid layout,
and gives its grids the largest cell size that lets everything fit side by side.

Every grid lesson puts its grids on a board, so a new lesson gets the sizing for free: the
board measures what its layout needs at a cell size (the same arithmetic as the layout's own
size hint) and searches the largest size that fits. Below ``least`` cells stop shrinking and
the grids scroll instead (a 64×64 grid on a small window).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QSizePolicy, QWidget

from cnnviz.gui.appearance.style import OPERATOR_PX
from cnnviz.gui.widgets.labeled_grid import LabeledGrid

LEAST_CELL = 12  # px: below this the numbers are no longer legible; grids scroll instead
MOST_CELL = 180  # px at zoom 100 %: a 1×1 grid need not fill a projector
OPERATOR_SHARE = 0.3  # an operator label ("∗", "=", "max 2×2 →") is set at this share of a
OPERATOR_GROWTH = 1.8  # cell, between its style sheet size and this many times it


def _spans(items, count: int, spacing: int) -> int:
    """Total extent of ``count`` rows (or columns) holding ``items``: (start, span, extent)
    each. Spacing goes between non-empty rows, as QGridLayout does."""
    sizes = [0] * count
    used = [False] * count
    for start, span, extent in items:
        for i in range(start, start + span):
            used[i] = True
        if span == 1:
            sizes[start] = max(sizes[start], extent)
    for start, span, extent in items:  # a spanning item widens the last row it spans
        if span > 1:
            inside = range(start, start + span)
            have = sum(sizes[i] for i in inside) + spacing * (sum(used[i] for i in inside) - 1)
            if extent > have:
                sizes[start + span - 1] += extent - have
    filled = sum(used)
    return sum(sizes) + spacing * max(0, filled - 1)


class GridBoard(QWidget):
    """A widget with a :class:`QGridLayout` (``grid``); its :class:`LabeledGrid` items get the
    largest common cell size that fits, refitted whenever the board is resized."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(10)
        self.grid.setAlignment(Qt.AlignCenter)
        self.least, self.most = LEAST_CELL, MOST_CELL
        self.operator_base = OPERATOR_PX
        self.cell = 0
        self._stale = False  # a new scale came while hidden: fit when shown
        self._memo: dict | None = None  # during one search: what does not depend on the cell
        # The grids take the room they are given: their current size must not hold the window
        # at a minimum, or larger type would grow the window.
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.setMinimumSize(320, 200)

    def set_scale(self, scale: float) -> None:
        """Zoom × presenter scale: larger type allows larger cells."""
        self.most = round(MOST_CELL * scale)
        self.operator_base = round(OPERATOR_PX * scale)
        if self.isVisible():
            self.fit()
        else:  # a page not on screen refits when it is shown (a zoom refitted all nine)
            self._stale = True

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.fit()

    def operator_pixels(self, cell: int) -> int:
        """The type size of the operators beside grids of ``cell`` px cells."""
        base = self.operator_base
        return min(round(base * OPERATOR_GROWTH), max(base, round(cell * OPERATOR_SHARE)))

    def operators(self) -> list[QLabel]:
        found: list = []
        for i in range(self.grid.count()):
            widget = self.grid.itemAt(i).widget()
            found.append(widget)
            if widget is not None and not isinstance(widget, (QLabel, LabeledGrid)):
                found.extend(widget.findChildren(QLabel))
        return [w for w in found if isinstance(w, QLabel) and w.objectName() == "operator"]

    def grids(self) -> list[LabeledGrid]:
        """The grids on the board, those inside a column widget on it included (a
        convolution's output with its ReLU grid below)."""
        found = []
        for i in range(self.grid.count()):
            widget = self.grid.itemAt(i).widget()
            if isinstance(widget, LabeledGrid):
                found.append(widget)
            elif widget is not None:
                found.extend(widget.findChildren(LabeledGrid))
        return found

    def _item_size(self, item, cell: int) -> QSize:
        """An item's size with grids of ``cell`` px cells: a grid, an operator (its type
        scales), or a widget or box layout holding grids (summed along the box, recursively:
        a column of rows of filters)."""
        widget = item.widget()
        if isinstance(widget, LabeledGrid):
            return widget.size_at(cell)
        if isinstance(widget, QLabel) and widget.objectName() == "operator":
            hint, now = item.sizeHint(), QFontInfo(widget.font()).pixelSize()
            factor = self.operator_pixels(cell) / max(now, 1)
            return QSize(math.ceil(hint.width() * factor), math.ceil(hint.height() * factor))
        box = widget.layout() if widget is not None else item.layout()
        memo = self._memo if self._memo is not None else {}
        key = id(item)
        if key not in memo:  # the item's own size, and whether it holds grids
            holds = widget is None or bool(widget.findChildren(LabeledGrid))
            memo[key] = (holds, None if holds and isinstance(box, QBoxLayout) else item.sizeHint())
        holds_grids, own = memo[key]
        if isinstance(box, QBoxLayout) and holds_grids:
            return self._box_size(box, cell)
        return own

    def _box_size(self, box: QBoxLayout, cell: int) -> QSize:
        sizes = []
        for i in range(box.count()):
            child = box.itemAt(i)
            if child.widget() is not None and child.widget().isHidden():
                continue
            if child.spacerItem() is not None:
                continue  # stretch: no room of its own
            sizes.append(self._item_size(child, cell))
        margins = box.contentsMargins()
        gaps = max(box.spacing(), 0) * max(0, len(sizes) - 1)
        if box.direction() in (QBoxLayout.TopToBottom, QBoxLayout.BottomToTop):
            w = max((x.width() for x in sizes), default=0)
            h = sum(x.height() for x in sizes) + gaps
        else:
            w = sum(x.width() for x in sizes) + gaps
            h = max((x.height() for x in sizes), default=0)
        return QSize(w + margins.left() + margins.right(), h + margins.top() + margins.bottom())

    def needed(self, cell: int) -> QSize:
        """The size the layout needs with grids of ``cell`` px cells (hidden items skipped)."""
        rows, cols = [], []
        for i in range(self.grid.count()):
            item = self.grid.itemAt(i)
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            size = self._item_size(item, cell)
            row, col, row_span, col_span = self.grid.getItemPosition(i)
            rows.append((row, row_span, size.height()))
            cols.append((col, col_span, size.width()))
        margins = self.grid.contentsMargins()
        width = _spans(cols, self.grid.columnCount(), self.grid.horizontalSpacing())
        height = _spans(rows, self.grid.rowCount(), self.grid.verticalSpacing())
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def best_cell(self, room: QSize | None = None) -> int:
        """The largest cell size (``least`` to ``most``) whose layout fits ``room`` (default:
        the board's size); ``least`` when none does."""
        room = room or self.size()
        low, high = self.least, max(self.least, self.most)

        def fits(cell: int) -> bool:
            need = self.needed(cell)
            return need.width() <= room.width() and need.height() <= room.height()

        self._memo = {}
        try:
            if not fits(low):
                return low
            while low < high:  # the need grows with the cell size: bisect
                middle = (low + high + 1) // 2
                low, high = (middle, high) if fits(middle) else (low, middle - 1)
            return low
        finally:
            self._memo = None

    def fit(self) -> None:
        """Give every grid the best cell size for the board's present size."""
        if not self.grids():
            return
        self.apply(self.best_cell())

    def apply(self, cell: int) -> None:
        """Give every grid ``cell`` px cells, and the operators their type size."""
        for grid in self.grids():
            grid.set_cell_size(cell)
        for i in range(self.grid.count()):  # columns of grids re-lay themselves out now
            widget = self.grid.itemAt(i).widget()
            if widget is not None and not isinstance(widget, LabeledGrid) and widget.layout():
                for inner in widget.findChildren(QBoxLayout):
                    inner.invalidate()
                widget.layout().invalidate()
                widget.updateGeometry()
        pixels = self.operator_pixels(cell)
        for label in self.operators():
            if label.font().pixelSize() != pixels:  # over the application's font
                font = QFont(label.font())
                font.setPixelSize(pixels)
                label.setFont(font)
        self.cell = cell

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self.fit()
