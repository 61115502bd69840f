"""DrawCanvas: a square to draw a digit on — mouse, pen tablet or touch — with smooth,
anti-aliased strokes, pen width, eraser, undo and clear."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SIDE = 280  # the drawing's resolution; it is shown scaled to the widget


class DrawCanvas(QWidget):
    """White ink on black, like MNIST. ``changed`` fires on every change of the drawing."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image = QImage(SIDE, SIDE, QImage.Format_Grayscale8)
        self.background: np.ndarray | None = None  # a test digit under the strokes
        self.strokes: list[tuple[list[QPointF], float, bool]] = []  # points, width, eraser
        self.pen_width = 18.0
        self.eraser = False
        self._current: list[QPointF] | None = None
        self.setAttribute(Qt.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.setMinimumSize(200, 200)
        # as large as the page asks (set_side), never larger; smaller when the window shrinks
        self.side = 420
        self.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Maximum)
        self.setCursor(Qt.CrossCursor)
        self.setToolTip("Draw a digit with the mouse, a pen or a finger")
        self._render()

    def sizeHint(self):  # noqa: N802
        return QSize(self.side, self.side)

    def set_side(self, side: int) -> None:
        """The side the canvas asks its layout for."""
        if side != self.side:
            self.side = side
            self.updateGeometry()

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        # squeezed one way by its neighbours: ask for a square that fits, never show a band
        if self.width() != self.height():
            self.set_side(max(self.minimumWidth(), min(self.width(), self.height())))

    # -- contents --------------------------------------------------------------------------------
    def to_array(self) -> np.ndarray:
        """The drawing as a ``[SIDE, SIDE]`` uint8 array (a copy)."""
        ptr = self.image.constBits()
        rows = np.frombuffer(ptr, np.uint8).reshape(SIDE, self.image.bytesPerLine())
        return rows[:, :SIDE].copy()

    def is_empty(self) -> bool:
        return not self.to_array().any()

    def clear(self) -> None:
        self.strokes.clear()
        self.background = None
        self._render()
        self.changed.emit()

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
        elif self.background is not None:
            self.background = None
        self._render()
        self.changed.emit()

    def set_background(self, image: np.ndarray) -> None:
        """Put an image (any size, 0–255) under the strokes: "try a test digit"."""
        arr = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
        small = QImage(
            arr.data, arr.shape[1], arr.shape[0], arr.strides[0], QImage.Format_Grayscale8
        ).copy()
        scaled = small.scaled(SIDE, SIDE, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
        ptr = scaled.constBits()
        self.background = (
            np.frombuffer(ptr, np.uint8).reshape(SIDE, scaled.bytesPerLine())[:, :SIDE].copy()
        )
        self.strokes.clear()
        self._render()
        self.changed.emit()

    # -- drawing -----------------------------------------------------------------------------------
    def _render(self) -> None:
        self.image.fill(0)
        if self.background is not None:
            bg = np.ascontiguousarray(self.background)
            self.image = QImage(bg.data, SIDE, SIDE, SIDE, QImage.Format_Grayscale8).copy()
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.Antialiasing)
        for points, width, eraser in self.strokes:
            self._paint_stroke(painter, points, width, eraser)
        painter.end()
        self.update()

    @staticmethod
    def _paint_stroke(painter, points, width, eraser) -> None:
        colour = QColor(0, 0, 0) if eraser else QColor(255, 255, 255)
        painter.setPen(QPen(colour, width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        if len(points) == 1:
            painter.drawPoint(points[0])
            return
        path = QPainterPath(points[0])
        for a, b in zip(points[1:-1], points[2:]):  # quadratic curves through midpoints
            path.quadTo(a, (a + b) / 2)
        path.lineTo(points[-1])
        painter.drawPath(path)

    def _to_image(self, pos) -> QPointF:
        side = min(self.width(), self.height())
        return QPointF(pos.x() * SIDE / side, pos.y() * SIDE / side)

    def begin_stroke(self, pos) -> None:
        self._current = [self._to_image(pos)]
        self.strokes.append((self._current, self.pen_width, self.eraser))
        self._draw_tail()

    def extend_stroke(self, pos) -> None:
        if self._current is None:
            return
        self._current.append(self._to_image(pos))
        self._draw_tail()

    def end_stroke(self) -> None:
        """The finished stroke is redrawn whole, so the picture is the same as after undo."""
        if self._current is None:
            return
        self._current = None
        self._render()
        self.changed.emit()

    def _draw_tail(self) -> None:
        """Draw only the newest part of the stroke (a full re-render happens on undo)."""
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.Antialiasing)
        self._paint_stroke(painter, self._current[-3:], self.pen_width, self.eraser)
        painter.end()
        self.update()
        self.changed.emit()

    # -- input events ------------------------------------------------------------------------------
    def mousePressEvent(self, event):  # noqa: N802
        if event.button() == Qt.LeftButton:
            self.begin_stroke(event.position())

    def mouseMoveEvent(self, event):  # noqa: N802
        if event.buttons() & Qt.LeftButton:
            self.extend_stroke(event.position())

    def mouseReleaseEvent(self, event):  # noqa: N802
        self.end_stroke()

    def tabletEvent(self, event):  # noqa: N802
        kind = event.type()
        if kind == QEvent.TabletPress:
            self.begin_stroke(event.position())
        elif kind == QEvent.TabletMove and self._current is not None:
            self.extend_stroke(event.position())
        elif kind == QEvent.TabletRelease:
            self.end_stroke()
        event.accept()

    def event(self, event):
        kind = event.type()
        if kind in (QEvent.TouchBegin, QEvent.TouchUpdate, QEvent.TouchEnd):
            points = event.points()
            if points:
                pos = points[0].position()
                if kind == QEvent.TouchBegin:
                    self.begin_stroke(pos)
                elif kind == QEvent.TouchUpdate:
                    self.extend_stroke(pos)
                else:
                    self.end_stroke()
            event.accept()
            return True
        return super().event(event)

    def paintEvent(self, event):  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#d1d5db"))
        side = min(self.width(), self.height())
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        painter.drawImage(QRectF(0, 0, side, side), self.image)
        painter.setPen(QPen(QColor("#6b7280"), 1))
        painter.drawRect(QRectF(0, 0, side - 1, side - 1))
