"""AdversarialPanel: fool the network with a change of at most ε per pixel. An ε slider, FGSM
away from its answer or targeted PGD ("make it say N"); the change in two colours, the
adversarial input, its probabilities and feature maps, all live (on the compute service)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
)

from cnnviz.core.model_source import ModelSource
from cnnviz.gui.appearance import theme
from cnnviz.gui.widgets.feature_grid import FeatureMapGrid
from cnnviz.gui.widgets.overlay_view import OverlayView
from cnnviz.gui.widgets.probability_bars import ProbabilityBars
from cnnviz.gui.widgets.task_panel import ModelTaskPanel
from cnnviz.gui.workers.attribution_jobs import adversarial_digit

AWAY = "Away from its answer (FGSM, one step)"
EPS_STEPS = 100  # the slider's steps from ε = 0 to ε = 0.5


class AdversarialPanel(ModelTaskPanel):
    """ε, the goal (away / make it say N), the change, the new input, bars and maps."""

    caption_style = "font-size: 15px; font-weight: bold;"  # the verdict stands out
    error_style = f"color: {theme.ERROR}; font-weight: bold;"

    def __init__(self, parent=None):
        super().__init__("adversarial", parent)
        self.image: np.ndarray | None = None
        self._build()

    def _build(self) -> None:
        self.eps_slider = QSlider(Qt.Horizontal)
        self.eps_slider.setRange(0, EPS_STEPS)
        self.eps_slider.setValue(40)  # ε = 0.2: fools most digits
        self.eps_slider.setToolTip("ε: the most any pixel may change (pixels run from 0 to 1)")
        self.eps_label = QLabel()
        self.eps_slider.valueChanged.connect(self._on_eps_changed)
        self.goal_box = QComboBox()
        self.goal_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.goal_box.setMinimumContentsLength(6)  # long entries must not widen the column
        self.goal_box.setToolTip(
            "FGSM: one step that raises the loss of its answer; "
            "PGD: 40 small steps towards the chosen class, each kept within ε"
        )
        self.goal_box.currentIndexChanged.connect(lambda _i: self.request())
        self.layer_box = QComboBox()
        self.layer_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_box.setMinimumContentsLength(6)  # long entries must not widen the column
        self.layer_box.setToolTip("The layer whose feature maps of the fooled input are shown")
        self.layer_box.currentIndexChanged.connect(lambda _i: self.request())
        grid = QGridLayout()
        grid.addWidget(self.eps_label, 0, 0)
        grid.addWidget(self.eps_slider, 0, 1)
        grid.addWidget(QLabel("Goal:"), 1, 0)
        grid.addWidget(self.goal_box, 1, 1)
        grid.setColumnStretch(1, 1)

        self.change = OverlayView("The change")
        self.fooled = FeatureMapGrid("Fooled input", title_lines=2)
        self.fooled.image.setColorMap(pg.colormap.get("CET-L1"))
        self.prediction = self.caption = QLabel("Draw something first")  # the verdict
        self.prediction.setWordWrap(True)
        self.prediction.setStyleSheet(self.caption_style)
        self.bars = ProbabilityBars()
        self.bars.setMinimumSize(110, 190)
        self.maps = FeatureMapGrid("Feature maps of the fooled input", title_lines=2)
        maps_column = QVBoxLayout()
        maps_column.addWidget(self.layer_box)
        maps_column.addWidget(self.maps, 1)
        pictures = QGridLayout()  # the change and the fooled input; the bars and the maps below
        pictures.addWidget(self.change, 0, 0)
        pictures.addWidget(self.fooled, 0, 1)
        pictures.addWidget(self.bars, 1, 0)
        pictures.addLayout(maps_column, 1, 1)
        pictures.setRowStretch(0, 1)
        pictures.setRowStretch(1, 1)
        pictures.setColumnStretch(0, 1)
        pictures.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.prediction)
        layout.addLayout(pictures, 1)
        self._on_eps_changed(self.eps_slider.value())

    def eps(self) -> float:
        return self.eps_slider.value() * 0.5 / EPS_STEPS

    # -- what the page tells it ------------------------------------------------------------------
    def set_model(self, source: ModelSource, facts: dict) -> None:
        super().set_model(source, facts)
        self.bars.set_class_names(self.info.class_names)
        goals = [AWAY, *(f"Make it say {name} (PGD)" for name in self.info.class_names)]
        for box, items in ((self.goal_box, goals), (self.layer_box, facts["layers"])):
            box.blockSignals(True)
            box.clear()
            box.addItems(items)
            box.blockSignals(False)
        self.request()

    def set_image(self, image: np.ndarray | None) -> None:
        self.image = None if image is None else np.asarray(image, np.float32)
        self.request()

    # -- requests and results --------------------------------------------------------------------
    def request(self) -> None:
        self.request_id += 1
        if self.image is None:
            self.shown_id, self.result = self.request_id, None
            self.change.set_overlay(None)
            self.fooled.set_maps(np.zeros(self.info.input_shape[1:], np.float32), levels=(0, 1))
            self.bars.set_probabilities(None)
            self.prediction.setText("Draw something first")
            return
        index = self.goal_box.currentIndex()
        self.submit_when_seen(
            adversarial_digit,
            self.image,
            self.eps(),
            None if index <= 0 else index - 1,
            self.layer_box.currentText(),
        )

    def show_result(self, result: dict) -> None:
        if "error" in result:
            self.result = None
            self._say(f"Cannot attack this input: {result['error']}", error=True)
            return
        self.result = result
        eps = result["eps"]
        self.change.set_overlay(result["perturbation"].mean(axis=0), scale=eps or None)
        self.change.title.setText(  # the colours say which way a pixel moved
            f"The change<br><b style='color:{theme.POSITIVE.name()}'>+ up</b> "
            f"<b style='color:{theme.NEGATIVE.name()}'>− down</b>"
        )
        self.fooled.set_maps(result["adversarial"].mean(axis=0), levels=(0, 1))
        self.bars.set_probabilities(result["probabilities"])
        self._say(self._verdict(result))
        maps = result["maps"]
        if maps is not None:
            layer = result["layer"]
            self.maps.set_maps(maps, f"{layer}, fooled input")

    def _verdict(self, result: dict) -> str:
        names = self.info.class_names
        now = int(np.argmax(result["probabilities"]))
        was = result["predicted"]
        text = f"Now it says {names[now]} ({100 * result['probabilities'][now]:.1f}%)"
        if result["target"] is not None:
            return text + (" — fooled as asked" if now == result["target"] else "; not yet")
        return text + (f" — fooled (was {names[was]})" if now != was else " — not fooled")

    def _on_eps_changed(self, _value: int) -> None:
        self.eps_label.setText(f"ε = {self.eps():.3f}")
        self.request()
