"""LabeledGrid: a grid view with a title above it ("Input · channel 1 · 4×4")."""

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from cnnviz.gui.appearance.look import named
from cnnviz.gui.widgets.grid_model import GridModel
from cnnviz.gui.widgets.grid_view import GridView

SPACING = 4


class LabeledGrid(QWidget):
    """A title and a :class:`GridView` on its own :class:`GridModel`."""

    def __init__(self, title: str, editable: bool = False, parent=None):
        super().__init__(parent)
        self.model = GridModel(editable=editable, parent=self)
        self.view = GridView(self.model)
        self.title = QLabel(title)
        named(self.title, "gridTitle")
        self.title.setAlignment(Qt.AlignLeft | Qt.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 0, Qt.AlignLeft)
        self.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Maximum)

    def set_title(self, text: str) -> None:
        self.title.setText(text)

    def set_cell_size(self, size: int) -> None:
        if size != self.view.cell_size:
            self.view.set_cell_size(size)
            self.updateGeometry()  # the board's layout asks again

    def size_at(self, cell: int) -> QSize:
        """The size this grid and its title need with cells of ``cell`` px."""
        view, title = self.view.size_at(cell), self.title.sizeHint()
        return QSize(max(view.width(), title.width()), title.height() + SPACING + view.height())
