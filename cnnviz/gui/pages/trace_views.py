"""The Trace page's widgets, built and laid out: the input (canvas, test image, prediction) on
the left; the model, colour and evidence choices, the overview of every layer and the clicked
unit's arithmetic on the right. Signals are connected by the page."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
)

from cnnviz.core.explain import num, unit_words
from cnnviz.gui.appearance import theme
from cnnviz.gui.widgets.colour_legend import ColourLegend
from cnnviz.gui.widgets.image_input import ImageInput
from cnnviz.gui.widgets.model_source_box import ModelSourceBox
from cnnviz.gui.widgets.trace_overview import SCALES, TraceOverview
from cnnviz.gui.widgets.unit_arithmetic import UnitArithmetic
from cnnviz.gui.workers.evidence_worker import METHODS

SCALE_NAMES = {"map": "per map", "layer": "per layer", "network": "whole network"}
EVIDENCE_TIP = (
    "Which input pixels made the network decide (cnnviz.attribution): laid over the input, red "
    "for the class, blue against it. The class is the predicted one, or the logit or "
    "probability you click."
)


def input_widgets() -> SimpleNamespace:
    """The image input (canvas, its buttons, the test image's number) and the prediction,
    in ``layout``."""
    w = SimpleNamespace()
    w.image_input = ImageInput(
        "Trace this image of the test set",
        "Random test image",
        "Trace a test image picked at random",
    )
    w.canvas, w.test_spin = w.image_input.canvas, w.image_input.test_spin
    w.random_button, w.clear_button = w.image_input.random_button, w.image_input.clear_button
    w.prediction = QLabel()
    w.prediction.setObjectName("prediction")
    w.prediction.setStyleSheet("font-size: 20px; font-weight: bold;")
    w.prediction.setWordWrap(True)
    w.layout = QVBoxLayout()
    w.layout.addWidget(w.image_input)
    w.layout.addWidget(w.prediction)
    w.layout.addStretch(1)
    return w


def choice_widgets() -> SimpleNamespace:
    """The model's source, the colour scale and its legend, the evidence map, the messages."""
    w = SimpleNamespace()
    w.source_box = ModelSourceBox("Which network is traced")
    w.scale_box = QComboBox()
    for key in SCALES:
        w.scale_box.addItem(SCALE_NAMES[key], key)
    w.scale_box.setCurrentIndex(SCALES.index("layer"))
    w.scale_box.setToolTip(
        "Colour scale: each map on its own, each layer on its own, or one scale for the "
        "whole network"
    )
    w.legend = ColourLegend()
    w.evidence_box = QComboBox()
    w.evidence_box.addItem("no evidence map", "")
    for key, name in METHODS.items():
        w.evidence_box.addItem(name, key)
    w.evidence_box.setToolTip(EVIDENCE_TIP)
    w.evidence_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    w.evidence_box.setMinimumContentsLength(14)
    w.evidence_note = QLabel()
    w.model_label = QLabel()
    w.message = QLabel()
    for label in (w.evidence_note, w.model_label, w.message):
        label.setWordWrap(True)
    w.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
    w.message.hide()
    w.hover_label = QLabel(" ")
    w.hover_label.setObjectName("hoverLabel")
    w.rows = []
    for name, box, beside in (
        ("Model:", w.source_box, w.model_label),
        ("Colours:", w.scale_box, w.legend),
        ("Evidence:", w.evidence_box, w.evidence_note),
    ):
        row = QHBoxLayout()
        row.addWidget(QLabel(name))
        row.addWidget(box)
        row.addWidget(beside, 1)
        w.rows.append(row)
    return w


def trace_widgets() -> SimpleNamespace:
    """The overview of every layer above the clicked unit's arithmetic, in ``splitter``."""
    w = SimpleNamespace()
    w.overview = TraceOverview()
    w.arithmetic = UnitArithmetic()
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(w.arithmetic)
    scroll.setMinimumHeight(120)
    w.splitter = QSplitter(Qt.Vertical)
    w.splitter.addWidget(w.overview)
    w.splitter.addWidget(scroll)
    w.splitter.setStretchFactor(0, 3)
    w.splitter.setStretchFactor(1, 2)
    w.splitter.setSizes([520, 360])
    w.splitter.splitterMoved.connect(lambda *_: w.arithmetic.fit_cells())
    return w


def lay_out(page, left, choices, maps) -> None:
    """The input on the left, the rest on the right (the page's layout)."""
    right = QVBoxLayout()
    for row in choices.rows:
        right.addLayout(row)
    right.addWidget(choices.message)
    right.addWidget(choices.hover_label)
    right.addWidget(maps.splitter, 1)
    layout = QHBoxLayout(page)
    layout.addLayout(left.layout, 0)
    layout.addLayout(right, 1)


def share_height(splitter, overview, arithmetic) -> None:
    """The overview takes the height its network needs (at most 60 %), the arithmetic the
    rest."""
    total = sum(splitter.sizes())
    if total <= 0:
        return
    wanted = int(overview.sceneRect().height()) + 24  # at 1:1
    # the arithmetic needs its step bar, words and a 5×5 grid of legible cells
    needs = arithmetic.least_height()
    top = max(160, min(wanted, int(0.6 * total), total - needs))
    splitter.setSizes([top, total - top])
    arithmetic.fit_cells()


def hover_text(trace, index: int, channel: int, row, col) -> str:
    """What the hovered unit is: its value and the input pixels it sees, named as its
    arithmetic's title names it (counted from 1; ``channel``, ``row``, ``col`` are 0-based)."""
    node = trace.nodes[index]
    value = node.value[channel, row, col] if node.is_map else node.value[channel]
    where = f" · {unit_words(channel, row, col)}" if node.is_map else f"[{channel}]"
    field = trace.receptive_field(index, row, col, channel)
    return f"{node.label}{where} = {num(float(value))}  ·  sees {field.describe()}"
