"""AttributionPanel: why did it say 7? Saliency, integrated gradients, occlusion (with its
window sliding over the input) or Grad-CAM for the predicted or a chosen class, overlaid on
the network's input in two colours. Computed on the compute service; the latest request wins."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
)

from cnnviz.core.attribution import METHODS as REGISTRY
from cnnviz.core.model_source import ModelSource
from cnnviz.gui.widgets.overlay_view import OverlayView
from cnnviz.gui.widgets.task_panel import ModelTaskPanel
from cnnviz.gui.workers.attribution_jobs import METHODS, attribution_map

PREDICTED = "Predicted class"
MEANINGS = {m.label: m.description for m in REGISTRY}  # what each map says: the registry's


class AttributionPanel(ModelTaskPanel):
    """Method, class, layer (Grad-CAM), window and stride (occlusion), opacity; the map over
    the input; Play slides the occlusion window across, position by position."""

    def __init__(self, parent=None):
        super().__init__("attribution", parent)
        self.image: np.ndarray | None = None
        self.timer = self.add_timer(180, self._advance)
        self.step = -1  # the occlusion window's position while it slides; -1: at rest
        self._build()

    def _build(self) -> None:
        self.method_box = QComboBox()
        self.method_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.method_box.setMinimumContentsLength(6)  # long entries must not widen the column
        self.method_box.addItems(METHODS)
        self.method_box.setToolTip("How the map is made")
        self.target_box = QComboBox()
        self.target_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.target_box.setMinimumContentsLength(6)  # long entries must not widen the column
        self.target_box.setToolTip("The class whose evidence is shown")
        self.layer_box = QComboBox()
        self.layer_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_box.setMinimumContentsLength(6)  # long entries must not widen the column
        self.layer_box.setToolTip("Grad-CAM: the convolution layer whose feature maps are used")
        self.window_spin = QSpinBox()
        self.window_spin.setRange(1, 28)
        self.window_spin.setValue(7)
        self.window_spin.setToolTip("Occlusion: the window, the side of the square set to black")
        self.stride_spin = QSpinBox()
        self.stride_spin.setRange(1, 7)
        self.stride_spin.setValue(3)
        self.stride_spin.setToolTip("Occlusion: the stride, how far the window moves each step")
        self.play_button = QPushButton("Slide the window")
        self.play_button.setToolTip("Occlusion: move the window over the input, step by step")
        self.play_button.clicked.connect(self.play)
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(70)
        self.opacity.setToolTip("Opacity of the map over the input")
        self.opacity.valueChanged.connect(lambda v: self.view.set_opacity(v / 100))
        for box in (self.method_box, self.target_box, self.layer_box):
            box.currentIndexChanged.connect(lambda _i: self.request())
        self.window_spin.valueChanged.connect(self._on_window_changed)
        self.stride_spin.valueChanged.connect(lambda _v: self.request())
        self.method_box.currentIndexChanged.connect(lambda _i: self._enable())

        grid = QGridLayout()
        rows = (
            ("Method:", self.method_box),
            ("Class:", self.target_box),
            ("Layer:", self.layer_box),
        )
        for row, (text, widget) in enumerate(rows):
            grid.addWidget(QLabel(text), row, 0)
            grid.addWidget(widget, row, 1, 1, 2)
        grid.addWidget(QLabel("Occlusion:"), 3, 0)  # its window and stride
        grid.addWidget(self.window_spin, 3, 1)
        grid.addWidget(self.stride_spin, 3, 2)
        grid.addWidget(self.play_button, 4, 0, 1, 3)
        grid.addWidget(QLabel("Opacity:"), 5, 0)
        grid.addWidget(self.opacity, 5, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.view = OverlayView("Why? Draw something first")
        self.view.set_opacity(0.7)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self._enable()

    # -- what the page tells it ------------------------------------------------------------------
    def set_model(self, source: ModelSource, facts: dict) -> None:
        super().set_model(source, facts)
        _, h, w = self.info.input_shape
        for box, items in (
            (self.target_box, [PREDICTED, *self.info.class_names]),
            (self.layer_box, list(facts["convs"])),
        ):
            box.blockSignals(True)
            box.clear()
            box.addItems(items)
            box.blockSignals(False)
        self.layer_box.setCurrentIndex(self.layer_box.count() - 1)  # the last convolution
        self.window_spin.setMaximum(min(h, w))
        self.request()

    def set_image(self, image: np.ndarray | None) -> None:
        """The network's input (``[C, H, W]`` in 0–1), or None for an empty canvas."""
        self.image = None if image is None else np.asarray(image, np.float32)
        self.request()

    # -- requests and results --------------------------------------------------------------------
    def request(self) -> None:
        """Ask for the map of the current choices (when seen; else once it is)."""
        self.request_id += 1
        self._stop_sliding()
        if self.image is None:
            self.shown_id, self.result = self.request_id, None
            self.view.set_base(np.zeros(self.info.input_shape[1:], np.float32))
            self.view.set_overlay(None)
            self.view.title.setText("Why? Draw something first")
            self.caption.setText("")
            return
        self.view.set_base(self.image.mean(axis=0))
        index = self.target_box.currentIndex()
        target = None if index <= 0 else index - 1
        self.submit_when_seen(
            attribution_map,
            self.image,
            self.method_box.currentText(),
            target,
            self.layer_box.currentText(),
            self.window_spin.value(),
            self.stride_spin.value(),
        )

    def show_result(self, result: dict) -> None:
        if "error" in result:
            self.result = None
            self.view.set_overlay(None)
            self._say(f"Cannot make this map: {result['error']}", error=True)
            return
        self.result = result
        self._show_full_map()

    def _show_full_map(self) -> None:
        result = self.result
        if result is None:
            return
        self.view.hide_window()
        self.view.set_overlay(result["map"], self._map_rect(result))
        name = self._class_name(result["target"])
        predicted = self._class_name(result["predicted"])
        which = (
            "the predicted class"
            if result["target"] == result["predicted"]
            else (f"predicted: {predicted}")
        )
        self.view.title.setText(f"{result['method']} for {name} ({which})")
        values = result["map"]
        extra = ""
        if result["method"] == "Occlusion":
            extra = f" Largest drop: {100 * float(values.max()):+.2f} percentage points."
        self._say(f"{MEANINGS[result['method']]}.{extra}")

    def _map_rect(self, result: dict) -> QRectF | None:
        """Occlusion: one cell per window position, centred on the window."""
        if result["method"] != "Occlusion":
            return None
        rows, cols = result["map"].shape
        k, s = result["window"], result["stride"]
        return QRectF(k / 2 - s / 2, k / 2 - s / 2, cols * s, rows * s)

    # -- the sliding window ------------------------------------------------------------------------
    def play(self) -> None:
        """Slide the occlusion window over the input, revealing each position's drop."""
        if self.result is None or self.result["method"] != "Occlusion":
            self._say("Choose Occlusion and draw something to slide the window.", error=True)
            return
        self.step = -1
        self.timer.start()
        self._advance()

    def _advance(self) -> None:
        result = self.result
        if result is None or result["method"] != "Occlusion":
            self._stop_sliding()
            return
        self.step += 1
        positions = result["positions"]
        if self.step >= len(positions):
            self._stop_sliding()
            self._show_full_map()
            return
        shown = np.full(result["map"].size, np.nan, np.float32)
        shown[: self.step + 1] = result["map"].ravel()[: self.step + 1]
        values = result["map"]
        scale = float(np.abs(values).max()) or None
        self.view.set_overlay(shown.reshape(values.shape), self._map_rect(result), scale)
        top, left = positions[self.step]
        self.view.show_window(top, left, result["window"])
        drop = float(values.ravel()[self.step])
        self._say(
            f"Window {self.step + 1} of {len(positions)} at row {top + 1}, column {left + 1}: the "
            f"probability of {self._class_name(result['target'])} drops by "
            f"{100 * drop:+.2f} percentage points."
        )

    def _stop_sliding(self) -> None:
        self.timer.stop()
        self.step = -1
        self.view.hide_window()

    # -- small helpers -----------------------------------------------------------------------------
    def _on_window_changed(self, value: int) -> None:
        self.stride_spin.setMaximum(max(1, value))  # a stride beyond the window skips pixels
        self.request()

    def _enable(self) -> None:
        method = self.method_box.currentText()
        self.layer_box.setEnabled(method == "Grad-CAM")
        for widget in (self.window_spin, self.stride_spin, self.play_button):
            widget.setEnabled(method == "Occlusion")

    def _class_name(self, index: int) -> str:
        names = self.info.class_names
        return names[index] if 0 <= index < len(names) else str(index)
