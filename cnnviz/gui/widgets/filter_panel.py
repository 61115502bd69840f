"""FilterPanel: what one filter looks for. For a channel of a convolution layer: the 9 test
patches (cropped to the unit's receptive field) that excite it most, and an image made by
gradient ascent to excite it. Computed on the compute service in slices with progress, kept
per model."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSpinBox,
    QVBoxLayout,
)

from cnnviz.core.model_source import ModelSource
from cnnviz.gui.widgets.feature_grid import FeatureMapGrid
from cnnviz.gui.widgets.task_panel import ModelTaskPanel
from cnnviz.gui.workers.attribution_jobs import filter_views


class ChannelSpin(QSpinBox):
    """A channel chosen by its index (``value()``, from 0, as the API takes it), shown and
    typed counted from 1 as every page counts: "ch 1" is channel 0."""

    def textFromValue(self, value: int) -> str:
        return str(value + 1)

    def valueFromText(self, text: str) -> int:
        return int(self._number(text)) - 1

    def validate(self, text: str, pos: int):
        number = self._number(text)
        if not number:
            return QValidator.State.Intermediate, text, pos
        if not number.isdigit():
            return QValidator.State.Invalid, text, pos
        inside = self.minimum() <= int(number) - 1 <= self.maximum()
        return (QValidator.State.Acceptable if inside else QValidator.State.Intermediate), text, pos

    def _number(self, text: str) -> str:
        return text.removeprefix(self.prefix()).strip()


class FilterPanel(ModelTaskPanel):
    """Layer and channel; the top-9 patches and the activation-maximisation image."""

    def __init__(self, test_set: Callable = lambda: None, parent=None):
        super().__init__("filters", parent)
        self.test_set = test_set  # called in the compute thread: reads the test images
        self.channels: dict[str, int] = {}
        self.patches: dict = {}  # layer → TopPatches, for the model in use
        self.pictures: dict = {}  # (layer, channel) → activation-maximisation image
        self.model_since = 0  # requests after this one are for the model in use
        self.steps = 150  # of gradient ascent for the picture
        self.layer_box = QComboBox()
        self.layer_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_box.setMinimumContentsLength(6)  # long entries must not widen the column
        self.layer_box.setToolTip("The convolution layer")
        self.channel_spin = ChannelSpin()
        self.channel_spin.setPrefix("ch ")
        self.channel_spin.setToolTip("The channel (filter) of that layer")
        self.layer_box.currentIndexChanged.connect(self._on_layer_changed)
        self.channel_spin.valueChanged.connect(lambda _v: self.request())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.follow_progress(self.progress)
        self.top = FeatureMapGrid("The 9 test patches that excite it most", title_lines=3)
        self.top.image.setColorMap(pg.colormap.get("CET-L1"))
        self.dream = FeatureMapGrid("An image made to excite it", title_lines=2)
        self.dream.image.setColorMap(pg.colormap.get("CET-L1"))
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.layer_box, 1)
        row.addWidget(self.channel_spin)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.top, 3)
        layout.addWidget(self.dream, 2)
        layout.addWidget(self.caption)

    def set_model(self, source: ModelSource, facts: dict) -> None:
        """A new model: what was found for the previous one is forgotten."""
        self.cancel()
        super().set_model(source, facts)
        self.patches.clear()
        self.pictures.clear()
        self.model_since = self.request_id
        self.channels = dict(facts["convs"])
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItems(list(self.channels))
        self.layer_box.blockSignals(False)
        self._on_layer_changed()

    def choose(self, layer: str, channel: int) -> None:
        """Show ``channel`` of ``layer`` (a convolution of the model in use)."""
        if layer in self.channels:
            self.layer_box.setCurrentText(layer)
            self.channel_spin.setValue(channel)

    def _on_layer_changed(self) -> None:
        channels = self.channels.get(self.layer_box.currentText(), 1)
        self.channel_spin.blockSignals(True)
        self.channel_spin.setRange(0, max(0, channels - 1))
        self.channel_spin.blockSignals(False)
        self.request()

    def request(self) -> None:
        self.request_id += 1
        layer, channel = self.layer_box.currentText(), self.channel_spin.value()
        if not layer:
            self.shown_id = self.request_id
            self._say("This model has no convolution layer.", error=True)
            return
        if layer in self.patches and (layer, channel) in self.pictures:
            self.shown_id = self.request_id
            self._show(layer, channel)
            return
        if self.submit_when_seen(
            filter_views,
            self.test_set,
            layer,
            channel,
            layer not in self.patches,
            (layer, channel) not in self.pictures,
            self.steps,
        ):  # its answer and progress come later, through the event loop
            self.progress.setRange(0, 0)
            self._say(f"Finding what channel {channel + 1} of {layer} looks for…")

    def _on_result(self, result: dict) -> None:
        if self.asked_for > self.model_since:  # kept even when no longer asked for: its layer
            if result.get("patches") is not None:  # may be asked for again
                self.patches[result["layer"]] = result["patches"]
            if result.get("picture") is not None:
                self.pictures[(result["layer"], result["channel"])] = result["picture"]
        super()._on_result(result)

    def show_result(self, result: dict) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if "error" in result:
            self._say(f"Cannot show this filter: {result['error']}", error=True)
        else:
            self.progress.setValue(1)
            self._show(result["layer"], result["channel"])

    def _show(self, layer: str, channel: int) -> None:
        top = self.patches[layer]
        tiles = top.patches[channel].mean(axis=1)  # [9, size, size], grey
        self.top.set_maps(tiles, levels=(0, 1))
        rows, cols = top.field.size
        self.top.title.setText(
            f"The 9 test patches that excite channel {channel + 1} of {layer} most "
            f"({rows}×{cols}: its receptive field)"
        )
        self.dream.set_maps(self.pictures[(layer, channel)].mean(axis=0), levels=(0, 1))
        self.dream.title.setText(
            "An image made to excite its centre unit (gradient ascent from grey)"
        )
        values = ", ".join(f"{v:.1f}" for v in top.values[channel][:3])
        images = ", ".join(str(i) for i in top.indices[channel][:3])
        self._say(f"Strongest responses {values}, … (test images {images}, …).")
