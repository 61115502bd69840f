"""Field: a control with an inline error message under it."""

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnviz.gui.appearance import theme


class Field(QWidget):
    """Wraps a control; ``set_error`` shows a red message beneath it (or hides it)."""

    def __init__(self, control: QWidget, parent=None):
        super().__init__(parent)
        self.control = control
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()  # red once it first has something to say (see set_error)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(control)
        layout.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        if message and not self.error.styleSheet():
            # set here, not when built: each style sheet costs a polish, and a lesson page
            # has a dozen fields that seldom show an error
            self.error.setStyleSheet(f"color: {theme.ERROR};")
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisible() else ""
