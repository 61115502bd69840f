"""StepPlots: what the optimiser's steps did, in three tabs: the loss of the chosen image and
of each batch step by step, the image's probabilities before and after the last step, and each
image's gradient of a chosen weight in the last batch, and their mean."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QTabWidget

IMAGE_COLOUR, BATCH_COLOUR, BEFORE_COLOUR = "#d62728", "#08519c", "#b0b7c3"


def _plot(left: str, bottom: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(background="w")
    item = widget.getPlotItem()
    item.setLabel("left", left)
    item.setLabel("bottom", bottom)
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setMenuEnabled(False)
    for name in ("left", "bottom"):
        item.getAxis(name).enableAutoSIPrefix(False)
        item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    widget.setMinimumHeight(150)
    return widget


class StepPlots(QTabWidget):
    """Loss by step, probabilities before → after, and the batch's shares."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss = _plot("loss", "step")
        self.loss.getPlotItem().addLegend(offset=(-10, 10))
        self.image_curve = self.loss.plot(
            pen=pg.mkPen(IMAGE_COLOUR, width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush=IMAGE_COLOUR,
            name="this image",
        )
        self.batch_curve = self.loss.plot(
            pen=pg.mkPen(BATCH_COLOUR, width=2),
            symbol="s",
            symbolSize=6,
            symbolBrush=BATCH_COLOUR,
            name="its batch",
        )
        self.probabilities = _plot("probability", "class")
        self.probabilities.setYRange(0, 1, padding=0.02)
        self.before_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=BEFORE_COLOUR)
        self.after_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=IMAGE_COLOUR)
        for bars in (self.before_bars, self.after_bars):
            self.probabilities.addItem(bars)
        self.shares = _plot("∂L/∂w of each image", "image of the batch (0: this one)")
        self.share_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=BATCH_COLOUR)
        self.shares.addItem(self.share_bars)
        self.mean_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(IMAGE_COLOUR, width=2))
        self.shares.addItem(self.mean_line)
        self.mean_line.hide()
        self.hint = pg.TextItem("← now: take the step", "#6b7280")
        self.loss.addItem(self.hint)
        self.addTab(self.loss, "Loss")
        self.setTabToolTip(0, "The loss of this image and of each batch, step by step")
        self.addTab(self.probabilities, "Probabilities")
        self.setTabToolTip(1, "This image's probabilities before (grey) and after (red) the step")
        self.addTab(self.shares, "Shares")
        self.setTabToolTip(2, "Each image's gradient of the chosen weight, and their mean")
        self.history: list[dict] = []

    def clear(self) -> None:
        self.history = []
        self.hint.hide()
        self.image_curve.setData([], [])
        self.batch_curve.setData([], [])
        self.before_bars.setOpts(x=[], height=[])
        self.after_bars.setOpts(x=[], height=[])
        self.share_bars.setOpts(x=[], height=[])
        self.mean_line.hide()

    def set_start(self, image_loss: float) -> None:
        """Before any step: this image's loss now, as step 0."""
        if self.history:
            return
        self.image_curve.setData([0], [image_loss])
        self.batch_curve.setData([], [])
        self.hint.setPos(0, image_loss)
        self.hint.show()
        self.loss.setXRange(0, 10, padding=0.02)

    def set_history(self, history: list[dict]) -> None:
        """One point per step (step 0: before the first), for the image and its batch."""
        self.history = list(history)
        if not history:
            self.clear()
            return
        steps = [0] + [h["step"] for h in history]
        image = [history[0]["image_loss_before"]] + [h["image_loss"] for h in history]
        batch = [history[0]["batch_loss_before"]] + [h["batch_loss"] for h in history]
        self.image_curve.setData(steps, image)
        self.batch_curve.setData(steps, batch)
        self.hint.hide()
        self.loss.setXRange(0, max(10, steps[-1]), padding=0.02)

    def set_probabilities(self, before, after) -> None:
        """The image's probabilities before (grey) and after (red) the last step."""
        before, after = np.asarray(before, float), np.asarray(after, float)
        x = np.arange(len(before))
        self.before_bars.setOpts(x=x - 0.2, height=before)
        self.after_bars.setOpts(x=x + 0.2, height=after)

    def set_shares(self, gradients, mean: float) -> None:
        """Each image's gradient of the chosen weight (bars; its share of the step is it
        divided by the batch size) and their mean, the gradient the step takes (red line)."""
        gradients = np.asarray(gradients, float)
        self.share_bars.setOpts(x=np.arange(len(gradients)), height=gradients)
        self.mean_line.setValue(float(mean))
        self.mean_line.show()
