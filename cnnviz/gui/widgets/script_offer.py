"""ScriptOffer: on the Train page, what a model opened from a script brings along — its
literal training settings (one click takes them over) and a way to start from weights
trained elsewhere."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from cnnviz.gui.appearance.look import named


class ScriptOffer(QWidget):
    """Hidden unless the chosen model was opened from a file. ``use_requested(settings)``:
    take the script's settings; ``weights_requested()``: start from a weights file."""

    use_requested = Signal(object)
    weights_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.settings = None
        self.label = QLabel()
        named(self.label, "presetNote")
        self.label.setWordWrap(True)
        self.use_button = QPushButton("Use them")
        self.use_button.setToolTip(
            "Set the optimizer, learning rate, batch size … as the script does"
        )
        self.use_button.clicked.connect(lambda: self.use_requested.emit(self.settings))
        self.weights_button = QPushButton("Start from weights…")
        self.weights_button.setToolTip(
            "Start training from weights saved by the script (torch.save(model.state_dict(), "
            "…)); Start begins a new run from them"
        )
        self.weights_button.clicked.connect(self.weights_requested.emit)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 0, 0, 1, 2)
        layout.addWidget(self.use_button, 1, 0)
        layout.addWidget(self.weights_button, 1, 1)
        self.hide()

    def set_model(self, user_model) -> None:
        """Show what ``user_model`` (a model opened from a file, or None) offers."""
        self.setVisible(user_model is not None)
        if user_model is None:
            self.settings = None
            return
        self.settings = user_model.settings
        offered = self.settings.trainable()
        self.label.setText(
            f"Use the script's settings: {self.settings.describe()}"
            if offered
            else f"{Path(user_model.path).name} sets no training settings literally."
        )
        self.use_button.setVisible(offered)
