"""DrawPage: draw a digit and watch the network classify it, live, with its feature maps."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.inference import (
    MNIST_INFO,
    InputContract,
    has_ink,
    load_classifier,
    load_default_model,
    prepare,
)
from cnnviz.core.lesson import whole
from cnnviz.core.lesson_pictures import check_exact, decode_png, encode_png, exact_state
from cnnviz.core.training import CheckpointError
from cnnviz.core.training.probe import feature_layers, inception_blocks
from cnnviz.gui import theme
from cnnviz.gui.datasets import MNIST
from cnnviz.gui.look import named
from cnnviz.gui.pages.base import Drawing, Page
from cnnviz.gui.widgets.draw_canvas import SIDE, DrawCanvas
from cnnviz.gui.widgets.feature_grid import FeatureMapGrid
from cnnviz.gui.widgets.model_source_box import (
    CHECKPOINT,
    DEFAULT,
    OPENED,
    TRAINING_RUN,
    ModelSourceBox,
    check_source,
    source_state,
)
from cnnviz.gui.widgets.probability_bars import ProbabilityBars
from cnnviz.gui.widgets.why_tabs import WhyTabs
from cnnviz.gui.workers.inference_worker import InferenceThread
from cnnviz.gui.workers.weights_loader import (
    NO_OPENED_MODEL,
    WeightsLoader,
    ask_weights_file,
    latest_opened_model,
)

CANVAS_SHARE = 0.55  # at most this share of the page's width goes to the canvas


class DrawPage(Page):
    """Canvas → 28×28 → network → probability bars, feature maps and Inception branches."""

    title = "Draw"
    status_hint = "Draw a digit with the mouse; the prediction follows every stroke."
    uses_dataset = True
    page_shortcuts = (
        ("Ctrl+Z", "undo the last stroke"),
        ("Delete", "clear the canvas"),
        ("E", "eraser on / off"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = None
        self.awaiting_snapshot = False  # a snapshot of the training run has been asked for
        self.source_index = 0  # the Model box entry of the model in use
        self.source_file: tuple = (None, None)  # its (path, opened model name), if a file
        self.info: InputContract = MNIST_INFO
        self.dataset = MNIST  # the chosen dataset (test images come from it when they fit)
        self.exact_input: np.ndarray | None = None  # a test image, as the model takes it
        self._folder_test: tuple = (None, None)  # (folder choice, its test split)
        self.request_id = 0
        self.shown_id = -1
        self.rng = np.random.default_rng()
        self.inference = InferenceThread(self)
        self.inference.worker.result.connect(self._on_result, Qt.QueuedConnection)
        self.weights = WeightsLoader(self)
        self.weights.loaded.connect(self._on_weights_loaded)
        self.weights.failed.connect(self._on_weights_failed)
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
        self.test_button = QPushButton("Try a test image")
        self.test_button.setToolTip(
            "Put a random test image of the dataset on the canvas (the "
            "network sees it exactly as in the test set)"
        )
        self.test_button.clicked.connect(self.try_test_digit)
        self.trace_button = QPushButton("Trace this drawing")
        self.trace_button.setToolTip(
            "Open the Trace page on this drawing and this model: every number of the forward "
            "pass, the receptive field and the arithmetic of any unit"
        )
        self.trace_button.clicked.connect(self.trace_drawing)
        slots = (self.canvas.undo, self.canvas.clear, self.eraser.toggle)
        for (keys, _text), slot in zip(self.page_shortcuts, slots):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.WidgetWithChildrenShortcut)
        tools = QGridLayout()
        for i, w in enumerate((self.width_spin, self.eraser, self.undo_button, self.clear_button)):
            tools.addWidget(w, 0, i)
        tools.addWidget(self.test_button, 1, 0, 1, 2)
        tools.addWidget(self.trace_button, 1, 2, 1, 2)
        tools.setColumnStretch(4, 1)
        left = QVBoxLayout()
        left.addLayout(tools)
        left.addWidget(self.canvas)  # square, sized by _fit_canvas
        left.addStretch(1)
        self.left_column = left

        # square: the 28×28 view is as large as its column is wide
        self.seen = FeatureMapGrid("What the network sees (28×28)", square=True)
        self.seen.image.setColorMap(pg.colormap.get("CET-L1"))  # grey, as MNIST
        self.prediction = QLabel("Draw a digit")
        self.prediction.setObjectName("prediction")
        self.prediction.setStyleSheet("font-size: 26px; font-weight: bold;")
        self.prediction.setWordWrap(True)  # a long class name must not narrow the canvas
        self.bars = ProbabilityBars()
        middle = QVBoxLayout()
        middle.addWidget(self.seen)
        middle.addWidget(self.prediction)
        middle.addWidget(self.bars, 1)

        self.source_box = ModelSourceBox("Which network classifies the drawing")
        self.source_box.activated.connect(self._on_source_chosen)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.dataset_note = QLabel()
        named(self.dataset_note, "presetNote")
        self.dataset_note.setWordWrap(True)
        self.dataset_note.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        self.message.hide()
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("The layer whose feature maps are shown")
        self.layer_box.currentTextChanged.connect(lambda _t: self.request_prediction())
        self.maps = FeatureMapGrid("Feature maps")
        self.block_box = QComboBox()
        self.block_box.setToolTip("The Inception block whose four branch outputs are shown")
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
        for w in (
            QLabel("Model:"),
            self.source_box,
            self.model_label,
            self.dataset_note,
            self.message,
        ):
            right.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer:"))
        row.addWidget(self.layer_box, 1)
        features = QWidget()  # the first tab; attribution and adversarial digits beside it
        feature_column = QVBoxLayout(features)
        feature_column.addLayout(row)
        feature_column.addWidget(self.maps, 2)
        feature_column.addWidget(self.branch_panel, 2)
        self.why_tabs = WhyTabs(features, self._test_set)
        self.maps.channel_clicked.connect(  # a click on a map: what that filter looks for
            lambda channel: self.why_tabs.show_filter(self.layer_box.currentText(), channel)
        )
        right.addWidget(self.why_tabs, 4)

        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(middle, 3)
        layout.addLayout(right, 4)

    def _fit_canvas(self) -> None:
        """The canvas square and as large as the page allows: the height under the tools,
        within its share of the width and leaving the columns beside it their least width."""
        layout = self.layout()
        margins = layout.contentsMargins()
        tools = self.left_column.itemAt(0).layout().sizeHint().height()
        room = self.height() - margins.top() - margins.bottom() - tools
        room -= self.left_column.spacing()
        others = sum(layout.itemAt(i).minimumSize().width() for i in range(1, layout.count()))
        others += layout.spacing() * (layout.count() - 1) + margins.left() + margins.right()
        width = min(int(self.width() * CANVAS_SHARE), self.width() - others)
        self.canvas.set_side(max(200, min(room, width)))

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_canvas()

    def event(self, event):
        if event.type() == QEvent.LayoutRequest:  # a neighbour's least width may have changed
            self._fit_canvas()
        return super().event(event)

    # -- models ---------------------------------------------------------------------------------
    def set_model(self, model, description: str, info: InputContract = MNIST_INFO) -> None:
        self.model = model
        self.info = info
        self.exact_input = None
        self.inference.worker.set_model(model, info)
        self.why_tabs.set_model(model, info)
        self.bars.set_class_names(info.class_names)
        c, h, w = info.input_shape
        self.seen.title.setText(f"What the network sees ({c}×{h}×{w})")
        self.layers = feature_layers(model)
        self.blocks = inception_blocks(model)
        for box, items in ((self.layer_box, self.layers), (self.block_box, list(self.blocks))):
            box.blockSignals(True)
            box.clear()
            box.addItems(items)
            box.blockSignals(False)
        self.branch_panel.setVisible(bool(self.blocks))
        self._model_text = (
            f"Using {description}: {type(model).__name__}, "
            f"{sum(p.numel() for p in model.parameters()):,} parameters, "
            f"trained on {info.describe()}"
        )
        self.model_label.setText(self._model_text)
        self.show_message("")
        self._note_dataset()
        self.request_prediction()

    def set_dataset(self, choice) -> None:
        """Follow the chosen dataset: its test images, and a note when the model in use was
        trained on something else."""
        self.dataset = choice
        self._note_dataset()

    def _dataset_fits_model(self) -> bool:
        return tuple(self.dataset.shape) == tuple(self.info.input_shape) and tuple(
            self.dataset.class_names
        ) == tuple(self.info.class_names)

    def _note_dataset(self) -> None:
        fits = self._dataset_fits_model()
        self.dataset_note.setText(
            ""
            if fits
            else f"The chosen dataset is {self.dataset.describe()}; this model "
            f"was trained on {self.info.dataset}. Train one on the Train "
            "page and pick “Current training run”, or open a checkpoint."
        )
        self.dataset_note.setVisible(not fits)

    def use_training_run(self) -> bool:
        """Ask for a snapshot of the model being trained (taken between two batches: it may
        arrive a moment later); False, with a message, when there is no run."""
        self.awaiting_snapshot = True
        if not self.context.request_training_model(self._on_training_snapshot):
            self.awaiting_snapshot = False
            self.show_message(
                "No training run yet: start one on the Train page. The previous model stays."
            )
            return False
        if self.awaiting_snapshot:
            self.model_label.setText("Taking a snapshot of the training run…")
        return True

    def _on_training_snapshot(self, snapshot) -> None:
        self.awaiting_snapshot = False
        if snapshot is None:
            self.show_message(
                "The training run has no model yet (it is still setting up). "
                "The previous model stays."
            )
            self._show_source(self.source_index)
            return
        model, info = snapshot
        self.set_model(model, "a snapshot of the current training run", info)
        self._show_source(1)

    def use_checkpoint(self, path) -> bool:
        try:
            model, info = load_classifier(path)
        except CheckpointError as exc:
            self.show_message(f"Cannot use this checkpoint: {exc}. The previous model stays.")
            return False
        self.set_model(model, f"the checkpoint {path}", info)
        self._show_source(2, str(path))
        return True

    def use_weights(self, name: str, path) -> None:
        """Put the weights of ``path`` (trained elsewhere) on the model opened from a file
        as ``name``; read in the background, the model changes when they fit."""
        self.model_label.setText(f"Reading the weights of {path}…")
        self.weights.load(name, path)

    def _on_weights_loaded(self, result: dict) -> None:
        from cnnviz.core.models.weights import input_contract
        from cnnviz.models import info as zoo_entry

        contract = input_contract(zoo_entry(result["name"]).opened)
        self.set_model(
            result["model"], f"{result['name']} with the weights of {result['path']}", contract
        )
        self._show_source(3, str(result["path"]), result["name"])

    def _on_weights_failed(self, text: str) -> None:
        self.show_message(f"Cannot use these weights: {text}. The previous model stays.")
        self.model_label.setText(self._model_text)
        self._show_source(self.source_index)

    def _choose_weights(self) -> bool:
        """The model box's last entry: weights for the model opened last."""
        name = latest_opened_model()
        if name is None:
            self.show_message(NO_OPENED_MODEL)
            return False
        path = ask_weights_file(self, name)
        if not path:
            return False
        self.use_weights(name, path)
        return True

    def _show_source(self, index: int, path=None, name=None) -> None:
        """The Model box names the source in use, however it was chosen."""
        if index != self.source_index or path is not None:
            self.source_file = (path, name)
        self.source_index = index
        self.source_box.set_in_use(index)

    def _on_source_chosen(self, index: int) -> None:
        in_use = self.source_index
        if index == 0:
            self.set_model(load_default_model(), "the default model")
            self._show_source(0)
        elif index == 1:
            if not self.use_training_run():
                self._show_source(in_use)
        elif index == 2:
            path, _ = QFileDialog.getOpenFileName(
                self, "Model checkpoint", "", "Checkpoints (*.pt)"
            )
            if not (path and self.use_checkpoint(path)):
                self._show_source(in_use)
        elif not self._choose_weights():
            self._show_source(in_use)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- predictions ----------------------------------------------------------------------------
    def request_prediction(self) -> None:
        """Preprocess the drawing and ask for a prediction; an empty canvas shows none."""
        self.request_id += 1
        drawing = self.canvas.to_array()
        exact = (
            self.exact_input
            if (self.canvas.background is not None and not self.canvas.strokes)
            else None
        )
        if exact is None and not has_ink(drawing):
            self.shown_id = self.request_id
            self.bars.set_probabilities(None)
            self.prediction.setText(
                "Draw a digit" if self.info.class_names == MNIST.class_names else "Draw something"
            )
            self.seen.set_maps(np.zeros(self.info.input_shape[1:], np.float32), levels=(0, 1))
            self.why_tabs.set_image(None)
            return
        image = exact if exact is not None else prepare(drawing, self.info)
        self.seen.set_maps(image.mean(axis=0), levels=(0, 1))
        layers = [self.layer_box.currentText()] if self.layer_box.currentText() else []
        block = self.block_box.currentText()
        if block in self.blocks:
            layers += [m for _, m in self.blocks[block]]
        self.inference.worker.submit(self.request_id, image, layers)
        self.why_tabs.set_image(image)

    def _on_result(self, result: dict) -> None:
        if result["id"] < self.shown_id or result["id"] != self.request_id:
            return  # stale: the drawing has changed since
        self.shown_id = result["id"]
        if "error" in result:
            shape = "×".join(map(str, self.info.input_shape))
            self.show_message(f"This model cannot classify a {shape} image: {result['error']}")
            return
        probabilities = result["probabilities"]
        self.bars.set_probabilities(probabilities)
        top = int(np.argmax(probabilities))
        name = self.info.class_names[top] if top < len(self.info.class_names) else str(top)
        article = "a " if self.info.class_names == MNIST.class_names else ""
        self.prediction.setText(f"It is {article}{name} ({100 * probabilities[top]:.1f}%)")
        activations = result["activations"]
        layer = self.layer_box.currentText()
        if layer in activations:
            maps = activations[layer]
            self.maps.set_maps(
                maps, f"{layer}: {maps.shape[0]} feature maps of {maps.shape[1]}×{maps.shape[2]}"
            )
        block = self.block_box.currentText()
        branches = [
            (label, activations[m]) for label, m in self.blocks.get(block, []) if m in activations
        ]
        if branches:
            low = min(float(a.min()) for _, a in branches)
            high = max(float(a.max()) for _, a in branches)
            for view, (label, maps) in zip(self.branch_views, branches):
                view.set_maps(maps, label, levels=(low, high))

    def _test_set(self):
        """Test images that fit the model: the chosen dataset's, else those the model was
        trained on (when they are here), else MNIST's for an MNIST-shaped model."""
        from cnnviz.core.data import catalog, load_mnist, loading
        from cnnviz.gui.datasets import data_dir

        if self._dataset_fits_model():
            if self.dataset.is_folder:  # read once per folder choice, not at every click
                key = (self.dataset.name, tuple(sorted(self.dataset.options.items())))
                if self._folder_test[0] != key:
                    self._folder_test = (
                        key,
                        loading.open_dataset(self.dataset.name, None, self.dataset.options)[1],
                    )
                return self._folder_test[1]
            return loading.load_dataset(self.dataset.name, "test", data_dir())
        for key, info in catalog.DATASETS.items():
            if info.title == self.info.dataset and catalog.is_downloaded(key, data_dir()):
                return loading.load_dataset(key, "test", data_dir())
        if self.info.input_shape == (1, 28, 28):
            return load_mnist("test")
        return None

    def try_test_digit(self) -> int | None:
        """Put a random test image on the canvas (the model gets it exactly); returns its
        label, or None when no test images fit this model."""
        try:
            test = self._test_set()
        except (OSError, ValueError) as exc:
            self.show_message(f"Cannot read the test images: {exc}")
            return None
        if test is None or len(test) == 0:
            self.show_message(f"No test images here fit this model ({self.info.describe()}).")
            return None
        index = int(self.rng.integers(len(test)))
        self.show_test_image(test.images[index].numpy())
        return int(test.labels[index])

    def show_test_image(self, image: np.ndarray, snapshot=None) -> None:
        """Put a test image (uint8 ``[C, H, W]``) on the canvas, given to the network exactly;
        with ``snapshot`` ((model, contract) of the training run), classified by that model."""
        if snapshot is not None:
            self._on_training_snapshot(snapshot)
        self.exact_input = image.astype(np.float32) / 255.0
        self.canvas.set_background(image.mean(axis=0).astype(np.uint8))

    def trace_drawing(self):
        """Show the Trace page on this drawing, with the model in use."""
        exact = (
            self.exact_input
            if (self.canvas.background is not None and not self.canvas.strokes)
            else None
        )
        page = self.context.show_page("Trace")
        if page is not None:
            page.take_drawing(
                Drawing(
                    self.canvas.to_array(),
                    exact,
                    self.model,
                    self.info,
                    self.model_label.text().removeprefix("Using ").split(":")[0],
                    self.source_index,
                    self.source_file,
                )
            )
        return page

    # -- lesson files -----------------------------------------------------------------------------
    def lesson_state(self) -> dict:
        """The model's source, the drawing (PNG text), the exact test image under it if one
        is in use, the layer and Inception block shown, and the tab beside with its method."""
        return {
            "model": source_state(self.source_index, *self.source_file),
            "canvas": encode_png(self.canvas.to_array()),
            "exact": exact_state(self._exact_in_use()),
            "layer": self.layer_box.currentText(),
            "block": self.block_box.currentText(),
            "tab": self.why_tabs.currentIndex(),
            "method": self.why_tabs.why.method_box.currentText(),
        }

    def restore_lesson(self, state: dict) -> None:
        """Take a lesson's model, drawing and views; the drawing is classified as a new
        stroke is (in the worker). ``ValueError``, nothing changed, when a part is malformed
        or its checkpoint cannot be used. A training run that does not exist yet, or weights
        that turn out not to fit, say so on the page and the previous model stays."""
        lesson = self._check_lesson(state)
        index, path, name = lesson["source"]
        loaded = None
        if index == CHECKPOINT:  # read first: a checkpoint that cannot be used changes nothing
            try:
                loaded = load_classifier(path)
            except CheckpointError as exc:
                raise ValueError(f"its checkpoint {path} cannot be used: {exc}") from None
        self.show_message("")
        if index == DEFAULT and self.source_index != DEFAULT:
            self.set_model(load_default_model(), "the default model")
            self._show_source(DEFAULT)
        elif index == TRAINING_RUN:
            self.use_training_run()  # none yet: the page says so and the model stays
        elif index == CHECKPOINT:
            self.set_model(loaded[0], f"the checkpoint {path}", loaded[1])
            self._show_source(CHECKPOINT, path)
        elif index == OPENED:
            self.use_weights(name, path)  # read in the background, as when chosen
        for box, text in ((self.layer_box, lesson["layer"]), (self.block_box, lesson["block"])):
            if box.findText(text) >= 0:  # a model read in the background starts on its first
                box.setCurrentText(text)
        self.why_tabs.setCurrentIndex(lesson["tab"])
        self.why_tabs.why.method_box.setCurrentText(lesson["method"])
        exact = lesson["exact"]
        self.exact_input = None if exact is None else exact.astype(np.float32) / 255.0
        if lesson["canvas"].any():
            self.canvas.set_background(lesson["canvas"])  # classified as a new stroke would be
        else:
            self.canvas.clear()

    def _check_lesson(self, state: dict) -> dict:
        """The parts of a Draw lesson, checked (``ValueError`` naming the bad one)."""
        canvas = decode_png(state.get("canvas", ""), "its drawing")
        if canvas.shape != (SIDE, SIDE):
            raise ValueError(f"its drawing must be {SIDE}×{SIDE} grey pixels")
        layer, block = state.get("layer", ""), state.get("block", "")
        if not (isinstance(layer, str) and isinstance(block, str)):
            raise ValueError("its layer and Inception block must be names")
        methods = self.why_tabs.why.method_box
        method = state.get("method", methods.currentText())
        if not isinstance(method, str) or methods.findText(method) < 0:
            raise ValueError(f"its attribution method {method!r} is not one cnnviz has")
        return {
            "source": check_source(state.get("model", {"source": "default"})),
            "canvas": canvas,
            "exact": check_exact(state.get("exact")),
            "layer": layer,
            "block": block,
            "tab": whole(state.get("tab", 0), "its tab", 0, self.why_tabs.count() - 1),
            "method": method,
        }

    def _exact_in_use(self) -> np.ndarray | None:
        if self.exact_input is None or self.canvas.background is None or self.canvas.strokes:
            return None
        return self.exact_input

    def figures(self):
        return [("feature maps", self.maps), ("what the network sees", self.seen)]

    def shutdown(self) -> None:
        self.inference.stop()  # a prediction in hand is finished: the window waits for it
        self.weights.shutdown()
        self.why_tabs.shutdown()

    def busy_text(self) -> str:
        if self.inference.is_running() or self.why_tabs.busy():
            return "finishing a prediction"
        return "finishing reading a weights file" if self.weights.thread_running() else ""
