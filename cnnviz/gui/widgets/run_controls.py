"""RunControls: a training run's settings form, its buttons, progress and messages.

The form is given (the page makes it); the buttons say what they do, and ``set_state`` turns
them on and off from what the page's controller allows.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.gui.appearance import theme


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    return button


class RunControls(QGroupBox):
    """ "Run": ``form`` above the device, Start / Pause / Stop, Save and Load checkpoint, the
    progress bar and its line, and a message (an error, in bold, hidden when empty)."""

    def __init__(self, form: QWidget, parent=None):
        super().__init__("Run", parent)
        self.form = form
        self.device_label = QLabel("Device: —")
        self.device_label.setWordWrap(True)
        self.start_button = _button("Start", "Start training (or continue a loaded checkpoint)")
        self.pause_button = _button("Pause", "Pause / resume between batches")
        self.stop_button = _button("Stop", "Stop after the current batch")
        self.save_button = _button(
            "Save checkpoint…",
            "Save weights, optimizer, curves and settings (when paused or finished)",
        )
        self.load_button = _button("Load checkpoint…", "Load a checkpoint; Start continues it")
        buttons = QGridLayout()
        for i, b in enumerate((self.start_button, self.pause_button, self.stop_button)):
            buttons.addWidget(b, 0, i)
        buttons.addWidget(self.save_button, 1, 0, 1, 2)
        buttons.addWidget(self.load_button, 2, 0, 1, 2)
        self.progress = QProgressBar()
        self.progress_label = QLabel("Not started")
        self.progress_label.setWordWrap(True)
        self.progress_label.setFixedHeight(self.progress_label.fontMetrics().lineSpacing() * 3)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        self.message.hide()
        box = QVBoxLayout(self)
        box.addWidget(form)
        box.addWidget(self.device_label)
        box.addLayout(buttons)
        box.addWidget(self.progress)
        box.addWidget(self.progress_label)
        box.addWidget(self.message)
        box.addStretch(1)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_progress(self, done: int, total: int, line: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress_label.setText(line)

    def set_state(
        self, running: bool, paused: bool, loading: bool, filing: bool, can_save: bool
    ) -> None:
        """Buttons for a run ``running`` (``paused``), a checkpoint being read (``loading``)
        or written or read (``filing``), and whether the run ``can_save`` now."""
        self.start_button.setEnabled(not running and not loading)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stop_button.setEnabled(running)
        self.save_button.setEnabled(can_save)
        self.load_button.setEnabled(not running and not filing)
