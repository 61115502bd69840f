"""WhyTabs: the Draw page's tabs beside the drawing: its feature maps, why the network
answered as it did (attribution), fooling it (adversarial digits), accuracy against ε and
what one filter looks for."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import QTabWidget, QWidget

from cnnviz.core.inference import MNIST_INFO, InputContract
from cnnviz.gui.widgets.adversarial_panel import AdversarialPanel
from cnnviz.gui.widgets.attribution_panel import AttributionPanel
from cnnviz.gui.widgets.filter_panel import FilterPanel
from cnnviz.gui.widgets.robustness_panel import RobustnessPanel


class WhyTabs(QTabWidget):
    """``features`` (the page's feature-map views) and the three panels, fed together."""

    def __init__(self, features: QWidget, test_set: Callable, parent=None):
        super().__init__(parent)
        self.why = AttributionPanel()
        self.fool = AdversarialPanel()
        self.robustness = RobustnessPanel(test_set)
        self.filters = FilterPanel(test_set)
        self.addTab(features, "Maps")
        self.addTab(self.why, "Why?")
        self.addTab(self.fool, "Fool it")
        self.addTab(self.robustness, "Accuracy(ε)")
        self.addTab(self.filters, "Filters")
        self.setTabToolTip(0, "The feature maps of a chosen layer for the drawing")
        self.setTabToolTip(1, "Which pixels made the network decide (attribution maps)")
        self.setTabToolTip(2, "Change each pixel by at most ε to fool the network")
        self.setTabToolTip(3, "Test accuracy when every image is changed by at most ε")
        self.setTabToolTip(4, "What one filter looks for: its top test patches, its dream")

    def panels(self):
        return (self.why, self.fool, self.robustness, self.filters)

    def show_filter(self, layer: str, channel: int) -> bool:
        """Bring the Filters tab forward on ``channel`` of ``layer`` (a convolution)."""
        if layer not in self.filters.channels:
            return False
        self.setCurrentWidget(self.filters)
        self.filters.choose(layer, channel)
        return True

    def set_model(self, model, info: InputContract = MNIST_INFO) -> None:
        for panel in self.panels():
            panel.set_model(model, info)

    def set_image(self, image: np.ndarray | None) -> None:
        """The network's input for the drawing, or None for an empty canvas."""
        self.why.set_image(image)
        self.fool.set_image(image)

    def shutdown(self) -> None:
        for panel in self.panels():
            panel.shutdown()

    def busy(self) -> bool:
        return any(panel.is_busy() for panel in self.panels())
