"""WeightMaps: a layer's parameters as signed colour maps: the weights now, their gradient
∂L/∂W (and ∂L/∂b), the weights after the optimiser's step and the change.

A convolution's weights ``[out, in, kh, kw]`` are one tile per (output filter, input channel):
a column per filter, a row per input channel. A linear layer's ``[out, in]`` is one picture of
out rows; a bias is one row. (A first layer's filters, one input channel each, stand in two rows.)
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
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


def parameter_rgb(values: np.ndarray, scale: float) -> np.ndarray:
    """RGB uint8 ``[H, W, 3]`` of a parameter over ±``scale`` (see the module's note)."""
    values = np.asarray(values, np.float32)
    if values.ndim == 4:
        o, i, kh, kw = values.shape
        maps = values.reshape(o * i, kh, kw)
        rgb = colour_maps(maps, np.full(len(maps), scale or 1.0))
        # a filter per column, an input channel per row; one input channel: two rows of them
        return tile_maps(rgb, i if i > 1 or o <= 4 else 2)
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

    def __init__(self, parent=None):
        super().__init__(parent)
        self.heading = QLabel("Click a layer with weights, or walk the backward pass to one.")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.cells: dict[tuple[str, str], QLabel] = {}
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
        picture = QLabel()
        picture.setPixmap(pixmap(parameter_rgb(values, scale), width))
        picture.setToolTip(f"{name} {key}: ±{num(scale)} (blue − … red +)")
        self.cells[(name, key)] = picture
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 6)
        box.addWidget(caption)
        box.addWidget(picture, 0, Qt.AlignLeft | Qt.AlignTop)
        return cell
