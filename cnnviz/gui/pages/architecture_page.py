"""ArchitecturePage: any model's layers, shapes and costs, its structure drawn, its mistakes
explained — the lecture's networks, the exercises' and the user's own."""

from __future__ import annotations

import inspect as pyinspect
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.inspect import add_receptive_fields, inspect_model
from cnnviz.core.inspect.diagram import build_diagram
from cnnviz.gui.appearance import theme
from cnnviz.gui.appearance.look import named
from cnnviz.gui.pages.architecture_predict import ArchitecturePrediction, layer_questions
from cnnviz.gui.pages.base import Page
from cnnviz.gui.pages.page_jobs import PageJobs
from cnnviz.gui.widgets.block_diagram import BlockDiagram
from cnnviz.gui.widgets.cost_calculator import CostCalculator
from cnnviz.gui.widgets.layer_table import LayerTableView
from cnnviz.gui.workers.model_file_opener import ModelFileOpener
from cnnviz.models import available, build, info, register_user_model

DATASET = "dataset"  # the input and classes of the chosen dataset
SHAPES = (
    ("The dataset's", DATASET),
    ("1×28×28 (MNIST)", (1, 28, 28)),
    ("3×32×32 (CIFAR-10)", (3, 32, 32)),
    ("Custom…", None),
)
OPTION_RANGES = {
    "depth": {"resnet": (8, 110, 6), "plain": (8, 110, 6), "densenet": (10, 100, 6)},
    "growth": {"densenet": (4, 48, 4)},
}
RUNS_CODE = (
    "Opening a model file runs its imports and definitions, not its data loading or "
    "training: open only files you trust."
)
OPEN_WARNING = (
    "A model file is read as a model, not run as a program.\n\n"
    "Run: its imports (and whatever the imported modules do), its class and function "
    "definitions (with their decorators and default values) and simple constant assignments "
    "such as batch_size = 64. Then the model is built with no arguments (its __init__) and "
    "run once on two blank images (its forward).\n\n"
    "Not run: every other statement at the top of the file: data loading and downloads, "
    "the model instance, the optimizer, training loops, prints, file writing and the "
    'if __name__ == "__main__": block. They are listed by line after opening.\n\n'
    "Imports and the model's own code can still do anything Python can: open only files "
    "you trust. The file is first checked in a separate process, which stops after {limit:g} "
    "s or when you press Cancel."
)


def inspect_job(name: str, shape: tuple[int, int, int], num_classes: int, options: dict):
    """In the compute thread: build ``name`` for ``shape``, run it, lay out its diagram and
    read its source file (the model stays there, and goes with the job)."""
    c, h, _ = shape
    try:
        model = build(name, in_channels=c, num_classes=num_classes, input_size=h, **options)
    except ValueError as exc:
        raise ValueError(f"Cannot build {name}: {exc}") from None
    table = inspect_model(model, shape)
    add_receptive_fields(table, model)
    return {
        "table": table,
        "nodes": build_diagram(model, table),
        "code": source_text(name, model),
        "questions": layer_questions(model, table),  # for Predict first, asked or not
    }


def source_text(name: str, model) -> str:
    """The Python source of the file that defines ``name`` ("" when it cannot be read)."""
    try:
        path = info(name).source_path or pyinspect.getsourcefile(type(model))
        return Path(path).read_text(encoding="utf-8")
    except (OSError, TypeError):  # a class defined where no file holds it
        return ""


class ArchitecturePage(Page):
    """Model chooser, input shape, layer table, block diagram, 1×1 cost calculator.

    Models are built and inspected in the compute service's thread (a big one takes seconds
    on a CPU); meanwhile the page says what it is building, and the latest choice wins. The
    page keeps what the job returns (the table, the diagram, the source code), no model."""

    status_hint = "Click a box in the diagram to find its layer in the table."
    uses_dataset = True
    predicts = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = None
        self.nodes: list = []  # the diagram's, as the job made them
        self.code: str | None = None  # the source of the model shown
        self.request_id = 0
        self.busy = False
        self.jobs: PageJobs | None = None  # made once the page knows its compute service
        self.busy_label = QLabel()
        named(self.busy_label, "presetNote")
        self.busy_label.hide()
        self.opener = ModelFileOpener(self)
        self.opener.progress.connect(self._on_open_progress)
        self.opener.opened.connect(self._on_file_opened)
        self.opener.failed.connect(self._on_open_failed)
        self.cancel_open_button = QPushButton("Cancel")
        self.cancel_open_button.setToolTip("Stop opening the model file")
        self.cancel_open_button.clicked.connect(self.opener.cancel)
        self.cancel_open_button.hide()
        self.dataset = None  # the chosen DatasetChoice (the main window tells)
        self.model_box = QComboBox()
        self.model_box.setToolTip("The lecture's networks, the exercises' and models you opened")
        self.model_box.setMinimumWidth(190)
        self.shape_box = QComboBox()
        for text, _ in SHAPES:
            self.shape_box.addItem(text)
        self.shape_box.setToolTip("The input the model is run on: channels × height × width")
        self.custom = [
            self._spin(1, 1, 4, "Channels"),
            self._spin(28, 4, 512, "Height"),
            self._spin(28, 4, 512, "Width"),
        ]
        self.options_row = QHBoxLayout()
        self.option_widgets: dict[str, QWidget] = {}
        self.code_button = QPushButton("Show code")
        self.code_button.setToolTip("Show the model's Python source")
        self.code_button.clicked.connect(self.show_code)
        self.open_button = QPushButton("Open model…")
        self.open_button.setToolTip("Load an nn.Module from a .py file. " + RUNS_CODE)
        self.open_button.setObjectName("openModel")
        self.open_button.clicked.connect(self.open_model_dialog)
        self.description = QLabel()
        named(self.description, "presetNote")
        self.description.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR}; font-size: 15px; font-weight: bold;")
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.hide()
        self.diagram = BlockDiagram()
        self.layers = LayerTableView()
        self.totals = QLabel()
        self.totals.setStyleSheet("font-size: 15px;")
        self.calculator = CostCalculator()
        self.prediction = ArchitecturePrediction(self)
        self._layout()
        self._fill_models()
        self.model_box.currentIndexChanged.connect(self._on_model_changed)
        self.shape_box.currentIndexChanged.connect(self._on_shape_changed)
        for spin in self.custom:
            spin.valueChanged.connect(lambda _v: self.refresh())
        self.diagram.box_clicked.connect(self.layers.select_name)
        self.layers.layer_selected.connect(self.diagram.select)
        self._on_shape_changed()
        self._on_model_changed()

    def attach(self, context) -> None:
        """The page's jobs on the window's compute service; then the chosen model is built."""
        super().attach(context)
        if self.jobs is None:
            self.jobs = PageJobs(self, context.compute, {"inspect": self._on_built})
        self.refresh()

    def _spin(self, value, low, high, tip) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        return spin

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Model:"))
        top.addWidget(self.model_box)
        top.addLayout(self.options_row)
        top.addSpacing(12)
        top.addWidget(QLabel("Input:"))
        top.addWidget(self.shape_box)
        self.custom_separators = [QLabel("×"), QLabel("×")]
        for spin, sep in zip(self.custom, [None] + self.custom_separators):
            if sep:
                top.addWidget(sep)
            top.addWidget(spin)
        top.addStretch(1)
        top.addWidget(self.code_button)
        top.addWidget(self.open_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.layers, 1)
        right_layout.addWidget(self.totals)
        right_layout.addWidget(self.calculator)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.diagram)
        splitter.addWidget(right)
        # the table has seven columns (receptive field and jump included): it gets the larger
        # share; the diagram's boxes need less than half
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([440, 660])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.description)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label, 1)
        busy_row.addWidget(self.cancel_open_button)
        layout.addLayout(busy_row)
        layout.addWidget(self.message)
        layout.addWidget(self.prediction.box)
        layout.addWidget(splitter, 1)

    def _fill_models(self, select: str | None = None) -> None:
        current = select or self.model_box.currentText() or "simple"
        self.model_box.blockSignals(True)
        self.model_box.clear()
        self.model_box.addItems(available())
        self.model_box.setCurrentText(current)
        self.model_box.blockSignals(False)

    # -- state ------------------------------------------------------------------------------------
    def input_shape(self) -> tuple[int, int, int]:
        preset = SHAPES[self.shape_box.currentIndex()][1]
        if preset == DATASET:
            return tuple(self.dataset.shape) if self.dataset is not None else (1, 28, 28)
        return preset or tuple(spin.value() for spin in self.custom)

    def num_classes(self) -> int:
        if SHAPES[self.shape_box.currentIndex()][1] == DATASET and self.dataset is not None:
            return len(self.dataset.class_names)
        return 10

    def set_dataset(self, choice) -> None:
        """Follow the chosen dataset: its input shape and number of classes."""
        self.dataset = choice
        c, h, w = choice.shape
        self.shape_box.setItemText(
            0, f"{choice.title}: {c}×{h}×{w}, {len(choice.class_names)} classes"
        )
        self.shape_box.setItemData(
            0, f"Input and classes of the chosen dataset ({choice.describe()})", Qt.ToolTipRole
        )
        if SHAPES[self.shape_box.currentIndex()][1] == DATASET:
            self.refresh()

    def options(self) -> dict:
        values = {}
        for key, widget in self.option_widgets.items():
            values[key] = widget.isChecked() if isinstance(widget, QCheckBox) else widget.value()
        return values

    def select_model(self, name: str) -> None:
        self.model_box.setCurrentText(name)

    def _on_shape_changed(self) -> None:
        custom = SHAPES[self.shape_box.currentIndex()][1] is None
        for widget in self.custom + self.custom_separators:
            widget.setVisible(custom)
        self.refresh()

    def _on_model_changed(self) -> None:
        name = self.model_box.currentText()
        while self.options_row.count():
            widget = self.options_row.takeAt(0).widget()
            if widget:
                widget.hide()
                widget.deleteLater()
        self.option_widgets = {}
        for key, default in info(name).options.items():
            if isinstance(default, bool):
                widget = QCheckBox(key.replace("_", " "))
                widget.setChecked(default)
                widget.toggled.connect(lambda _v: self.refresh())
            else:
                low, high, step = OPTION_RANGES.get(key, {}).get(name, (1, 512, 1))
                widget = self._spin(default, low, high, key)
                widget.setSingleStep(step)
                widget.setPrefix(f"{key} ")
                widget.valueChanged.connect(lambda _v: self.refresh())
            self.option_widgets[key] = widget
            self.options_row.addWidget(widget)
        entry = info(name)
        self.description.setText(f"{entry.description}  ({entry.slide})")
        self.refresh()

    # -- inspecting -------------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Build the chosen model for the chosen input in the worker; the page shows it when
        it arrives (False when there is nothing to build, or no compute service yet)."""
        name = self.model_box.currentText()
        if not name or self.jobs is None:
            return False
        shape = self.input_shape()
        self.busy = True
        self.show_message("")  # the last model's verdict is not this one's (a deck's next stop)
        self.busy_label.setText(
            f"Building {name} for {'×'.join(map(str, shape))} and running it once…"
        )
        self.busy_label.show()
        self.request_id = self.jobs.submit(
            "inspect", None, inspect_job, name, tuple(shape), self.num_classes(), self.options()
        )
        return True

    def _on_built(self, result: dict) -> None:
        """The latest request's table, diagram and code (an older request's never come)."""
        self.busy = False
        self.busy_label.setVisible(self.opener.is_busy())
        if "error" in result:
            self.show_message(result["error"])
            return
        self.table, self.code, self.nodes = result["table"], result["code"], result["nodes"]
        nodes = self.nodes
        c, h, w = self.table.input_shape
        self.layers.set_table(self.table)
        self.diagram.set_nodes(nodes, f"{c}×{h}×{w}")
        out = "×".join(map(str, self.table.output_shape)) if self.table.output_shape else "—"
        self.totals.setText(
            f"<b>Total:</b> {self.table.total_params:,} parameters · "
            f"{self.table.total_macs:,} multiply-adds per image · output {out}"
        )
        mismatch = self.table.mismatch
        self.show_message(f"✗ {mismatch.message}" if mismatch else "")
        if mismatch:
            self.layers.select_name(mismatch.layer)
            self.diagram.select(mismatch.layer)
        self.prediction.shown(result.get("questions", {}))

    def set_predict_first(self, on: bool) -> None:
        self.prediction.set_on(on)

    def lesson_state(self) -> dict:
        """The model and the input: "dataset" (the chosen dataset's shape) or [C, H, W]."""
        preset = SHAPES[self.shape_box.currentIndex()][1]
        shape = "dataset" if preset == DATASET else list(self.input_shape())
        return {"model": self.model_box.currentText(), "input": shape}

    def restore_lesson(self, state: dict) -> None:
        model, shape = state.get("model"), state.get("input", "dataset")
        if model not in available():
            raise ValueError(f"this cnnviz has no model called {model!r}")
        custom = [spin.value() for spin in self.custom]
        if shape != "dataset":
            ranges = [(spin.minimum(), spin.maximum()) for spin in self.custom]
            if not (isinstance(shape, list) and len(shape) == 3) or not all(
                isinstance(v, int) and low <= v <= high for v, (low, high) in zip(shape, ranges)
            ):
                raise ValueError(f"{shape!r} is not an input shape (channels, height, width)")
            custom = shape
        presets = [preset for _, preset in SHAPES]
        wanted = DATASET if shape == "dataset" else tuple(shape)
        index = presets.index(wanted) if wanted in presets else presets.index(None)
        for spin, value in zip(self.custom, custom):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.shape_box.setCurrentIndex(index)
        self.select_model(model)

    def lesson_title(self) -> str:
        return f"Architecture: {self.model_box.currentText()}"

    def figures(self):
        return [("architecture diagram", self.diagram)]

    def shutdown(self) -> None:
        if self.jobs is not None:
            self.jobs.shutdown()  # a model being built is finished first: the window waits
        self.opener.shutdown()  # a file being checked is stopped at once

    def busy_text(self) -> str:
        if self.jobs is not None and self.jobs.running():
            return "finishing the model being built"
        return "finishing the model file being opened" if self.opener.thread_running() else ""

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- code and files ---------------------------------------------------------------------------
    def model_source(self) -> str:
        """The source of the model shown (read with it in the compute thread)."""
        return self.code or ""

    def show_code(self) -> QDialog | None:
        if self.busy or self.code is None:  # the code shown must be the chosen model's
            self.show_message(
                "The model is still being built: Show code works once it is shown."
                if self.busy
                else "There is no model to show."
            )
            return None
        dialog = QDialog(self)
        dialog.setWindowTitle(f"Code of {self.model_box.currentText()}")
        text = QPlainTextEdit(self.model_source())
        text.setReadOnly(True)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.Monospace)
        text.setFont(font)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        dialog.resize(760, 640)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_model_dialog(self) -> None:
        answer = QMessageBox.warning(
            self,
            "Open model",
            OPEN_WARNING.format(limit=self.opener.time_limit_s),
            QMessageBox.Open | QMessageBox.Cancel,
            QMessageBox.Open,
        )
        if answer != QMessageBox.Open:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Open model (imports and definitions run)", "", "Python files (*.py)"
        )
        if path:
            self.open_model_file(path)

    @property
    def opening(self) -> bool:
        """A model file is being opened (checked, then built)."""
        return self.opener.is_busy()

    def open_model_file(self, path) -> None:
        """Open a model file in the background (Cancel stops it); on failure the page says
        where and why, and the current model stays."""
        self.show_message("")
        self.opener.open(path, self.input_shape(), self.num_classes())
        self.cancel_open_button.show()

    def _on_open_progress(self, text: str) -> None:
        self.busy_label.setText(text)
        self.busy_label.show()

    def _end_opening(self) -> None:
        self.cancel_open_button.hide()
        self.busy_label.setVisible(self.busy)

    def _on_open_failed(self, text: str) -> None:
        self._end_opening()
        self.show_message(f"{text} The previous model stays.")

    def _on_file_opened(self, user_model) -> None:
        self._end_opening()
        name = register_user_model(user_model)
        self._fill_models(select=name)
        self._on_model_changed()
