"""The One step page's widgets, built and laid out: the image, its label, the loss and the model
on the left; the backward overview with its walk, and the clicked unit's chain rule or the
layer's weights below it, in the middle; the update's settings, its result and its plots on the
right. The image input, the model's sources, the overview and the arithmetic panel are the
Trace page's widgets. Signals are connected by the page."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.lesson_presets import TRAIN
from cnnviz.core.training import TrainConfig
from cnnviz.gui.appearance import theme
from cnnviz.gui.pages.learn_controller import GRADIENT_SCALES
from cnnviz.gui.pages.train_form import spin_box
from cnnviz.gui.widgets.colour_legend import ColourLegend
from cnnviz.gui.widgets.image_input import ImageInput
from cnnviz.gui.widgets.model_source_box import ModelSourceBox
from cnnviz.gui.widgets.source_choice import DEFAULT, OPENED
from cnnviz.gui.widgets.step_bar import StepBar
from cnnviz.gui.widgets.step_plots import StepPlots
from cnnviz.gui.widgets.trace_overview import TraceOverview
from cnnviz.gui.widgets.unit_arithmetic import UnitArithmetic
from cnnviz.gui.widgets.weight_maps import WeightMaps

BATCH_RANGE = (2, 64)
MODEL_TIP = (
    "Whose weights take the steps: the shipped trained net, the Train page's run (its latest "
    "weights), a checkpoint, an opened model with its weights, or a fresh, untrained SimpleNet "
    "or Inception net (ten steps show the start of the Train page's loss curve)"
)
FRESH_ENTRIES = ("Fresh SimpleNet", "Fresh Inception net")  # untrained, seed 0
SHORTER = {DEFAULT: "Trained default model", OPENED: "Model + weights file…"}


def input_widgets() -> SimpleNamespace:
    """The image input (canvas, buttons, test image), the label, the loss and the model, in
    ``layout``."""
    w = SimpleNamespace()
    w.image_input = ImageInput(
        "Take the step on this image of the test set", "Random", "A test image picked at random"
    )
    w.canvas, w.test_spin = w.image_input.canvas, w.image_input.test_spin
    w.random_button, w.clear_button = w.image_input.random_button, w.image_input.clear_button
    w.label_box = QComboBox()
    for digit in range(10):
        w.label_box.addItem(f"label {digit}", digit)
    w.label_box.setToolTip(
        "The label the loss is taken against: a test image's own, or the one you choose "
        "for a drawing (try a wrong one)"
    )
    w.prediction = QLabel()
    w.prediction.setObjectName("prediction")
    w.prediction.setStyleSheet("font-size: 15px; font-weight: bold;")
    w.prediction.setWordWrap(True)
    w.model_box = ModelSourceBox(MODEL_TIP, extra=FRESH_ENTRIES)
    for index, text in SHORTER.items():  # the column is narrow: nothing cut off
        w.model_box.setItemText(index, text)
    w.model_label = QLabel()
    w.model_label.setWordWrap(True)
    w.layout = QVBoxLayout()
    for widget in (w.image_input, w.label_box, w.prediction, QLabel("Model:"), w.model_box):
        w.layout.addWidget(widget)
    w.layout.addWidget(w.model_label)
    w.layout.addStretch(1)
    return w


def backward_widgets() -> SimpleNamespace:
    """The colour scale, the walk's bar and words, the overview, and the tabs below it."""
    w = SimpleNamespace()
    w.scale_box = QComboBox()
    for key, name in GRADIENT_SCALES.items():
        w.scale_box.addItem(name, key)
    w.scale_box.setToolTip("Colour scale of the gradients: each layer its own, or one for all")
    w.legend = ColourLegend()
    w.message = QLabel()
    w.message.setWordWrap(True)
    w.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
    w.message.hide()
    w.hover_label = QLabel(" ")
    w.walk_bar = StepBar()
    w.walk_bar.setToolTip("Walk the backward pass from the loss back to the first layer")
    w.walk_text = QLabel()
    w.walk_text.setWordWrap(True)
    w.walk_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
    w.overview = TraceOverview()
    w.overview.setToolTip(
        "∂L/∂(each output), red positive, blue negative: click a unit for its chain rule; "
        "drag to scroll, Ctrl+wheel to zoom"
    )
    w.arithmetic = UnitArithmetic()
    w.arithmetic.clear("Click any unit of the gradients above: its chain rule, with the numbers.")
    w.backward_link = QPushButton("Open these numbers on the Backward page")
    w.backward_link.setToolTip("The same ∂L/∂Y and kernel as a grid lesson")
    w.backward_link.hide()
    chain = QWidget()
    chain_layout = QVBoxLayout(chain)
    chain_layout.setContentsMargins(0, 0, 0, 0)
    chain_layout.addWidget(w.arithmetic, 1)
    chain_layout.addWidget(w.backward_link, 0, Qt.AlignLeft)
    w.weights = WeightMaps()
    w.tabs = QTabWidget()
    for widget, name in ((chain, "Chain rule"), (w.weights, "Weights ∂L/∂W")):
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(widget)
        w.tabs.addTab(scroll, name)
    w.tabs.setMinimumHeight(140)
    w.splitter = QSplitter(Qt.Vertical)
    w.splitter.addWidget(w.overview)
    w.splitter.addWidget(w.tabs)
    w.splitter.setSizes([420, 360])
    w.splitter.splitterMoved.connect(lambda *_: w.arithmetic.fit_cells())
    return w


def update_widgets() -> SimpleNamespace:
    """The update's settings (the Train page's defaults and ranges), buttons, result, plots."""
    w = SimpleNamespace()
    defaults = TrainConfig()
    w.lr = spin_box(
        *TRAIN.span("lr"),
        defaults.lr,
        "Learning rate (the Train page's default)",
        double=True,
        decimals=5,
        step=0.001,
    )
    w.momentum = spin_box(
        *TRAIN.span("momentum"),
        defaults.momentum,
        "SGD momentum (the lecture: 0.5)",
        double=True,
        decimals=2,
        step=0.05,
    )
    w.batch = QSpinBox()
    w.batch.setRange(*BATCH_RANGE)
    w.batch.setValue(8)
    w.batch.setToolTip(
        "Images in the batch: this one and the next training images; the step follows "
        "their mean gradient"
    )
    w.step_button = QPushButton("Take the step")
    w.step_button.setToolTip("One SGD step on the batch (Ctrl+Return); again takes the next batch")
    w.reset_button = QPushButton("Reset")
    w.reset_button.setToolTip("Back to the weights the session started from")
    w.result = QLabel("Take the step: the weights move against the gradient.")
    w.result.setWordWrap(True)
    w.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
    w.plots = StepPlots()
    w.layout = QVBoxLayout()
    heading = QLabel("The update: SGD")
    heading.setStyleSheet("font-size: 15px; font-weight: bold;")
    w.layout.addWidget(heading)
    for name, box in (("Learning rate", w.lr), ("Momentum", w.momentum), ("Batch", w.batch)):
        row = QHBoxLayout()
        row.addWidget(QLabel(name))
        row.addWidget(box, 1)
        w.layout.addLayout(row)
    buttons = QHBoxLayout()
    buttons.addWidget(w.step_button, 1)
    buttons.addWidget(w.reset_button)
    w.layout.addLayout(buttons)
    w.layout.addWidget(w.result)
    w.layout.addWidget(w.plots, 1)
    return w


def lay_out(page, left, middle, right) -> None:
    """The input on the left, the backward pass in the middle, the update on the right."""
    centre = QVBoxLayout()
    row = QHBoxLayout()
    row.addWidget(QLabel("Colours:"))
    row.addWidget(middle.scale_box)
    row.addWidget(middle.legend, 1)
    centre.addLayout(row)
    centre.addWidget(middle.message)
    centre.addWidget(middle.walk_bar)
    centre.addWidget(middle.walk_text)
    centre.addWidget(middle.hover_label)
    centre.addWidget(middle.splitter, 1)
    side = QWidget()
    side.setLayout(right.layout)
    side.setFixedWidth(290)
    left_widget = QWidget()
    left_widget.setLayout(left.layout)
    left_widget.setFixedWidth(230)
    layout = QHBoxLayout(page)
    layout.addWidget(left_widget)
    layout.addLayout(centre, 1)
    layout.addWidget(side)
