"""WhyTabs: the Draw page's tabs beside the drawing: its feature maps, why the network
answered as it did (attribution), fooling it (adversarial digits), accuracy against ε and
what one filter looks for."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QTabWidget, QWidget

from cnnviz.core.model_source import ModelSource
from cnnviz.gui.widgets.adversarial_panel import AdversarialPanel
from cnnviz.gui.widgets.attribution_panel import AttributionPanel
from cnnviz.gui.widgets.filter_panel import FilterPanel
from cnnviz.gui.widgets.robustness_panel import RobustnessPanel
from cnnviz.gui.widgets.stand_in_tabs import swap_in

# the panels' tabs after the feature maps: (name, title, tooltip, maker given the test set)
PANELS = (
    (
        "why",
        "Why?",
        "Which pixels made the network decide (attribution maps)",
        lambda _test_set: AttributionPanel(),
    ),
    (
        "fool",
        "Fool it",
        "Change each pixel by at most ε to fool the network",
        lambda _test_set: AdversarialPanel(),
    ),
    (
        "robustness",
        "Accuracy(ε)",
        "Test accuracy when every image is changed by at most ε",
        RobustnessPanel,
    ),
    (
        "filters",
        "Filters",
        "What one filter looks for: its top test patches, its dream",
        FilterPanel,
    ),
)
NAMES = tuple(name for name, *_ in PANELS)


class WhyTabs(QTabWidget):
    """``features`` (the page's feature-map views) and the four panels, fed together.

    The panels are built one per turn of the event loop after the page (or at once when a
    tab is shown or a panel is asked for: ``why``, ``fool``, ``robustness``, ``filters``),
    then given the compute service, the model and the drawing in use: built with the page,
    the four held the GUI thread for about 50 ms of its build in one piece."""

    def __init__(self, features: QWidget, test_set: Callable, parent=None):
        super().__init__(parent)
        self.test_set = test_set
        self._built: dict[str, QWidget] = {}
        self._service = None  # the window's compute service, once lent
        self._model: tuple | None = None  # (source, facts) in use
        self._image: np.ndarray | None = None  # the drawing, as the network takes it
        self.addTab(features, "Maps")
        self.setTabToolTip(0, "The feature maps of a chosen layer for the drawing")
        for _name, title, tip, _make in PANELS:
            index = self.addTab(QWidget(), title)  # a stand-in until the tab is shown
            self.setTabToolTip(index, tip)
        self.currentChanged.connect(self._on_tab_shown)
        self._closed = False  # shut down: no more panels
        QTimer.singleShot(0, self, self._build_next)

    def _build_next(self) -> None:
        """Build the first panel not built yet, and the next one on the next turn."""
        waiting = [name for name in NAMES if name not in self._built]
        if self._closed or not waiting:
            return
        self.panel(waiting[0])
        if len(waiting) > 1:
            QTimer.singleShot(0, self, self._build_next)

    def _on_tab_shown(self, index: int) -> None:
        if index >= 1:
            self.panel(NAMES[index - 1])

    def panel(self, name: str) -> QWidget:
        """The panel ``name`` (built now if it was not yet)."""
        if name not in self._built:
            index = 1 + NAMES.index(name)
            make = PANELS[index - 1][3]
            made = make(self.test_set)
            self._built[name] = made
            if self._service is not None:
                made.use_service(self._service)
            if self._model is not None:
                made.set_model(*self._model)
            if name in ("why", "fool"):
                made.set_image(self._image)
            swap_in(self, index, made)
        return self._built[name]

    @property
    def why(self) -> AttributionPanel:
        return self.panel("why")

    @property
    def fool(self) -> AdversarialPanel:
        return self.panel("fool")

    @property
    def robustness(self) -> RobustnessPanel:
        return self.panel("robustness")

    @property
    def filters(self) -> FilterPanel:
        return self.panel("filters")

    def panels(self):
        """The panels built so far."""
        return tuple(self._built.values())

    def show_filter(self, layer: str, channel: int) -> bool:
        """Bring the Filters tab forward on ``channel`` of ``layer`` (a convolution)."""
        if layer not in self.filters.channels:
            return False
        self.setCurrentWidget(self.filters)
        self.filters.choose(layer, channel)
        return True

    def use_service(self, service) -> None:
        """The panels' jobs run on ``service`` (the window's compute service)."""
        self._service = service
        for panel in self.panels():
            panel.use_service(service)

    def set_model(self, source: ModelSource, facts: dict) -> None:
        """The model in use: its source, and what the compute service said of it."""
        self._model = (source, facts)
        for panel in self.panels():
            panel.set_model(source, facts)

    def set_image(self, image: np.ndarray | None) -> None:
        """The network's input for the drawing, or None for an empty canvas."""
        self._image = image
        for name in ("why", "fool"):
            if name in self._built:
                self._built[name].set_image(image)

    def shutdown(self) -> None:
        self._closed = True
        for panel in self.panels():
            panel.shutdown()
