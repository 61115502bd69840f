"""FieldPicture: the input image with a unit's receptive field outlined, for an exported frame
of the Trace page (beside the unit's grids, it shows where on the digit the unit looks)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnviz.gui.widgets.trace_overview import SELECTED  # the overview's outline of a field


def display_image(image: np.ndarray) -> QImage:
    """A ``[C, H, W]`` (or ``[H, W]``) image as an 8-bit picture, stretched to its own range:
    grey for one channel (or any count but three), colour for three."""
    values = np.asarray(image, np.float32)
    if values.ndim == 3 and values.shape[0] != 3:
        values = values.mean(axis=0)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    pixels = np.ascontiguousarray((scaled * 255).round().astype(np.uint8))
    if pixels.ndim == 2:
        h, w = pixels.shape
        return QImage(pixels.data, w, h, w, QImage.Format_Grayscale8).copy()
    rgb = np.ascontiguousarray(pixels.transpose(1, 2, 0))
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()


class FieldPicture(QWidget):
    """The input image, square pixels, as tall as ``share`` of its parent's height, with the
    receptive field's pixels (``top, left, bottom, right``, or None: none outlined) framed."""

    def __init__(self, image: np.ndarray, share: float = 0.45, parent=None):
        super().__init__(parent)
        self.image = display_image(image)
        self.share = share
        self.pixels: tuple[int, int, int, int] | None = None
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self._watched = None

    def set_field(self, field) -> None:
        """Outline ``field`` (a ReceptiveField with its pixels, or None)."""
        self.pixels = field.pixels if field is not None else None
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        parent = self.parentWidget()
        room = parent.height() if parent is not None else 200
        tall = max(56, round(room * self.share))
        wide = round(tall * self.image.width() / max(self.image.height(), 1))
        return QSize(wide, tall)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def event(self, event):
        if event.type() == QEvent.ParentChange:  # follow the new parent's height
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            self._watched = self.parentWidget()
            if self._watched is not None:
                self._watched.installEventFilter(self)
        return super().event(event)

    def eventFilter(self, watched, event):  # noqa: N802
        if watched is self._watched and event.type() == QEvent.Resize:
            self.updateGeometry()
        return False

    def paintEvent(self, _event):  # noqa: N802
        painter = QPainter(self)
        target = QRectF(self.rect())
        painter.drawImage(target, self.image)  # no smoothing: each pixel a square
        if self.pixels is not None:
            top, left, bottom, right = self.pixels
            sx = target.width() / self.image.width()
            sy = target.height() / self.image.height()
            width = max(2.0, target.width() / 90)
            painter.setPen(QPen(SELECTED, width))
            painter.setBrush(Qt.NoBrush)
            inset = width / 2
            painter.drawRect(
                QRectF(left * sx, top * sy, (right - left) * sx, (bottom - top) * sy).adjusted(
                    inset, inset, -inset, -inset
                )
            )
        painter.end()
