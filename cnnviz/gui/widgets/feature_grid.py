"""FeatureMapGrid: every channel of a layer tiled into one image with a shared colour scale;
click a channel to enlarge it. The tiles are arranged in the columns that make them largest
in the space the widget has, and rearranged when it is resized."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnviz.gui.appearance.look import named


def best_columns(count: int, h: int, w: int, width: float, height: float, gap: int = 1) -> int:
    """How many columns make ``count`` tiles of ``h``×``w`` largest in ``width``×``height``
    pixels (about square when the space is unknown)."""
    if count <= 0 or h <= 0 or w <= 0:
        return 1
    if width <= 0 or height <= 0:
        return max(1, math.ceil(math.sqrt(count * h / w)))

    def scale(cols: int) -> float:
        rows = math.ceil(count / cols)
        return min(width / (cols * (w + gap) - gap), height / (rows * (h + gap) - gap))

    return max(range(1, count + 1), key=lambda cols: (scale(cols), -cols))


def mosaic(maps: np.ndarray, gap: int = 1, cols: int | None = None) -> tuple[np.ndarray, int, int]:
    """``[C, H, W]`` → one 2-D image of C tiles (NaN gaps), and the grid's columns, rows
    (``cols`` columns, default about square)."""
    c, h, w = maps.shape
    if c == 0 or h == 0 or w == 0:  # a layer without channels (or pixels): an empty tile
        return np.full((1, 1), np.nan, dtype=np.float32), 1, 0
    cols = min(c, cols) if cols else best_columns(c, h, w, 0, 0, gap)
    rows = math.ceil(c / cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype=np.float32)
    for i in range(c):
        r, col = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, col * (w + gap) : col * (w + gap) + w] = maps[i]
    return out, cols, rows


class FeatureMapGrid(QWidget):
    """Title, a mosaic of channels (one ImageItem, explicit levels), click to pick one."""

    channel_clicked = Signal(int)

    def __init__(self, title: str = "", parent=None, title_lines: int = 2, square: bool = False):
        super().__init__(parent)
        self.square = square  # one image: never taller than it is wide (the rest to others)
        self.title = QLabel(title)
        named(self.title, "gridTitle")
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(40)
        # a fixed height of some lines: a title that changes length must not re-lay-out the
        # views at each snapshot (more lines only when the text needs them, see _fit_title)
        self.title_lines = title_lines
        self._fit_title()
        self.view = pg.GraphicsLayoutWidget()
        # no panel of its own: the tiles fill the widget one way and sit on the page the other
        self.view.setBackground(None)
        self.view.setStyleSheet("background: transparent; border: none;")  # the parent's
        self.view.setMinimumSize(60, 60)
        self.view.ci.layout.setContentsMargins(0, 0, 0, 0)
        self.box = self.view.addViewBox(
            lockAspect=True, invertY=True, enableMouse=False, enableMenu=False
        )  # a still picture: no pan, no zoom, no pyqtgraph menu (slow to build, no use)
        self.box.setDefaultPadding(0)
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
        self.maps: np.ndarray | None = None
        self._extent = (0, 0)  # the mosaic's width and height, in map pixels

    def set_maps(self, maps: np.ndarray, title: str | None = None, levels=None) -> None:
        maps = np.ascontiguousarray(maps, dtype=np.float32)
        if maps.ndim == 2:
            maps = maps[None]
        finite = maps[np.isfinite(maps)]
        low, high = levels or (
            (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        )
        self.levels = (low, high if high > low else low + 1e-6)
        self.maps = maps
        self.shape = maps.shape
        self._show_mosaic()
        if title is not None and title != self.title.text():
            self.title.setText(title)
            self._fit_title()

    def _fit_title(self) -> None:
        """The title's lines, or as many as its text needs at its width and type size."""
        lines = self.title.fontMetrics().lineSpacing() * self.title_lines + 4
        need = self.title.heightForWidth(self.title.width()) if self.title.text() else 0
        height = max(lines, need)
        if height != self.title.height():
            self.title.setFixedHeight(height)

    def _show_mosaic(self) -> None:
        """Tile the maps in the columns that make them largest in the view's present size."""
        c, h, w = self.maps.shape
        size = self.view.size()
        cols = best_columns(c, h, w, size.width(), size.height())
        tiled, self.cols, _ = mosaic(self.maps, cols=cols)
        self.image.setImage(tiled, autoLevels=False, levels=self.levels)  # NaN gaps: clear
        extent = (tiled.shape[1], tiled.shape[0])
        if extent != self._extent:
            self._extent = extent
            self.box.setRange(xRange=(0, extent[0]), yRange=(0, extent[1]), padding=0)

    def tile_size(self) -> float:
        """The on-screen width of one map, in pixels (0 before any is shown)."""
        if self.maps is None or not self._extent[0]:
            return 0.0
        (x0, x1), _ = self.box.viewRange()
        return self.box.width() / max(x1 - x0, 1e-9) * self.shape[2]

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_title()
        if self.square:
            self.setMaximumHeight(self.title.height() + self.layout().spacing() + self.width())
        if self.maps is not None:
            c, h, w = self.maps.shape
            size = self.view.size()
            if best_columns(c, h, w, size.width(), size.height()) != self.cols:
                self._show_mosaic()

    def _on_click(self, event) -> None:
        c, h, w = self.shape
        pos = event.pos()
        col, row = int(pos.x()) // (w + 1), int(pos.y()) // (h + 1)
        index = row * self.cols + col
        if 0 <= index < c:
            self.channel_clicked.emit(index)
            event.accept()
