"""GridView: a table of square cells for input, kernel and output grids."""

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView

from cnnviz.gui.widgets.cell_delegate import paint_cells
from cnnviz.gui.widgets.grid_model import GridModel


class GridView(QTableView):
    """Square cells, no headers; reports clicks and the hovered cell."""

    cell_clicked = Signal(int, int)
    cell_hovered = Signal(int, int)
    hover_left = Signal()

    def __init__(self, model: GridModel, cell_size: int = 48, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setShowGrid(False)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setEditTriggers(
            QAbstractItemView.DoubleClicked
            | QAbstractItemView.AnyKeyPressed
            | QAbstractItemView.EditKeyPressed
        )
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
            header.setSectionResizeMode(QHeaderView.Fixed)
            header.setMinimumSectionSize(8)
        self.setFocusPolicy(Qt.StrongFocus if model.editable else Qt.ClickFocus)
        self.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Maximum)
        self._cell = 0
        self.set_cell_size(cell_size)
        self.clicked.connect(lambda index: self.cell_clicked.emit(index.row(), index.column()))
        self.entered.connect(lambda index: self.cell_hovered.emit(index.row(), index.column()))
        model.modelReset.connect(self.updateGeometry)

    def grid_model(self) -> GridModel:
        return self.model()

    def set_cell_size(self, size: int) -> None:
        if size == self._cell:
            return
        self._cell = size
        self.horizontalHeader().setDefaultSectionSize(size)
        self.verticalHeader().setDefaultSectionSize(size)
        self.updateGeometry()

    @property
    def cell_size(self) -> int:
        return self._cell

    def size_at(self, cell: int) -> QSize:
        """The size that shows every cell at ``cell`` px, without scrolling."""
        frame = 2 * self.frameWidth()
        model = self.model()
        return QSize(model.columnCount() * cell + frame + 1, model.rowCount() * cell + frame + 1)

    def sizeHint(self):  # noqa: N802
        return self.size_at(self._cell)

    def minimumSizeHint(self):  # noqa: N802
        hint = self.sizeHint()
        return QSize(min(hint.width(), 6 * self._cell), min(hint.height(), 6 * self._cell))

    def cell_rect(self, row: int, col: int):
        """The cell's rectangle in viewport coordinates (for tests and tooltips)."""
        return self.visualRect(self.model().index(row, col))

    def paintEvent(self, event):  # noqa: N802
        # all visible cells in one batch (see cell_delegate); editors are child widgets
        painter = QPainter(self.viewport())
        try:
            paint_cells(painter, self, event.rect())
        finally:
            painter.end()

    def leaveEvent(self, event):  # noqa: N802
        self.hover_left.emit()
        super().leaveEvent(event)
