"""FeatureMapGrid: every channel of a layer tiled into one image with a shared colour scale;
click a channel to enlarge it."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def mosaic(maps: np.ndarray, gap: int = 1) -> tuple[np.ndarray, int, int]:
    """``[C, H, W]`` → one 2-D image of C tiles (NaN gaps), and the grid's columns, rows."""
    c, h, w = maps.shape
    if c == 0 or h == 0 or w == 0:  # a layer without channels (or pixels): an empty tile
        return np.full((1, 1), np.nan, dtype=np.float32), 1, 0
    cols = max(1, math.ceil(math.sqrt(c * h / w)))
    rows = math.ceil(c / cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype=np.float32)
    for i in range(c):
        r, col = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, col * (w + gap) : col * (w + gap) + w] = maps[i]
    return out, cols, rows


class FeatureMapGrid(QWidget):
    """Title, a mosaic of channels (one ImageItem, explicit levels), click to pick one."""

    channel_clicked = Signal(int)

    def __init__(self, title: str = "", parent=None, title_lines: int = 2):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("gridTitle")
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(40)
        # a fixed height: a title that changes length must not re-lay-out the views
        self.title.setFixedHeight(self.title.fontMetrics().lineSpacing() * title_lines + 4)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.view.setMinimumSize(60, 60)
        self.box = self.view.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.box.addItem(self.image)
        self.image.mouseClickEvent = self._on_click
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        self.shape = (0, 0, 0)
        self.cols = 1
        self.levels = (0.0, 1.0)

    def set_maps(self, maps: np.ndarray, title: str | None = None, levels=None) -> None:
        maps = np.ascontiguousarray(maps, dtype=np.float32)
        if maps.ndim == 2:
            maps = maps[None]
        tiled, self.cols, _ = mosaic(maps)
        finite = maps[np.isfinite(maps)]
        low, high = levels or (
            (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        )
        self.levels = (low, high if high > low else low + 1e-6)
        self.image.setImage(tiled, autoLevels=False, levels=self.levels)  # NaN gaps: clear
        if maps.shape != self.shape:
            self.shape = maps.shape
            self.box.autoRange(padding=0.01)
        if title is not None:
            self.title.setText(title)

    def _on_click(self, event) -> None:
        c, h, w = self.shape
        pos = event.pos()
        col, row = int(pos.x()) // (w + 1), int(pos.y()) // (h + 1)
        index = row * self.cols + col
        if 0 <= index < c:
            self.channel_clicked.emit(index)
            event.accept()
