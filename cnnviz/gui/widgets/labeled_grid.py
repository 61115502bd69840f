"""LabeledGrid: a grid view with a title above it ("Input · channel 1 · 4×4")."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from cnnviz.gui.widgets.grid_model import GridModel
from cnnviz.gui.widgets.grid_view import GridView


class LabeledGrid(QWidget):
    """A title and a :class:`GridView` on its own :class:`GridModel`."""

    def __init__(self, title: str, editable: bool = False, parent=None):
        super().__init__(parent)
        self.model = GridModel(editable=editable, parent=self)
        self.view = GridView(self.model)
        self.title = QLabel(title)
        self.title.setObjectName("gridTitle")
        self.title.setAlignment(Qt.AlignLeft | Qt.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 0, Qt.AlignLeft)
        self.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Maximum)

    def set_title(self, text: str) -> None:
        self.title.setText(text)
