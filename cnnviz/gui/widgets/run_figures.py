"""RunFigures: the latest test accuracy and test loss of a run, in figures large enough to be
read from the back of a lecture hall ("98.2 %")."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from cnnviz.gui.appearance.look import named

NO_FIGURE = "—"


class RunFigures(QWidget):
    """Two captioned figures, stacked; ``set_result`` shows an epoch's test result."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.accuracy = self._figure()
        self.loss = self._figure()
        self.epoch = QLabel("No test yet")
        named(self.epoch, "figureCaption")
        self.epoch.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addStretch(1)
        for caption, figure in (("Test accuracy", self.accuracy), ("Test loss", self.loss)):
            label = QLabel(caption)
            named(label, "figureCaption")
            layout.addWidget(label)
            layout.addWidget(figure)
            layout.addSpacing(8)
        layout.addWidget(self.epoch)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Preferred)
        self.set_result(None)

    @staticmethod
    def _figure() -> QLabel:
        label = QLabel(NO_FIGURE)
        named(label, "figure")
        label.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        return label

    def set_result(self, result: dict | None) -> None:
        """An epoch's test result (``accuracy`` 0–1, ``test_loss``, ``epoch``) or None."""
        if not result:
            self.accuracy.setText(NO_FIGURE)
            self.loss.setText(NO_FIGURE)
            self.epoch.setText("No test yet")
            return
        accuracy, loss = result.get("accuracy"), result.get("test_loss")
        self.accuracy.setText(f"{100 * accuracy:.1f} %" if _finite(accuracy) else NO_FIGURE)
        self.loss.setText(f"{loss:.3f}" if _finite(loss) else NO_FIGURE)
        epoch = result.get("epoch")
        self.epoch.setText(f"after epoch {epoch}" if epoch is not None else "")


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
