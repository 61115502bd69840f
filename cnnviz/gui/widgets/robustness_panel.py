"""RobustnessPanel: test accuracy against ε under FGSM for the model in use, computed on the
compute service in slices with a progress bar (and a Cancel): a small, invisible change fools
most digits."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
)

from cnnviz.core.model_source import ModelSource
from cnnviz.gui.appearance import theme
from cnnviz.gui.widgets.task_panel import ModelTaskPanel
from cnnviz.gui.workers.attribution_jobs import accuracy_against_eps

EPS_VALUES = (0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3)


class RobustnessPanel(ModelTaskPanel):
    """Images to test, Compute / Cancel, progress, and the accuracy curve."""

    def __init__(self, test_set: Callable = lambda: None, parent=None):
        super().__init__("robustness", parent)
        self.test_set = test_set  # called in the compute thread: reads the test images
        self.running = False
        self.count = QSpinBox()
        self.count.setRange(100, 10000)
        self.count.setSingleStep(500)
        self.count.setValue(2000)
        self.count.setSuffix(" images")
        self.count.setToolTip("How many test images to attack at each ε")
        self.count.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)  # may narrow
        self.compute_button = QPushButton("Compute")
        self.compute_button.setToolTip("Attack the test images with FGSM at each ε")
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the attack; the ε measured so far stay on the plot")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.follow_progress(self.progress)
        self.plot = pg.PlotWidget(background="w")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # ε in pixel units, not 10⁻³
        self.plot.setLabel("bottom", "ε (the most any pixel changes)")
        self.plot.setLabel("left", "test accuracy (%)")
        self.plot.setYRange(0, 100)
        self.plot.setXRange(0, max(EPS_VALUES))
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setMouseEnabled(False, False)
        self.curve = self.plot.plot(
            [], [], pen=pg.mkPen(theme.NEGATIVE, width=3), symbol="o", symbolBrush=theme.POSITIVE
        )
        self.summary = self.caption = QLabel(
            "The accuracy of the model in use when every test image is "
            "changed by at most ε against its label (FGSM)."
        )
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(120)  # wraps rather than widens the column
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.compute_button)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(running)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)

    def set_model(self, source: ModelSource, facts: dict) -> None:
        """A new model: its curve is not known yet. A run in hand is cancelled and started
        again on the new model (asked for before the model had arrived, it was the new
        model's curve the user wanted)."""
        again = self.running
        self.cancel()
        super().set_model(source, facts)
        self.result = None
        self.curve.setData([], [])
        self.progress.setValue(0)
        if again:
            self.compute()

    def compute(self) -> None:
        self.request_id += 1
        self.running = True
        self.compute_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)  # busy until the first batch reports
        self._say("Reading the test images and attacking them…")
        self.submit(accuracy_against_eps, self.test_set, self.count.value(), EPS_VALUES)

    def cancel(self) -> None:
        """Stop the run in hand at once (the service drops it at its next slice)."""
        if self.running:
            super().cancel()
            self.shown_id = self.request_id
            self._ended()
            self.progress.setValue(0)
            self._say("Cancelled. Press Compute to start again.")

    def _ended(self) -> None:
        self.running = False
        self.compute_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 1)

    def show_result(self, result: dict) -> None:
        self._ended()
        if "error" in result:
            self.progress.setValue(0)
            self._say(f"Cannot compute the curve: {result['error']}", error=True)
            return
        self.progress.setValue(1)
        self.result = result
        accuracy = 100 * np.asarray(result["accuracy"])
        self.curve.setData(np.asarray(result["eps"]), accuracy)
        at = {round(e, 3): (a, f) for e, a, f in zip(result["eps"], accuracy, result["fooled"])}
        parts = [
            f"ε = {e}: {at[e][0]:.1f}% right, {100 * at[e][1]:.0f}% fooled" for e in (0.1, 0.2, 0.3)
        ]
        self._say(
            f"{result['images']} test images; clean accuracy {accuracy[0]:.1f}%. "
            + "; ".join(parts)
            + " (fooled: of the images it had right)."
        )
