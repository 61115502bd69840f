"""CodeLineView: the PyTorch line for the page's current settings, with its shapes and a Copy
button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class CodeLineView(QWidget):
    """``PyTorch: nn.Conv2d(1, 1, kernel_size=2, …)  # [1, 1, 3, 3] → [1, 1, 3, 3]  [Copy]``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.line = None
        self.label = QLabel()
        self.label.setObjectName("codeLine")
        # only the family is set: the size follows the application's (zoom, presenter mode)
        mono = QFont()
        mono.setFamily(QFontDatabase.systemFont(QFontDatabase.FixedFont).family())
        mono.setStyleHint(QFont.Monospace)
        self.label.setFont(mono)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setWordWrap(True)  # a long line wraps rather than widening the window
        self.label.setToolTip("The PyTorch call that gives these numbers (a batch of one)")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the PyTorch line (with its shapes as a comment)")
        self.copy_button.clicked.connect(self.copy)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(QLabel("PyTorch:"))
        layout.addWidget(self.label, 1)
        layout.addWidget(self.copy_button)

    def set_line(self, line) -> None:
        """Show a :class:`cnnviz.core.ops.CodeLine`."""
        self.line = line
        self.label.setText(line.text())

    def text(self) -> str:
        return self.line.text() if self.line is not None else ""

    def copy(self) -> str:
        """Put the line on the clipboard; returns it."""
        text = self.text()
        QGuiApplication.clipboard().setText(text)
        return text
