"""LossPlot: per-batch loss and its smoothed curve above, test accuracy per epoch below on its
own axis (the two x-linked), and finished runs overlaid for comparison. Fast for 100k points.

Two ordinary plots in one layout, rather than a second view box managed by hand: pyqtgraph
owns and deletes every item itself.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem

from cnnviz.core.training.history import smooth

RUN_COLOURS = ("#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")


class LossPlot(pg.GraphicsLayoutWidget):
    """Curves are created once; ``set_run`` only calls ``setData`` on them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.loss_item = self.addPlot(row=0, col=0)
        self.acc_item = self.addPlot(row=1, col=0)
        # the accuracy gets the height to be read: two fifths of the plot, ticks every 25 %
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.loss_item.setLabel("left", "loss")
        self.acc_item.setLabel("left", "test acc. (%)")
        self.acc_item.setLabel("bottom", "batch")
        self.acc_item.setXLink(self.loss_item)
        self.acc_item.setYRange(0, 100, padding=0.05)
        self.acc_item.enableAutoRange(y=False)
        self.acc_item.getViewBox().setMouseEnabled(y=False)
        self.acc_item.getAxis("left").setTicks(
            [[(v, str(v)) for v in (0, 50, 100)], [(v, str(v)) for v in (25, 75)]]
        )
        self.loss_item.getAxis("bottom").setStyle(showValues=False)
        for item in (self.loss_item, self.acc_item):
            item.showGrid(x=True, y=True, alpha=0.25)
            for name in ("left", "bottom"):  # axes redraw from a pixmap, not text
                item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
                # batches and losses as plain numbers: an empty plot's 0–1 range read
                # "batch (x0.001)"
                item.getAxis(name).enableAutoSIPrefix(False)
            item.getAxis("left").setWidth(60)  # both plots' left edges line up
        self.loss_item.addLegend(offset=(-10, 10))
        self.raw = self.loss_item.plot(pen=pg.mkPen("#9ecae1", width=1), name="batch loss")
        self.smoothed = self.loss_item.plot(pen=pg.mkPen("#08519c", width=2.5), name="smoothed")
        for curve in (self.raw, self.smoothed):
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
        self.accuracy = self.acc_item.plot(
            pen=pg.mkPen("#ff7f0e", width=2.5), symbol="o", symbolBrush="#ff7f0e", symbolSize=8
        )
        self.overlays: dict[str, tuple] = {}
        self.follow = True  # False once the user zooms or pans; "A" (auto) re-enables it
        self._x_total, self._y_top = None, 0.0
        self._acc_shown = -1
        box = self.loss_item.getViewBox()
        box.sigRangeChangedManually.connect(self._on_user_range)
        self.loss_item.autoBtn.clicked.connect(self.reset_view)

    def _on_user_range(self, *_args) -> None:
        self.follow = False

    def set_presenter(self, on: bool) -> None:
        """Thicker lines, bigger tick labels, a stronger grid: readable from the back."""
        scale = 2.0 if on else 1.0
        self.raw.setPen(pg.mkPen("#6baed6" if on else "#9ecae1", width=1 * scale))
        self.smoothed.setPen(pg.mkPen("#08306b" if on else "#08519c", width=2.5 * scale))
        self.accuracy.setPen(pg.mkPen("#d94801" if on else "#ff7f0e", width=2.5 * scale))
        font = QFont()
        font.setPixelSize(18 if on else 12)
        for item in (self.loss_item, self.acc_item):
            item.showGrid(x=True, y=True, alpha=0.5 if on else 0.25)
            for name in ("left", "bottom"):
                item.getAxis(name).setTickFont(font)

    def reset_view(self) -> None:
        self.follow = True
        self._x_total, self._y_top = None, 0.0
        self._acc_shown = -1

    def set_run(self, steps, losses, smoothed, acc_steps, accs, total_steps=None) -> None:
        """The current run: batch losses, their smoothed curve, test accuracy per epoch.

        With ``total_steps`` the axes stay put (x spans the whole run, y grows only when a
        loss exceeds it): steady for the eye, and unchanged axes are not redrawn.
        """
        steps, losses = np.asarray(steps, float), np.asarray(losses, float)
        finite = np.isfinite(losses)
        if total_steps and self.follow and finite.any():
            top = float(losses[finite].max()) * 1.05
            if total_steps != self._x_total or top > self._y_top:
                self._x_total, self._y_top = total_steps, max(top, self._y_top)
                box = self.loss_item.getViewBox()
                box.disableAutoRange()
                box.setRange(xRange=(0, total_steps), yRange=(0, self._y_top), padding=0.02)
        self.raw.setData(steps[finite], losses[finite])
        self.smoothed.setData(steps[finite], np.asarray(smoothed, float)[finite])
        if len(accs) != self._acc_shown:  # new epochs only: an unchanged plot is not redrawn
            self._acc_shown = len(accs)
            self.accuracy.setData(np.asarray(acc_steps, float), np.asarray(accs, float) * 100)

    def set_overlays(self, runs: dict) -> None:
        """``runs``: name → (steps, losses, acc_steps, accs); others are removed."""
        for name in list(self.overlays):
            if name not in runs:
                loss_curve, acc_curve = self.overlays.pop(name)
                self.loss_item.removeItem(loss_curve)
                self.acc_item.removeItem(acc_curve)
        for i, (name, (steps, losses, acc_steps, accs)) in enumerate(runs.items()):
            colour = RUN_COLOURS[i % len(RUN_COLOURS)]
            if name not in self.overlays:
                loss_curve = self.loss_item.plot(pen=pg.mkPen(colour, width=2), name=name)
                loss_curve.setClipToView(True)
                loss_curve.setDownsampling(auto=True, method="peak")
                acc_curve = self.acc_item.plot(
                    pen=pg.mkPen(colour, width=2, style=Qt.DashLine), symbol="t", symbolBrush=colour
                )
                self.overlays[name] = (loss_curve, acc_curve)
            loss_curve, acc_curve = self.overlays[name]
            loss_curve.setData(np.asarray(steps, float), smooth(losses))
            acc_curve.setData(np.asarray(acc_steps, float), np.asarray(accs, float) * 100)
