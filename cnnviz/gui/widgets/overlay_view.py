"""OverlayView: a grey image with a signed map laid over it in two colours (orange for, blue
against) at a chosen opacity, and an optional square window (the occlusion window)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QVBoxLayout, QWidget

from cnnviz.gui.appearance import theme
from cnnviz.gui.appearance.look import named


def signed_rgba(values: np.ndarray, opacity: float, scale: float | None = None) -> np.ndarray:
    """``[H, W, 4]`` uint8: positive values in orange, negative in blue, each as opaque as
    its size (of ``scale``, default the largest |value|) times ``opacity``; NaN clear."""
    values = np.asarray(values, dtype=np.float32)
    finite = np.where(np.isfinite(values), values, 0.0)
    top = float(np.abs(finite).max()) if scale is None else float(scale)
    strength = np.abs(finite) / top if top > 0 else np.zeros_like(finite)
    out = np.zeros((*values.shape, 4), dtype=np.uint8)
    for sign, colour in ((finite > 0, theme.POSITIVE), (finite < 0, theme.NEGATIVE)):
        out[sign, :3] = (colour.red(), colour.green(), colour.blue())
    alpha = np.clip(strength, 0, 1) * float(np.clip(opacity, 0, 1)) * 255
    out[..., 3] = np.round(alpha).astype(np.uint8)
    return out


class OverlayView(QWidget):
    """Title, the base image (grey, 0–1) and the overlay (set by :meth:`set_overlay`)."""

    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = QLabel(title)
        named(self.title, "gridTitle")
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(40)
        # two lines, fixed: a title that changes length must not re-lay-out the picture
        self.title.setFixedHeight(self.title.fontMetrics().lineSpacing() * 2 + 4)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.view.setMinimumSize(80, 80)
        self.box = self.view.addViewBox(
            lockAspect=True, invertY=True, enableMouse=False, enableMenu=False
        )  # a still picture: no pan, no zoom, no pyqtgraph menu (slow to build, no use)
        self.base = pg.ImageItem(axisOrder="row-major")
        self.base.setColorMap(pg.colormap.get("CET-L1"))
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.window = QGraphicsRectItem()
        pen = QPen(QColor(theme.WINDOW_EDGE))
        pen.setWidthF(0.35)
        self.window.setPen(pen)
        self.window.setZValue(10)
        self.window.hide()
        for item in (self.base, self.overlay, self.window):
            self.box.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        self.values: np.ndarray | None = None
        self.rect: QRectF | None = None
        self.opacity = 0.7
        self.scale: float | None = None
        self.size = (0, 0)

    def set_base(self, image: np.ndarray | None) -> None:
        """The grey picture underneath (``[H, W]`` in 0–1); None: white paper."""
        if image is None:
            self.base.clear()
            return
        image = np.ascontiguousarray(image, dtype=np.float32)
        self.base.setImage(image, autoLevels=False, levels=(0.0, 1.0))
        self.base.setRect(QRectF(0, 0, image.shape[1], image.shape[0]))
        self._fit(image.shape)

    def set_overlay(
        self,
        values: np.ndarray | None,
        rect: QRectF | None = None,
        scale: float | None = None,
    ) -> None:
        """The signed map; ``rect`` places it in input pixels (default: the whole input),
        ``scale`` the value drawn fully opaque (default: the largest |value|)."""
        self.values = None if values is None else np.asarray(values, dtype=np.float32)
        self.rect, self.scale = rect, scale
        self._paint()

    def set_opacity(self, opacity: float) -> None:
        self.opacity = float(opacity)
        self._paint()

    def show_window(self, top: int, left: int, size: int) -> None:
        self.window.setRect(QRectF(left, top, size, size))
        self.window.show()

    def hide_window(self) -> None:
        self.window.hide()

    def _paint(self) -> None:
        if self.values is None:
            self.overlay.clear()
            return
        self.overlay.setImage(signed_rgba(self.values, self.opacity, self.scale), autoLevels=False)
        h, w = self.values.shape
        self.overlay.setRect(self.rect or QRectF(0, 0, w, h))
        if self.base.image is None:
            self._fit((h, w))

    def _fit(self, shape) -> None:
        if tuple(shape) != self.size:
            self.size = tuple(shape)
            self.box.autoRange(padding=0.01)
