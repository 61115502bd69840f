"""TrainViews: everything the Train page shows about a run — loss and accuracy, feature maps
of the probe digit, Inception branch outputs, first-layer filters, gradient norms, the
confusion matrix, the log and the runs to compare."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.data.mnist import CLASS_NAMES as DIGITS
from cnnviz.gui.widgets.confusion_gallery import ConfusionGallery
from cnnviz.gui.widgets.feature_grid import FeatureMapGrid
from cnnviz.gui.widgets.loss_plot import LossPlot
from cnnviz.gui.widgets.run_figures import RunFigures
from cnnviz.gui.widgets.stand_in_tabs import swap_in

# the tabs built a turn of the event loop after the views (or at once when shown or asked
# for): (name, tab index); built with the page they held the GUI thread for about 20 ms more
STAGED = (("branches", 0), ("gradients", 2))


class TrainViews(QWidget):
    """Views updated from plain data; the page decides when (≤ 30 repaints a second).

    The Inception-branch and gradient tabs are built one per turn of the event loop after the
    rest (at once when their tab is shown or one of their widgets is asked for:
    ``branch_page``, ``block_box``, ``branches``, ``grad_plot``, ...), and given what the
    views hold then."""

    block_chosen = Signal(str)  # the Inception block whose branches to show

    def __init__(self, parent=None):
        super().__init__(parent)
        self._built: dict[str, dict] = {}  # staged tab name → its widgets
        self._blocks: list[str] = []  # the run's Inception blocks
        self.loss_plot = LossPlot()
        self.figures = RunFigures()
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("The layer whose feature maps of the probe digit are shown")
        self.features = FeatureMapGrid("Feature maps")
        # the narrow side column: three lines for its titles ("Probe: circle, seen as circle")
        self.enlarged = FeatureMapGrid("Click a map to enlarge", title_lines=3)
        self.features.channel_clicked.connect(self.enlarge)
        self.probe_image = FeatureMapGrid("Probe image", title_lines=3)
        self.probe_image.image.setColorMap(pg.colormap.get("CET-L1"))
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setMinimumWidth(200)
        self.tabs.addTab(QWidget(), "Inception branches")  # stand-ins, see STAGED
        self.filters = FeatureMapGrid("First-layer filters (all input channels, shared scale)")
        self.tabs.addTab(self.filters, "Filters")
        self.tabs.addTab(QWidget(), "Gradients")
        self._build_confusion()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        self.tabs.addTab(self.log, "Log")
        self.runs = QListWidget()
        self.runs.setToolTip("Finished runs: tick several to overlay their curves")
        self.tabs.addTab(self.runs, "Compare runs")
        self._layout()
        self.current_maps: np.ndarray | None = None
        self.last_snapshot: dict | None = None
        self.class_names: tuple[str, ...] = DIGITS  # of the run's dataset
        self.confusion_shown = False
        self.tab_chosen = False  # the user picked a tab: runs no longer choose one
        self._choose_tab = False  # the next snapshot picks the first tab with something to show
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tabs.tabBarClicked.connect(lambda _i: setattr(self, "tab_chosen", True))
        self.set_inception([])
        QTimer.singleShot(0, self, self._build_next)

    def _on_tab_changed(self, index: int) -> None:
        for name, at in STAGED:
            if at == index:
                self._staged(name)
        if self.last_snapshot is not None:
            self.show_snapshot(self.last_snapshot)

    # -- the staged tabs ------------------------------------------------------------------------
    def _build_next(self) -> None:
        """Build the first staged tab not built yet, and the next one on the next turn."""
        waiting = [name for name, _ in STAGED if name not in self._built]
        if waiting:
            self._staged(waiting[0])
        if len(waiting) > 1:
            QTimer.singleShot(0, self, self._build_next)

    def _staged(self, name: str) -> dict:
        """The widgets of the staged tab ``name``, built now if they were not yet."""
        if name not in self._built:
            index = dict(STAGED)[name]
            self._built[name] = made = (
                self._build_branches() if name == "branches" else self._build_gradients()
            )
            swap_in(self.tabs, index, made["page"])
            if name == "branches":
                self._fill_blocks()
        return self._built[name]

    @property
    def branch_page(self) -> QWidget:
        return self._staged("branches")["page"]

    @property
    def block_box(self) -> QComboBox:
        return self._staged("branches")["block_box"]

    @property
    def branches(self) -> list[FeatureMapGrid]:
        return self._staged("branches")["branches"]

    @property
    def no_branches(self) -> QLabel:
        return self._staged("branches")["no_branches"]

    @property
    def grad_plot(self) -> pg.PlotWidget:
        return self._staged("gradients")["page"]

    @property
    def grad_bars(self) -> pg.BarGraphItem:
        return self._staged("gradients")["bars"]

    def _shown(self, name: str) -> bool:
        """Whether the staged tab ``name`` is on screen (never builds it)."""
        return name in self._built and self._built[name]["page"].isVisible()

    def _build_branches(self) -> dict:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Inception block:"))
        block_box = QComboBox()
        block_box.setToolTip("Which Inception block's four branches to show")
        block_box.currentTextChanged.connect(self.block_chosen)
        row.addWidget(block_box)
        row.addStretch(1)
        layout.addLayout(row)
        grid = QGridLayout()
        branches = [FeatureMapGrid(f"branch {i + 1}") for i in range(4)]
        for i, view in enumerate(branches):
            grid.addWidget(view, i // 2, i % 2)
        layout.addLayout(grid, 1)
        no_branches = QLabel("This model has no Inception blocks.")
        no_branches.setAlignment(Qt.AlignCenter)
        layout.addWidget(no_branches)
        return {
            "page": page,
            "block_box": block_box,
            "branches": branches,
            "no_branches": no_branches,
        }

    def _fill_blocks(self) -> None:
        """The built branch tab shows the run's blocks (or says there are none)."""
        made = self._built["branches"]
        box, has = made["block_box"], bool(self._blocks)
        box.blockSignals(True)
        box.clear()
        box.addItems(self._blocks)
        box.blockSignals(False)
        for view in made["branches"]:
            view.setVisible(has)
        made["no_branches"].setVisible(not has)

    def _build_gradients(self) -> dict:
        plot = pg.PlotWidget(background="w")
        plot.setLabel("left", "gradient norm (log₁₀)")
        plot.setLabel("bottom", "layer (input → output)")
        bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#4c72b0")
        plot.addItem(bars)
        return {"page": plot, "bars": bars}

    def _build_confusion(self) -> None:
        self.confusion = QTableWidget(10, 10)
        self.confusion.setToolTip(
            "Rows: true digit; columns: predicted digit (last epoch). Click a cell to see its "
            "test images"
        )
        for header in (self.confusion.horizontalHeader(), self.confusion.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.Stretch)
        self.gallery = ConfusionGallery()  # the test images of a clicked cell, below it
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.confusion)
        split.addWidget(self.gallery)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.tabs.addTab(split, "Confusion")

    def _layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer:"))
        row.addWidget(self.layer_box, 1)
        left_layout.addLayout(row)
        maps = QHBoxLayout()
        maps.addWidget(self.features, 3)
        side = QVBoxLayout()
        side.addWidget(self.probe_image, 1)
        side.addWidget(self.enlarged, 1)
        maps.addLayout(side, 1)
        left_layout.addLayout(maps, 1)
        bottom = QSplitter(Qt.Horizontal)
        bottom.addWidget(left)
        bottom.addWidget(self.tabs)
        bottom.setSizes([520, 560])
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.loss_plot, 1)
        top_layout.addWidget(self.figures)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 2)  # the plots and the maps share the height about evenly
        split.setStretchFactor(1, 3)
        split.setSizes([340, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    # -- updates (plain data in) --------------------------------------------------------------
    def show_snapshot(self, snap: dict) -> None:
        """Update the views that are on screen (hidden tabs catch up when shown)."""
        self.last_snapshot = snap
        for name, maps in snap["activations"].items():
            self.current_maps = maps
            c, h, w = maps.shape
            self.features.set_maps(maps, f"Feature maps of {name}: {c} channels of {h}×{w}")
        if self._choose_tab:
            self._choose_tab = False
            self.open_first_tab_with_content()
        names = self.class_names
        truth, seen = int(snap["label"]), int(np.argmax(snap["probabilities"]))

        def name(i):
            return names[i] if i < len(names) else str(i)

        article = "a " if names == DIGITS else ""
        self.probe_image.set_maps(
            snap["image"].astype(np.float32),
            f"Probe: {article}{name(truth)}, seen as {name(seen)}",
            levels=(0, 255),
        )
        branches = snap.get("branches") or []
        if branches and self._shown("branches"):
            arrays = [a for _, a in branches]
            low = min(float(a.min()) for a in arrays)
            high = max(float(a.max()) for a in arrays)
            for view, (label, maps) in zip(self.branches, branches):
                view.set_maps(maps, label, levels=(low, high))
        if snap.get("filters") is not None and self.filters.isVisible():
            f = snap["filters"]
            self.filters.set_maps(
                f.reshape(-1, f.shape[2], f.shape[3]),
                f"First-layer filters: {f.shape[0]} × {f.shape[1]} of {f.shape[2]}×{f.shape[3]}",
            )
        norms = snap.get("grad_norms") or {}
        if norms and self._shown("gradients"):
            heights = np.log10(np.maximum(np.array(list(norms.values())), 1e-12))
            self.grad_bars.setOpts(
                x=np.arange(len(heights)),
                height=heights - heights.min() + 0.1,
                y0=heights.min() - 0.1,
            )
            axis = self.grad_plot.getAxis("bottom")
            step = max(1, len(norms) // 12)
            axis.setTicks([[(i, n) for i, n in enumerate(norms) if i % step == 0]])

    def _has_content(self, index: int) -> bool:
        snap = self.last_snapshot or {}
        return (
            bool(snap.get("branches")) and bool(self._blocks),
            snap.get("filters") is not None,
            bool(snap.get("grad_norms")),
            self.confusion_shown,
            bool(self.log.toPlainText()),
            self.runs.count() > 0,
        )[index]

    def open_first_tab_with_content(self) -> None:
        """Show the first tab that has something to show (unless the user picked one)."""
        if self.tab_chosen:
            return
        for i in range(self.tabs.count()):
            if self.tabs.isTabEnabled(i) and self._has_content(i):
                self.tabs.setCurrentIndex(i)
                return

    def enlarge(self, channel: int) -> None:
        if self.current_maps is not None and channel < len(self.current_maps):
            self.enlarged.set_maps(
                self.current_maps[channel], f"Channel {channel + 1}", levels=self.features.levels
            )

    def show_confusion(self, matrix: np.ndarray, class_names) -> None:
        k = len(class_names)
        self.confusion.setRowCount(k)
        self.confusion.setColumnCount(k)
        self.confusion.setHorizontalHeaderLabels([f"→{n}" for n in class_names])
        self.confusion.setVerticalHeaderLabels(list(class_names))
        peak = max(1, int(matrix.max()))
        for r in range(k):
            for c in range(k):
                item = QTableWidgetItem(str(int(matrix[r, c])))
                item.setTextAlignment(Qt.AlignCenter)
                strength = int(matrix[r, c]) / peak
                colour = (
                    QColor(8, 81, 156, int(40 + 200 * strength))
                    if r == c
                    else QColor(214, 39, 40, int(min(255, 600 * strength)))
                )
                item.setBackground(colour)
                self.confusion.setItem(r, c, item)
        self.confusion_shown = True

    def set_inception(self, blocks: list[str]) -> None:
        self._blocks = list(blocks)
        if "branches" in self._built:
            self._fill_blocks()
        has = bool(blocks)
        at = dict(STAGED)["branches"]
        self.tabs.setTabEnabled(at, has)
        # a new run: its first snapshot opens the first tab that has something to show (the
        # confusion matrix shown is the last run's until this one has finished an epoch)
        self._choose_tab = True
        self.confusion_shown = False
        self.last_snapshot = None
        if not has and self.tabs.currentIndex() == at:
            self.tabs.setCurrentWidget(self.filters)
