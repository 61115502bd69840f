"""WeightMaps: a layer's parameters as signed colour maps: the weights now, their gradient
∂L/∂W (and ∂L/∂b), the weights after the optimiser's step and the change.

A convolution's weights ``[out, in, kh, kw]`` are one tile per (output filter, input channel):
a column per filter, a row per input channel. A linear layer's ``[out, in]`` is one picture of
out rows; a bias is one row. (A first layer's filters, one input channel each, stand in two rows.)
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from cnnviz.core.explain import num
from cnnviz.gui.widgets.trace_overview import colour_maps, largest, tile_maps

TITLES = {
    "now": "now",
    "grad": "∂L/∂, this image",
    "before": "before the step",
    "after": "after (now)",
    "change": "change",
}
MAX_WIDTH = 300  # screen pixels of one picture, at most
MIN_WIDTH = 60


def tile_rows(shape: tuple) -> int:
    """Tiles per column of a convolution's weights: a row per input channel (a first layer's
    filters, one input channel each: two rows of them)."""
    o, i = shape[:2]
    return i if i > 1 or o <= 4 else 2


def cell_at(shape: tuple, x: int, y: int) -> tuple[int, ...] | None:
    """The parameter's index under pixel (``x``, ``y``) of its picture (before scaling), or
    None on a seam between tiles."""
    if len(shape) == 4:
        o, i, kh, kw = shape
        rows = tile_rows(shape)
        col, row = x // (kw + 1), y // (kh + 1)
        r, c = y % (kh + 1), x % (kw + 1)
        channel = col * rows + row
        if r >= kh or c >= kw or row >= rows or channel >= o * i:
            return None
        return (channel // i, channel % i, r, c)
    if len(shape) == 1:
        return (x,) if 0 <= x < shape[0] else None
    rows, cols = shape[0], int(np.prod(shape[1:]))
    if not (0 <= y < rows and 0 <= x < cols):
        return None
    return (y, *np.unravel_index(x, shape[1:]))


class ParameterPicture(QLabel):
    """One parameter's picture; a click says which of its cells."""

    clicked = Signal(str, tuple)

    def __init__(self, name: str, shape: tuple, parent=None):
        super().__init__(parent)
        self.name, self.shape = name, tuple(shape)
        self.image_width = 1
        self.setCursor(Qt.PointingHandCursor)

    def set_picture(self, rgb: np.ndarray, width: int) -> None:
        self.image_width = rgb.shape[1]
        self.setPixmap(pixmap(rgb, width))

    def mousePressEvent(self, event):  # noqa: N802
        scale = self.pixmap().width() / self.image_width
        x, y = int(event.position().x() / scale), int(event.position().y() / scale)
        index = cell_at(self.shape, x, y)
        if index is not None:
            self.clicked.emit(self.name, tuple(int(v) for v in index))


def parameter_rgb(values: np.ndarray, scale: float) -> np.ndarray:
    """RGB uint8 ``[H, W, 3]`` of a parameter over ±``scale`` (see the module's note)."""
    values = np.asarray(values, np.float32)
    if values.ndim == 4:
        o, i, kh, kw = values.shape
        maps = values.reshape(o * i, kh, kw)
        rgb = colour_maps(maps, np.full(len(maps), scale or 1.0))
        return tile_maps(rgb, tile_rows(values.shape))
    if values.ndim == 1:
        values = values[None, :]
    values = values.reshape(values.shape[0], -1)
    return colour_maps(values[None], np.array([scale or 1.0]))[0]


def pixmap(rgb: np.ndarray, max_width: int = MAX_WIDTH) -> QPixmap:
    """The picture enlarged by a whole factor (pixels stay square), at most ``max_width``
    wide (a picture wider than that, fc's 320 columns, is shrunk to it)."""
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
    factor = max_width / max(w, 1)
    if factor >= 1:  # whole factors: pixels stay square and sharp
        factor = min(12, int(factor))
    size_w, size_h = max(1, round(w * factor)), max(1, round(h * factor))
    return QPixmap.fromImage(image).scaled(size_w, size_h, Qt.IgnoreAspectRatio)


class WeightMaps(QWidget):
    """The parameters of one layer: the weights and their gradient for this image, and once a
    step was taken, the weights before and after it and the change."""

    weight_clicked = Signal(str, tuple)  # parameter name, index: its gradient's arithmetic

    def __init__(self, parent=None):
        super().__init__(parent)
        self.heading = QLabel("Click a layer with weights, or walk the backward pass to one.")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.cells: dict[tuple[str, str], ParameterPicture] = {}
        self.layer: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.grid)
        layout.addStretch(1)

    def clear(self, text: str) -> None:
        self.layer = None
        self.heading.setText(text)
        self._empty_grid()

    def _empty_grid(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cells = {}

    def show_layer(self, layer: str, names, now: dict, grads: dict, step=None) -> None:
        """``names``' pictures: the weights ``now`` and their gradient ``grads``; with
        ``step`` (the last step's ``(before, after)`` weights) the weights before it, the
        gradient, the weights after it and the change."""
        self.layer = layer
        self._empty_grid()
        keys = ("before", "grad", "after", "change") if step is not None else ("now", "grad")
        self.heading.setText(
            f"{layer}: its parameters and their gradient for this image"
            + (", and how the last step moved them" if step else " (take a step to move them)")
        )
        # two pictures a row (the panel scrolls down, not sideways), as wide as it allows
        room = self.parentWidget().width() if self.parentWidget() else self.width()
        width = max(MIN_WIDTH, min(MAX_WIDTH, (room - 90) // 2 - 16))
        row = 0
        for name in names:
            self.grid.addWidget(QLabel(name.rsplit(".", 1)[-1]), row, 0, Qt.AlignTop)
            values = {"now": now[name], "grad": grads[name]}
            if step is not None:
                before, after = step[0][name], step[1][name]
                values = {"before": before, "grad": grads[name], "after": after}
                values["change"] = after - before
            shared = max(largest(v) for k, v in values.items() if k in ("now", "before", "after"))
            for j, key in enumerate(keys):
                v = values[key]
                scale = shared if key in ("now", "before", "after") else largest(v)
                self.grid.addWidget(self._cell(name, key, v, scale, width), row + j // 2, 1 + j % 2)
            row += (len(keys) + 1) // 2

    def _cell(self, name: str, key: str, values, scale: float, width: int) -> QWidget:
        """A picture under its caption."""
        cell = QWidget()
        caption = QLabel(TITLES[key])
        caption.setStyleSheet("color: #6b7280;")
        picture = ParameterPicture(name, np.shape(values))
        picture.set_picture(parameter_rgb(values, scale), width)
        picture.setToolTip(
            f"{name} {key}: ±{num(scale)} (blue − … red +); click a weight for the arithmetic "
            "of its gradient, and its share in each image of the next batch"
        )
        picture.clicked.connect(self.weight_clicked)
        self.cells[(name, key)] = picture
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 6)
        box.addWidget(caption)
        box.addWidget(picture, 0, Qt.AlignLeft | Qt.AlignTop)
        return cell
