"""TracePage: every number of the trained network's forward pass, from the drawn digit to the
softmax; click any unit to see its receptive field and its arithmetic with the trained numbers.

The trace is computed in a worker (the latest drawing wins); a click is answered from the
trace in hand (numpy only, no forward pass), so the page never waits for the network.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
)

from cnnviz.core.explain import num
from cnnviz.core.inference import MNIST_INFO, has_ink, prepare
from cnnviz.core.lesson_pictures import encode_png, exact_state
from cnnviz.gui import theme
from cnnviz.gui.pages.base import Drawing, Page
from cnnviz.gui.pages.trace_lesson import check_trace_lesson
from cnnviz.gui.widgets.colour_legend import ColourLegend
from cnnviz.gui.widgets.draw_canvas import DrawCanvas
from cnnviz.gui.widgets.model_source_box import (
    CHECKPOINT,
    DEFAULT,
    TRAINING_RUN,
    ModelSourceBox,
    source_state,
)
from cnnviz.gui.widgets.trace_overview import SCALES, TraceOverview
from cnnviz.gui.widgets.unit_arithmetic import UnitArithmetic
from cnnviz.gui.workers.evidence_worker import METHODS, evidence_job
from cnnviz.gui.workers.model_task_worker import ModelTaskThread
from cnnviz.gui.workers.task_worker import TaskThread
from cnnviz.gui.workers.trace_worker import TraceThread
from cnnviz.gui.workers.weights_loader import (
    NO_OPENED_MODEL,
    WeightsLoader,
    ask_weights_file,
    latest_opened_model,
)

SCALE_NAMES = {"map": "per map", "layer": "per layer", "network": "whole network"}


def load_model_job(path):
    """In the loader thread: a model and its input contract from a checkpoint (the shipped
    one when ``path`` is None)."""
    from cnnviz.core.inference import default_checkpoint_path, load_classifier

    return load_classifier(path or default_checkpoint_path())


def test_image_job(index: int, info):
    """In the loader thread: test image ``index`` (pixels in [0, 1]) and its label."""
    from cnnviz.core.data import load_mnist

    if tuple(info.input_shape) != (1, 28, 28):
        raise ValueError(f"no bundled test images fit this model ({info.describe()})")
    test = load_mnist("test")
    index = min(max(index, 0), len(test) - 1)
    image = test.images[index].numpy().astype(np.float32) / 255.0
    return index, image, int(test.labels[index])


class TracePage(Page):
    """Overview of every layer's output; the clicked unit's field and arithmetic below."""

    title = "Trace"
    status_hint = (
        "Click any unit to see which pixels it sees and how it is computed; hover to preview."
    )
    steps_through = True
    page_shortcuts = (("Delete", "clear the drawing"),)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.info = MNIST_INFO
        self.description = "the default model"
        self.source_index = 0
        self.source_file: tuple = (None, None)  # (path, opened model name) of a file source
        self.pending_lesson: dict | None = None  # a lesson's unit and step, until its trace is in
        self.trace = None
        self.selected: tuple | None = None  # (label, channel, row, col)
        self.exact_input: np.ndarray | None = None
        self.exact_label: int | None = None
        self.request_id = 0
        self.shown_id = -1
        self.load_id = 0
        self.has_model = False
        self.awaiting_image = True  # the first test image is on its way: no blank trace first
        self._not_finite_shown = False  # the message says the network's numbers overflowed
        self.last_seconds = 0.0
        self.trace_image: np.ndarray | None = None  # the pixel image of the trace on screen
        self.evidence_id = 0
        self.evidence_class: int | None = None  # a clicked class; None: the predicted one
        self.evidence: dict | None = None  # the map on screen, with its method and class
        self.explainer = ModelTaskThread("trace-evidence", self)
        self.explainer.worker.result.connect(self._on_evidence, Qt.QueuedConnection)
        self.tracer = TraceThread(self)
        self.tracer.worker.result.connect(self._on_trace, Qt.QueuedConnection)
        self.loader = TaskThread("trace-load", self)
        self.loader.worker.done.connect(self._on_loaded, Qt.QueuedConnection)
        self.loader.worker.failed.connect(self._on_load_failed, Qt.QueuedConnection)
        self.test_loader = TaskThread("trace-test", self)
        self.test_id = 0  # the latest test image asked for; a drawing since cancels it
        self.test_loader.worker.done.connect(self._on_test_image, Qt.QueuedConnection)
        self.test_loader.worker.failed.connect(
            lambda _id, message: self._on_test_image_failed(message), Qt.QueuedConnection
        )
        self._pending_load: tuple = ()
        self.weights = WeightsLoader(self)
        self.weights.loaded.connect(self._on_weights_loaded)
        self.weights.failed.connect(self._on_weights_failed)
        self._build()
        self._load(None, "the default model", 0)
        self.show_test_image(0)

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.canvas = DrawCanvas()
        self.canvas.setMinimumSize(150, 150)
        self.canvas.setMaximumSize(220, 220)
        self.canvas.changed.connect(self._on_canvas_changed)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the drawing (Delete)")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.test_spin = QSpinBox()
        self.test_spin.setRange(-1, 9999)
        self.test_spin.setPrefix("test image ")
        self.test_spin.setSpecialValueText("your drawing")  # -1: the canvas is traced
        self.test_spin.setToolTip("Trace this image of the test set (MNIST's 10,000)")
        self.test_spin.editingFinished.connect(self._on_test_number)
        self.random_button = QPushButton("Random test image")
        self.random_button.setToolTip("Trace a test image picked at random")
        self.random_button.clicked.connect(self.show_random_test_image)
        self.prediction = QLabel()
        self.prediction.setObjectName("prediction")
        self.prediction.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.prediction.setWordWrap(True)
        left = QVBoxLayout()
        hint = QLabel("Draw here, or pick a test image:")
        hint.setWordWrap(True)
        left.addWidget(hint)
        left.addWidget(self.canvas, 0, Qt.AlignHCenter)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addWidget(self.random_button)
        left.addLayout(row)
        left.addWidget(self.test_spin)
        left.addWidget(self.prediction)
        left.addStretch(1)

        self.source_box = ModelSourceBox("Which network is traced")
        self.source_box.activated.connect(self._on_source_chosen)
        self.scale_box = QComboBox()
        for key in SCALES:
            self.scale_box.addItem(SCALE_NAMES[key], key)
        self.scale_box.setCurrentIndex(SCALES.index("layer"))
        self.scale_box.setToolTip(
            "Colour scale: each map on its own, each layer on its own, or one scale for the "
            "whole network"
        )
        self.scale_box.currentIndexChanged.connect(self._on_scale_chosen)
        self.legend = ColourLegend()
        self.evidence_box = QComboBox()
        self.evidence_box.addItem("no evidence map", "")
        for key, name in METHODS.items():
            self.evidence_box.addItem(name, key)
        self.evidence_box.setToolTip(
            "Which input pixels made the network decide (cnnviz.attribution): laid over the "
            "input, red for the class, blue against it. The class is the predicted one, or "
            "the logit or probability you click."
        )
        self.evidence_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.evidence_box.setMinimumContentsLength(14)
        self.evidence_box.currentIndexChanged.connect(lambda _i: self.request_evidence())
        self.evidence_note = QLabel()
        self.evidence_note.setWordWrap(True)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        self.message.hide()
        self.hover_label = QLabel(" ")
        self.hover_label.setObjectName("hoverLabel")
        top = QHBoxLayout()
        top.addWidget(QLabel("Model:"))
        top.addWidget(self.source_box)
        top.addWidget(self.model_label, 1)
        colours = QHBoxLayout()
        colours.addWidget(QLabel("Colours:"))
        colours.addWidget(self.scale_box)
        colours.addWidget(self.legend, 1)
        evidence = QHBoxLayout()
        evidence.addWidget(QLabel("Evidence:"))
        evidence.addWidget(self.evidence_box)
        evidence.addWidget(self.evidence_note, 1)

        self.overview = TraceOverview()
        self.overview.unit_clicked.connect(self.select_unit)
        self.overview.unit_hovered.connect(self._on_hover)
        self.overview.hover_left.connect(self._on_hover_left)
        self.arithmetic = UnitArithmetic()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.arithmetic)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(self.overview)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([520, 360])
        self.splitter.splitterMoved.connect(lambda *_: self.arithmetic.fit_cells())
        scroll.setMinimumHeight(120)
        right = QVBoxLayout()
        right.addLayout(top)
        right.addLayout(colours)
        right.addLayout(evidence)
        right.addWidget(self.message)
        right.addWidget(self.hover_label)
        right.addWidget(self.splitter, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 0)
        layout.addLayout(right, 1)
        QShortcut(
            QKeySequence("Delete"), self, self.canvas.clear, context=Qt.WidgetWithChildrenShortcut
        )

    # -- models -----------------------------------------------------------------------------------
    def _load(self, path, description: str, source_index: int) -> None:
        self.load_id += 1
        self._pending_load = (description, source_index, path)
        self.model_label.setText(f"Loading {description}…")
        self.loader.worker.submit(self.load_id, load_model_job, path)

    def _on_loaded(self, request_id: int, result) -> None:
        if request_id == self.load_id:
            model, info = result
            description, index, path = self._pending_load
            self.set_model(model, description, info, index, (path, None))

    def _on_load_failed(self, request_id: int, message: str) -> None:
        if request_id == self.load_id:
            self._restored("model", retrace=True)
            self.show_message(f"Cannot use this model: {message}. The previous model stays.")
            self._show_source(self.source_index)
            self._describe_model()

    def set_model(
        self, model, description: str, info=MNIST_INFO, source_index: int = 0, source_file=None
    ) -> None:
        """Trace with ``model`` from now on (handed to the worker thread)."""
        self.load_id += 1  # a model still loading (the default one, at first) comes too late
        self.source_file = tuple(source_file or (None, None))
        self.info, self.description = info, description
        self.has_model = True
        self.tracer.worker.set_model(model, info)
        self.explainer.worker.set_model(model, info)
        self.evidence_class = None
        self._params = sum(p.numel() for p in model.parameters())
        self._model_name = type(model).__name__
        self._show_source(source_index)
        self._describe_model()
        self.show_message("")
        self._restored("model")
        self.request_trace()

    def _describe_model(self) -> None:
        if not self.has_model:
            self.model_label.setText("Loading the model…")
            return
        self.model_label.setText(
            f"Tracing {self.description}: {self._model_name}, {self._params:,} parameters, "
            f"trained on {self.info.describe()}"
        )

    def _show_source(self, index: int) -> None:
        self.source_index = index
        self.source_box.set_in_use(index)

    def _on_source_chosen(self, index: int) -> None:
        if index == 0:
            self._load(None, "the default model", 0)
        elif index == 1:
            self.use_training_run()
        elif index == 2:
            path, _ = QFileDialog.getOpenFileName(
                self, "Model checkpoint", "", "Checkpoints (*.pt)"
            )
            if path:
                self.use_checkpoint(path)
            else:
                self._show_source(self.source_index)
        else:
            name = latest_opened_model()
            path = ask_weights_file(self, name) if name else ""
            if name is None:
                self.show_message(NO_OPENED_MODEL)
            if path:
                self.use_weights(name, path)
            else:
                self._show_source(self.source_index)

    def use_weights(self, name: str, path) -> None:
        """Trace the model opened from a file as ``name`` with the weights of ``path``
        (trained elsewhere; read in the background)."""
        self.model_label.setText(f"Reading the weights of {path}…")
        self.weights.load(name, path)

    def _on_weights_loaded(self, result: dict) -> None:
        from cnnviz.core.models import info as zoo_entry
        from cnnviz.core.models.weights import input_contract

        contract = input_contract(zoo_entry(result["name"]).opened)
        description = f"{result['name']} with the weights of {result['path']}"
        self.set_model(result["model"], description, contract, 3, (result["path"], result["name"]))

    def _on_weights_failed(self, text: str) -> None:
        self._restored("model", retrace=True)
        self.show_message(f"Cannot use these weights: {text}. The previous model stays.")
        self._show_source(self.source_index)
        self._describe_model()

    def use_checkpoint(self, path) -> None:
        self._load(str(path), f"the checkpoint {path}", 2)

    def use_training_run(self) -> bool:
        """A snapshot of the model being trained, taken at a batch boundary."""
        self.model_label.setText("Taking a snapshot of the training run…")  # (or at once)
        if not self.context.request_training_model(self._on_training_snapshot):
            self._restored("model", retrace=True)
            self.show_message(
                "No training run yet: start one on the Train page. The previous model stays."
            )
            self._show_source(self.source_index)
            self._describe_model()
            return False
        return True

    def _on_training_snapshot(self, snapshot) -> None:
        if snapshot is None:
            self._restored("model", retrace=True)
            self.show_message(
                "The training run has no model yet (it is still setting up). "
                "The previous model stays."
            )
            self._show_source(self.source_index)
            self._describe_model()
            return
        model, info = snapshot
        self.set_model(model, "a snapshot of the current training run", info, 1)

    def take_drawing(self, drawing: Drawing) -> None:
        """The Draw page's drawing and model ("Trace this drawing")."""
        if drawing.model is not None:
            self.set_model(
                drawing.model,
                drawing.description,
                drawing.info or MNIST_INFO,
                drawing.source_index,
                drawing.source_file,
            )
        self.awaiting_image = False
        self.test_id += 1  # a test image still on its way must not replace the drawing
        self._show_drawing_in_spin()
        self.exact_input = drawing.exact
        self.exact_label = None
        self.canvas.blockSignals(True)
        self.canvas.set_background(drawing.canvas)
        self.canvas.blockSignals(False)
        self.request_trace()

    def _say_if_not_finite(self) -> None:
        """A network trained until its numbers overflowed (a learning rate far too high) has
        NaN or infinite units: the page says so, and draws them as 0."""
        first = next((n.label for n in self.trace.nodes if not np.isfinite(n.value).all()), None)
        if first is not None:
            self.show_message(
                f"Some of this network's numbers are not finite (NaN or infinite), from "
                f"{first} on: its training diverged. They are drawn as 0. Train it again "
                "with a lower learning rate."
            )
            self._not_finite_shown = True
        elif self._not_finite_shown:
            self.show_message("")
            self._not_finite_shown = False

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- input -------------------------------------------------------------------------------------
    def _on_test_number(self) -> None:
        if self.test_spin.value() >= 0:
            self.show_test_image(self.test_spin.value())

    def _show_drawing_in_spin(self) -> None:
        self.test_spin.blockSignals(True)
        self.test_spin.setValue(-1)
        self.test_spin.blockSignals(False)

    def show_test_image(self, index: int) -> None:
        """Trace test image ``index`` (read in the loader thread)."""
        self.test_id += 1
        self.test_loader.worker.submit(self.test_id, test_image_job, index, self.info)

    def show_random_test_image(self) -> None:
        self.show_test_image(int(np.random.default_rng().integers(10000)))

    def _on_test_image_failed(self, message: str) -> None:
        self.awaiting_image = False
        self._restored("image")
        self.show_message(f"Cannot show a test image: {message}")
        self.request_trace()

    def _on_test_image(self, request_id: int, result) -> None:
        if request_id != self.test_id:
            return  # another image or a drawing came since
        self.awaiting_image = False
        self._restored("image")
        index, image, label = result
        self.test_spin.blockSignals(True)
        self.test_spin.setValue(index)
        self.test_spin.blockSignals(False)
        self.exact_input, self.exact_label = image, label
        self.canvas.blockSignals(True)
        self.canvas.set_background((image.mean(axis=0) * 255).astype(np.uint8))
        self.canvas.blockSignals(False)
        self.request_trace()

    def _on_canvas_changed(self) -> None:
        self.awaiting_image = False
        self.test_id += 1
        if self.canvas.strokes or self.canvas.background is None:
            self._show_drawing_in_spin()
        if self.canvas.strokes or self.canvas.background is None:
            self.exact_input, self.exact_label = None, None
        self.request_trace()

    def current_image(self) -> np.ndarray:
        """The pixel image traced: the test image as the model takes it, else the drawing
        made as MNIST's digits were."""
        if self.exact_input is not None and not self.canvas.strokes:
            return self.exact_input
        return prepare(self.canvas.to_array(), self.info)

    def request_trace(self) -> None:
        if not self.has_model or self.awaiting_image:
            return
        self.request_id += 1
        self.tracer.worker.submit(self.request_id, self.current_image())

    # -- results -----------------------------------------------------------------------------------
    def _on_trace(self, result: dict) -> None:
        if result["id"] != self.request_id:
            return  # stale: the drawing or the model has changed since
        self.shown_id = result["id"]
        if "error" in result:
            self.show_message(f"Cannot trace this model: {result['error']}")
            return
        self.last_seconds = result["seconds"]
        self.trace = result["trace"]
        self.trace_image = result["image"]
        self._say_if_not_finite()
        rebuilt = self.overview.set_trace(self.trace, self.info.class_names)
        if rebuilt:
            self._share_height()
        self._show_prediction()
        self.request_evidence()
        if self.pending_lesson is not None:
            self._select_restored_unit()
        elif self.selected is not None:  # the same unit, for the new drawing or model
            label, channel, row, col = self.selected
            try:
                index = self.trace.index(label)
                self.select_unit(index, channel, row, col, keep_step=True)
            except ValueError:  # the new model has no such layer or unit
                self._clear_selection()
        self._update_legend()

    # -- evidence ------------------------------------------------------------------------------
    def request_evidence(self) -> None:
        """The chosen evidence map for the traced image and class (in its own worker)."""
        method = self.evidence_box.currentData()
        self.evidence_id += 1
        if not method or self.trace is None:
            self.evidence = None
            self.overview.set_evidence(None)
            self.evidence_note.setText("")
            return
        target = self.evidence_target()
        self.evidence_note.setText(f"Computing the evidence for {self._class_name(target)}…")
        image = self.trace_image if self.trace_image is not None else self.current_image()
        self.explainer.worker.submit(self.evidence_id, evidence_job, method, image, target)

    def evidence_target(self) -> int:
        if self.evidence_class is not None:
            return self.evidence_class
        return int(np.argmax(self.trace.probabilities))

    def _class_name(self, index: int) -> str:
        names = self.info.class_names
        return f"“{names[index]}”" if index < len(names) else f"class {index}"

    def _on_evidence(self, result: dict) -> None:
        if result["id"] != self.evidence_id:
            return  # the drawing, class or method has changed since
        if "error" in result:
            self.evidence = None
            self.overview.set_evidence(None)
            self.evidence_note.setText(f"No evidence map: {result['error']}")
            return
        self.evidence = result
        self.overview.set_evidence(result["map"])
        name = METHODS[result["method"]].split(" (")[0]
        self.evidence_note.setText(
            f"{name}: the evidence for {self._class_name(result['target'])} over the input — "
            "red for it, blue against it (click a logit or probability for another class)."
        )

    def _share_height(self) -> None:
        """The overview takes the height its network needs (at most 60 %), the arithmetic
        the rest."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        wanted = int(self.overview.sceneRect().height()) + 24  # at 1:1
        # the arithmetic needs its step bar, words and a 5×5 grid of legible cells
        needs = self.arithmetic.least_height()
        top = max(160, min(wanted, int(0.6 * total), total - needs))
        self.splitter.setSizes([top, total - top])
        self.arithmetic.fit_cells()

    def _show_prediction(self) -> None:
        probs = self.trace.probabilities
        top = int(np.argmax(probs))
        names = self.info.class_names
        name = names[top] if top < len(names) else str(top)
        label = self.exact_label
        # the test image's dataset may have more classes than the model names
        label_name = names[label] if label is not None and label < len(names) else str(label)
        truth = f" (label {label_name})" if label is not None else ""
        ink = self.exact_input is not None or has_ink(self.canvas.to_array())
        self.prediction.setText(
            f"It is {name}: {100 * probs[top]:.1f}%{truth}" if ink else "Draw a digit"
        )

    def _clear_selection(self) -> None:
        self.selected = None
        self.overview.show_regions("selected", None)
        self.arithmetic.clear("Click any unit of the network above.")

    def select_unit(self, index: int, channel: int, row=None, col=None, keep_step=False) -> None:
        """Outline the unit's receptive field on every map and write out its arithmetic."""
        if self.trace is None:
            return
        node = self.trace.nodes[index]
        explanation = self.trace.explain(index, channel, row, col)
        regions = self.trace.dependencies(index, channel, row, col)
        self.selected = (node.label, channel, row, col)
        if node is self.trace.logits or node.kind in ("probabilities", "log_softmax", "softmax"):
            if not keep_step and channel != self.evidence_target():
                self.evidence_class = channel
                self.request_evidence()
            elif not keep_step:
                self.evidence_class = channel
        self.overview.show_regions("selected", regions, (index, channel, row, col))
        self.arithmetic.set_explanation(explanation, keep_step)
        self._update_legend()

    def _on_hover(self, index: int, channel: int, row, col) -> None:
        if self.trace is None:
            return
        node = self.trace.nodes[index]
        value = node.value[channel, row, col] if node.is_map else node.value[channel]
        where = f"[{channel}, {row}, {col}]" if node.is_map else f"[{channel}]"
        field = self.trace.receptive_field(index, row, col, channel)
        self.hover_label.setText(
            f"{node.label} {where} = {num(float(value))}  ·  sees {field.describe()}"
        )
        self.overview.show_regions("hovered", self.trace.dependencies(index, channel, row, col))

    def _on_hover_left(self) -> None:
        self.hover_label.setText(" ")
        self.overview.show_regions("hovered", None)

    def _on_scale_chosen(self, _index: int) -> None:
        self.overview.set_scale_mode(self.scale_box.currentData())
        self._update_legend()

    def _update_legend(self) -> None:
        """The legend gives the values of the colours of the clicked map (or the network)."""
        if self.trace is None:
            return
        mode = self.scale_box.currentData()
        if mode == "network":
            self.legend.set_range(self.overview.network_scale(), "the whole network")
            return
        if self.selected is None:
            self.legend.set_range(None, "click a unit: its map's scale is shown here")
            return
        label, channel, _, _ = self.selected
        item = self.overview.items_by_node[self.trace.index(label)]
        if mode == "map" and item.node.is_map:
            self.legend.set_range(item.scale_of("map", 0, channel), f"{label}, channel {channel}")
        else:
            self.legend.set_range(item.scale_of("layer", 0, None), label)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if self.trace is not None:
            self._share_height()
        self.arithmetic.fit_cells()

    # -- lesson files ------------------------------------------------------------------------------
    def lesson_state(self) -> dict:
        """The model's source, the input (a test image's number, or the drawing as PNG text
        with the exact image under it), the clicked unit and its arithmetic step, the colour
        scale and the evidence map."""
        if self.test_spin.value() >= 0:
            image: dict = {"test_image": self.test_spin.value()}
        else:
            exact = self.exact_input if not self.canvas.strokes else None
            image = {"canvas": encode_png(self.canvas.to_array()), "exact": exact_state(exact)}
        if self.pending_lesson is not None:  # its trace is not in yet: the lesson's unit stays
            unit, step = self.pending_lesson["unit"], self.pending_lesson["step"]
        else:
            unit = None
            if self.selected is not None:  # plain numbers for JSON (a click may give numpy's)
                label, *numbers = self.selected
                unit = [label, *(None if v is None else int(v) for v in numbers)]
            step = self.arithmetic.step_bar.index if self.selected is not None else 0
        return {
            "model": source_state(self.source_index, *self.source_file),
            "input": image,
            "unit": unit,
            "step": step,
            "scale": self.scale_box.currentData(),
            "evidence": self.evidence_box.currentData(),
        }

    def restore_lesson(self, state: dict) -> None:
        """Take a lesson's model and input (loaded in the workers, as when chosen), then click
        its unit and go to its step once the trace is in. ``ValueError``, nothing changed, for
        a malformed part; a model that then fails to load says so and the previous one stays."""
        lesson = check_trace_lesson(state)
        index, path, name = lesson["source"]
        reload = index != DEFAULT or self.source_index != DEFAULT
        reload = reload or self.description != "the default model"  # a model handed over
        reload = reload or bool(self._pending_load) and self._pending_load[1] != DEFAULT
        image = lesson["input"]
        waits = ({"model"} if reload else set()) | ({"image"} if "test_image" in image else set())
        self.show_message("")
        self._clear_selection()
        self.pending_lesson = {"unit": lesson["unit"], "step": lesson["step"], "waits": waits}
        self.scale_box.setCurrentIndex(self.scale_box.findData(lesson["scale"]))
        self.evidence_box.setCurrentIndex(self.evidence_box.findData(lesson["evidence"]))
        if "test_image" in image:
            self.test_spin.blockSignals(True)
            self.test_spin.setValue(image["test_image"])
            self.test_spin.blockSignals(False)
            self.show_test_image(image["test_image"])
        else:
            self._restore_drawing(image["canvas"], image["exact"])
        if not reload:
            return
        if index == DEFAULT:
            self._load(None, "the default model", DEFAULT)
        elif index == TRAINING_RUN:
            self.use_training_run()  # none yet: the page says so and the model stays
        elif index == CHECKPOINT:
            self.use_checkpoint(path)
        else:
            self.use_weights(name, path)

    def _restore_drawing(self, canvas: np.ndarray, exact: np.ndarray | None) -> None:
        self.awaiting_image = False
        self.test_id += 1  # a test image still on its way must not replace the drawing
        self._show_drawing_in_spin()
        self.exact_input = None if exact is None else exact.astype(np.float32) / 255.0
        self.exact_label = None
        self.canvas.blockSignals(True)
        if canvas.any():
            self.canvas.set_background(canvas)
        else:
            self.canvas.clear()
        self.canvas.blockSignals(False)
        self.request_trace()

    def _restored(self, what: str, retrace: bool = False) -> None:
        """A lesson's model or test image has come (or failed to); with nothing more to
        wait for, the next trace clicks the lesson's unit for good."""
        if self.pending_lesson is not None and what in self.pending_lesson["waits"]:
            self.pending_lesson["waits"].discard(what)
            if retrace:  # no new trace would come otherwise
                self.request_trace()

    def _select_restored_unit(self) -> None:
        """Click the lesson's unit on the trace in hand and go to its step (once the
        lesson's model and input are in, a unit the model lacks is dropped, with a note)."""
        done = not self.pending_lesson["waits"]
        unit, step = self.pending_lesson["unit"], self.pending_lesson["step"]
        if done:
            self.pending_lesson = None
        if unit is None:
            return
        label, channel, row, col = unit
        try:
            self.select_unit(self.trace.index(label), channel, row, col)
        except ValueError as exc:
            if done:
                self._clear_selection()
                self.show_message(f"The lesson's unit is not in this model: {exc}")
            return
        self.arithmetic.step_bar.set_index(step)

    def restoring(self) -> bool:
        return self.pending_lesson is not None

    def step_count(self) -> int:
        """The clicked unit's arithmetic steps (0 before a unit is clicked)."""
        return self.arithmetic.step_bar.count if self.arithmetic.explanation is not None else 0

    def no_steps_text(self) -> str:
        return (
            "Click a unit of the trace first: the steps of its arithmetic are what an "
            "animation of the Trace page shows."
        )

    def go_to_step(self, index: int) -> None:
        self.arithmetic.step_bar.set_index(index)

    def figures(self):
        return [("forward pass", self.overview), ("unit arithmetic", self.arithmetic)]

    def lesson_title(self) -> str:
        if self.selected is None:
            return "Trace: the forward pass"
        label, channel, row, col = self.selected
        where = f"channel {channel}" + (f", row {row}, column {col}" if row is not None else "")
        return f"Trace: {label}, {where}"

    # -- page interface ----------------------------------------------------------------------------
    def apply_look(self, zoom: float, presenter: bool) -> None:
        scale = zoom * (1.35 if presenter else 1.0)
        self.overview.set_zoom(scale)
        self.arithmetic.set_cell_size(int(46 * scale))
        self._share_height()
        if self.selected is not None and self.trace is not None:
            label, channel, row, col = self.selected
            self.select_unit(self.trace.index(label), channel, row, col, keep_step=True)

    def stepper(self):
        return self.arithmetic.step_bar

    def shutdown(self) -> None:
        self.arithmetic.step_bar.stop()
        for thread in (self.tracer, self.loader, self.test_loader, self.explainer):
            thread.stop()
        self.weights.shutdown()

    def busy_text(self) -> str:
        threads = (self.tracer, self.loader, self.test_loader, self.explainer)
        if any(t.is_running() for t in threads):
            return "finishing a trace"
        return "finishing reading a weights file" if self.weights.thread_running() else ""
