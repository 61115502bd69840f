"""The Draw page's widgets, built onto the page (as Qt Designer's ``setupUi`` does): its tools
and canvas, what the network sees with the prediction and bars, the Model box and the tabs
beside (feature maps, then the WhyTabs panels)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.gui.appearance import theme
from cnnviz.gui.appearance.look import named
from cnnviz.gui.widgets.feature_grid import FeatureMapGrid
from cnnviz.gui.widgets.model_source_box import ModelSourceBox
from cnnviz.gui.widgets.probability_bars import ProbabilityBars
from cnnviz.gui.widgets.why_tabs import WhyTabs


def tool_button(text: str, tip: str, slot, button=QPushButton):
    """A button saying ``text`` (a QPushButton calls ``slot`` when clicked)."""
    widget = button()
    widget.setText(text)
    widget.setToolTip(tip)
    if button is QPushButton:
        widget.clicked.connect(slot)
    return widget


def labelled_box(tip: str, slot) -> QComboBox:
    """A combo box that calls ``slot()`` when its choice changes."""
    box = QComboBox()
    box.setToolTip(tip)
    box.currentTextChanged.connect(lambda _t: slot())
    return box


def build_tools(page) -> None:
    """The pen, eraser, undo, clear, test-image and trace buttons, with the canvas under
    them: ``page.left_column``."""
    page.width_spin = QSpinBox()
    page.width_spin.setRange(2, 60)
    page.width_spin.setValue(int(page.canvas.pen_width))
    page.width_spin.setPrefix("pen ")
    page.width_spin.setToolTip("Pen width (pixels of the 280×280 canvas)")
    page.width_spin.valueChanged.connect(lambda v: setattr(page.canvas, "pen_width", float(v)))
    page.eraser = tool_button("Eraser", "Erase instead of drawing (E)", None, QToolButton)
    page.eraser.setCheckable(True)
    page.eraser.toggled.connect(lambda on: setattr(page.canvas, "eraser", on))
    page.undo_button = tool_button("Undo", "Undo the last stroke (Ctrl+Z)", page.canvas.undo)
    page.clear_button = tool_button("Clear", "Clear the canvas (Delete)", page.canvas.clear)
    page.test_button = tool_button(
        "Try a test image",
        "Put a random test image of the dataset on the canvas (the network sees it "
        "exactly as in the test set)",
        page.try_test_digit,
    )
    page.trace_button = tool_button(
        "Trace this drawing",
        "Open the Trace page on this drawing and this model: every number of the forward "
        "pass, the receptive field and the arithmetic of any unit",
        page.trace_drawing,
    )
    slots = (page.canvas.undo, page.canvas.clear, page.eraser.toggle)
    for (keys, _text), slot in zip(page.page_shortcuts, slots):
        QShortcut(QKeySequence(keys), page, slot, context=Qt.WidgetWithChildrenShortcut)
    tools = QGridLayout()
    for i, w in enumerate((page.width_spin, page.eraser, page.undo_button, page.clear_button)):
        tools.addWidget(w, 0, i)
    tools.addWidget(page.test_button, 1, 0, 1, 2)
    tools.addWidget(page.trace_button, 1, 2, 1, 2)
    tools.setColumnStretch(4, 1)
    page.left_column = QVBoxLayout()
    page.left_column.addLayout(tools)
    page.left_column.addWidget(page.canvas)  # square, sized by _fit_canvas
    page.left_column.addStretch(1)


def build_views(page) -> None:
    """What the network sees, the prediction and bars (``page.middle_column``); the Model box,
    its notes and the tabs (``page.right_column``)."""
    # square: the 28×28 view is as large as its column is wide
    page.seen = FeatureMapGrid("What the network sees (28×28)", square=True)
    page.seen.image.setColorMap(pg.colormap.get("CET-L1"))  # grey, as MNIST
    page.prediction = QLabel("Draw a digit")
    page.prediction.setObjectName("prediction")
    page.prediction.setStyleSheet("font-size: 26px; font-weight: bold;")
    page.prediction.setWordWrap(True)  # a long class name must not narrow the canvas
    page.bars = ProbabilityBars()
    page.middle_column = QVBoxLayout()
    for widget, stretch in ((page.seen, 0), (page.prediction, 0), (page.bars, 1)):
        page.middle_column.addWidget(widget, stretch)
    page.source_box = ModelSourceBox("Which network classifies the drawing")
    page.source_box.activated.connect(page._on_source_chosen)
    page.model_label = QLabel(page.controller.model_text())
    page.model_label.setWordWrap(True)
    page.dataset_note = QLabel()
    named(page.dataset_note, "presetNote")
    page.dataset_note.setWordWrap(True)
    page.dataset_note.hide()
    page.message = QLabel()
    page.message.setWordWrap(True)
    page.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
    page.message.hide()
    page.right_column = QVBoxLayout()
    for w in (QLabel("Model:"), page.source_box, page.model_label):
        page.right_column.addWidget(w)
    page.right_column.addWidget(page.dataset_note)
    page.right_column.addWidget(page.message)
    page.why_tabs = WhyTabs(build_features(page), page.controller.test_set)
    page.maps.channel_clicked.connect(  # a click on a map: what that filter looks for
        lambda channel: page.why_tabs.show_filter(page.layer_box.currentText(), channel)
    )
    page.right_column.addWidget(page.why_tabs, 4)


def build_features(page) -> QWidget:
    """The first tab: the feature maps of a layer, and an Inception block's branches."""
    page.layer_box = labelled_box("The layer whose feature maps are shown", page.request_prediction)
    page.maps = FeatureMapGrid("Feature maps")
    page.block_box = labelled_box(
        "The Inception block whose four branch outputs are shown", page.request_prediction
    )
    page.branch_views = [FeatureMapGrid("") for _ in range(4)]
    page.branch_panel = QWidget()
    branch_grid = QGridLayout(page.branch_panel)
    branch_grid.setContentsMargins(0, 0, 0, 0)
    branch_grid.addWidget(QLabel("Inception block:"), 0, 0)
    branch_grid.addWidget(page.block_box, 0, 1)
    for i, view in enumerate(page.branch_views):
        branch_grid.addWidget(view, 1 + i // 2, i % 2)
    page.branch_panel.hide()
    row = QHBoxLayout()
    row.addWidget(QLabel("Layer:"))
    row.addWidget(page.layer_box, 1)
    features = QWidget()
    column = QVBoxLayout(features)
    column.addLayout(row)
    column.addWidget(page.maps, 2)
    column.addWidget(page.branch_panel, 2)
    return features
