"""DrawPage: draw a digit and watch the network classify it, live, with its feature maps."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from cnnviz.core.inference import has_ink, load_default_model, load_model, preprocess
from cnnviz.core.training import CheckpointError
from cnnviz.core.training.probe import feature_layers, inception_blocks
from cnnviz.gui import theme
from cnnviz.gui.widgets.draw_canvas import DrawCanvas
from cnnviz.gui.widgets.feature_grid import FeatureMapGrid
from cnnviz.gui.widgets.probability_bars import ProbabilityBars
from cnnviz.gui.workers.inference_worker import InferenceThread

SOURCES = ("Default model (simple, shipped)", "Current training run", "Checkpoint file…")


class DrawPage(QWidget):
    """Canvas → 28×28 → network → probability bars, feature maps and Inception branches."""

    title = "Draw"
    status_hint = "Draw a digit with the mouse; the prediction follows every stroke."

    def __init__(self, training_model=None, parent=None):
        super().__init__(parent)
        self.training_model = training_model  # callable → a weights snapshot, or None
        self.model = None
        self.request_id = 0
        self.shown_id = -1
        self.rng = np.random.default_rng()
        self.inference = InferenceThread(self)
        self.inference.worker.result.connect(self._on_result, Qt.QueuedConnection)
        self.canvas = DrawCanvas()
        self.canvas.changed.connect(self.request_prediction)
        self._build()
        self.set_model(load_default_model(), "the default model")

    def _build(self) -> None:
        self.width_spin = QSpinBox()
        self.width_spin.setRange(2, 60)
        self.width_spin.setValue(int(self.canvas.pen_width))
        self.width_spin.setPrefix("pen ")
        self.width_spin.setToolTip("Pen width (pixels of the 280×280 canvas)")
        self.width_spin.valueChanged.connect(lambda v: setattr(self.canvas, "pen_width", float(v)))
        self.eraser = QToolButton()
        self.eraser.setText("Eraser")
        self.eraser.setCheckable(True)
        self.eraser.setToolTip("Erase instead of drawing (E)")
        self.eraser.toggled.connect(lambda on: setattr(self.canvas, "eraser", on))
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Undo the last stroke (Ctrl+Z)")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the canvas (Delete)")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.test_button = QPushButton("Try a test digit")
        self.test_button.setToolTip("Put a random MNIST test image on the canvas")
        self.test_button.clicked.connect(self.try_test_digit)
        for keys, slot in (("Ctrl+Z", self.canvas.undo), ("Delete", self.canvas.clear),
                           ("E", self.eraser.toggle)):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.WidgetWithChildrenShortcut)
        tools = QHBoxLayout()
        for w in (self.width_spin, self.eraser, self.undo_button, self.clear_button,
                  self.test_button):
            tools.addWidget(w)
        tools.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(tools)
        left.addWidget(self.canvas, 1)

        self.seen = FeatureMapGrid("What the network sees (28×28)")
        self.seen.image.setColorMap(pg.colormap.get("CET-L1"))  # grey, as MNIST
        self.prediction = QLabel("Draw a digit")
        self.prediction.setObjectName("prediction")
        self.prediction.setStyleSheet("font-size: 26px; font-weight: bold;")
        self.bars = ProbabilityBars()
        middle = QVBoxLayout()
        middle.addWidget(self.seen, 2)
        middle.addWidget(self.prediction)
        middle.addWidget(self.bars, 3)

        self.source_box = QComboBox()
        self.source_box.addItems(SOURCES)
        self.source_box.setToolTip("Which network classifies the drawing")
        self.source_box.activated.connect(self._on_source_chosen)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        self.message.hide()
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("The layer whose feature maps are shown")
        self.layer_box.currentTextChanged.connect(lambda _t: self.request_prediction())
        self.maps = FeatureMapGrid("Feature maps")
        self.block_box = QComboBox()
        self.block_box.currentTextChanged.connect(lambda _t: self.request_prediction())
        self.branch_views = [FeatureMapGrid("") for _ in range(4)]
        self.branch_panel = QWidget()
        branch_grid = QGridLayout(self.branch_panel)
        branch_grid.setContentsMargins(0, 0, 0, 0)
        branch_grid.addWidget(QLabel("Inception block:"), 0, 0)
        branch_grid.addWidget(self.block_box, 0, 1)
        for i, view in enumerate(self.branch_views):
            branch_grid.addWidget(view, 1 + i // 2, i % 2)
        right = QVBoxLayout()
        for w in (QLabel("Model:"), self.source_box, self.model_label, self.message):
            right.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer:"))
        row.addWidget(self.layer_box, 1)
        right.addLayout(row)
        right.addWidget(self.maps, 2)
        right.addWidget(self.branch_panel, 2)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 5)
        layout.addLayout(middle, 3)
        layout.addLayout(right, 4)

    # -- models ---------------------------------------------------------------------------------
    def set_model(self, model, description: str) -> None:
        self.model = model
        self.inference.worker.set_model(model)
        self.layers = feature_layers(model)
        self.blocks = inception_blocks(model)
        for box, items in ((self.layer_box, self.layers), (self.block_box, list(self.blocks))):
            box.blockSignals(True)
            box.clear()
            box.addItems(items)
            box.blockSignals(False)
        self.branch_panel.setVisible(bool(self.blocks))
        self.model_label.setText(f"Using {description}: {type(model).__name__}, "
                                 f"{sum(p.numel() for p in model.parameters()):,} parameters")
        self.show_message("")
        self.request_prediction()

    def use_training_run(self) -> bool:
        model = self.training_model() if self.training_model else None
        if model is None:
            self.show_message("No training run yet: start one on the Train page. "
                              "The previous model stays.")
            return False
        self.set_model(model, "a snapshot of the current training run")
        return True

    def use_checkpoint(self, path) -> bool:
        try:
            model = load_model(path)
        except CheckpointError as exc:
            self.show_message(f"Cannot use this checkpoint: {exc}. The previous model stays.")
            return False
        self.set_model(model, f"the checkpoint {path}")
        return True

    def _on_source_chosen(self, index: int) -> None:
        if index == 0:
            self.set_model(load_default_model(), "the default model")
        elif index == 1:
            self.use_training_run()
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Model checkpoint", "",
                                                  "Checkpoints (*.pt)")
            if path:
                self.use_checkpoint(path)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- predictions ----------------------------------------------------------------------------
    def request_prediction(self) -> None:
        """Preprocess the drawing and ask for a prediction; an empty canvas shows none."""
        self.request_id += 1
        drawing = self.canvas.to_array()
        if not has_ink(drawing):
            self.shown_id = self.request_id
            self.bars.set_probabilities(None)
            self.prediction.setText("Draw a digit")
            self.seen.set_maps(np.zeros((28, 28), np.float32), levels=(0, 1))
            return
        image = preprocess(drawing)
        self.seen.set_maps(image, levels=(0, 1))
        layers = [self.layer_box.currentText()] if self.layer_box.currentText() else []
        block = self.block_box.currentText()
        if block in self.blocks:
            layers += [m for _, m in self.blocks[block]]
        self.inference.worker.submit(self.request_id, image, layers)

    def _on_result(self, result: dict) -> None:
        if result["id"] < self.shown_id or result["id"] != self.request_id:
            return  # stale: the drawing has changed since
        self.shown_id = result["id"]
        if "error" in result:
            self.show_message(f"This model cannot classify a 28×28 drawing: {result['error']}")
            return
        probabilities = result["probabilities"]
        self.bars.set_probabilities(probabilities)
        top = int(np.argmax(probabilities))
        self.prediction.setText(f"It is a {top} ({100 * probabilities[top]:.1f}%)")
        activations = result["activations"]
        layer = self.layer_box.currentText()
        if layer in activations:
            maps = activations[layer]
            self.maps.set_maps(maps, f"{layer}: {maps.shape[0]} feature maps of "
                                     f"{maps.shape[1]}×{maps.shape[2]}")
        block = self.block_box.currentText()
        branches = [(label, activations[m]) for label, m in self.blocks.get(block, [])
                    if m in activations]
        if branches:
            low = min(float(a.min()) for _, a in branches)
            high = max(float(a.max()) for _, a in branches)
            for view, (label, maps) in zip(self.branch_views, branches):
                view.set_maps(maps, label, levels=(low, high))

    def try_test_digit(self) -> int:
        """Load a random MNIST test image onto the canvas; returns its label."""
        from cnnviz.core.data import load_mnist

        test = load_mnist("test")
        index = int(self.rng.integers(len(test)))
        self.canvas.set_background(test.images[index, 0].numpy())
        return int(test.labels[index])

    def shutdown(self) -> None:
        self.inference.shutdown()
