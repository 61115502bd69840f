"""UnitArithmetic: one unit's arithmetic, stepped like the Convolution page.

Shows a :class:`~cnnviz.core.explain.UnitExplanation`: what the unit is and its value, its
receptive field, and its steps with the same step bar and grids as the grid lessons — for a
convolution the window of each input channel, that channel's trained kernel and their
products; for pooling the window and its winner; for the rest the formula with the numbers.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from cnnviz.core.explain import num
from cnnviz.gui.appearance.look import named
from cnnviz.gui.widgets.field_picture import FieldPicture
from cnnviz.gui.widgets.grid_board import GridBoard
from cnnviz.gui.widgets.labeled_grid import LabeledGrid
from cnnviz.gui.widgets.step_bar import StepBar

CELL = 46
GRID_SHARE = 3 / 5  # of the panel's width, the grids' (the words beside them take 2 / 5)


class UnitArithmetic(QWidget):
    """The explanation of the clicked unit; the step bar walks its steps."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.explanation = None
        self.cell = CELL
        self.heading = QLabel(
            "Click any unit of the network above: a pixel of a map, an entry, a logit or a "
            "probability."
        )
        self.heading.setObjectName("traceHeading")
        self.heading.setStyleSheet("font-size: 17px; font-weight: bold;")
        self.heading.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.heading.setWordWrap(True)
        self.op_text = QLabel()
        self.op_text.setWordWrap(True)
        self.op_text.setStyleSheet("color: #6b7280;")
        self.field = QLabel()
        self.field.setWordWrap(True)
        self.field.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.step_bar = StepBar()
        self.step_bar.index_changed.connect(self._show_step)
        self.step_title = QLabel()
        self.step_title.setObjectName("stepTitle")
        self.step_title.setStyleSheet("font-weight: bold;")
        self.step_title.setWordWrap(True)  # unwrapped, its width made the panel scroll sideways
        self.text = QLabel()
        named(self.text, "arithmetic")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.cannot = QLabel()
        self.cannot.setWordWrap(True)
        self.cannot.setStyleSheet("color: #9a3412;")
        self.cannot.hide()
        self.window = LabeledGrid("Window")
        self.kernel = LabeledGrid("Trained kernel")
        self.products = LabeledGrid("Window × kernel")
        for grid in self.grids():
            grid.model.set_decimals(3)
            grid.view.set_cell_size(self.cell)
        grids = QHBoxLayout()
        grids.setSpacing(14)
        for grid in self.grids():
            grids.addWidget(grid, 0, Qt.AlignTop)
        words = QVBoxLayout()
        for w in (self.step_title, self.text, self.field, self.op_text, self.cannot):
            words.addWidget(w)
        words.addStretch(1)
        below = QHBoxLayout()
        below.addLayout(words, 2)
        below.addLayout(grids, 3)
        self.text.setMinimumWidth(220)
        self._wanted: dict[int, bool] = {}
        self.lent = False  # the grids are on an exported frame's board (see stage_parts)
        self.picture: FieldPicture | None = None  # the input beside them, its field outlined
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.step_bar)
        layout.addLayout(below, 1)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self._show_grids(None)
        self.step_bar.set_count(0)

    def grids(self) -> list[LabeledGrid]:
        return [self.window, self.kernel, self.products]

    def set_cell_size(self, cell: int) -> None:
        """The largest cell size (zoom and presenter mode); grids shrink to fit the panel."""
        self.cell = cell
        self._fit_cells()

    def fit_cells(self) -> None:
        """Fit the grids to the room shown (after the panel was resized)."""
        self._fit_cells()

    def stage_parts(self, image=None) -> tuple:
        """An exported frame's parts, for a panel never shown (an export's copy of its page):
        (a board holding the step's grids, the labels under it, the labels above it), and
        on the board's left the input ``image`` (``[C, H, W]``, if given) with the unit's
        field outlined. The panel goes on filling them step by step; the board sizes the
        grids (all the step's grids, the products too); the words beside them and the step
        bar stay behind."""
        board = GridBoard()
        board.grid.setHorizontalSpacing(36)
        if image is not None:
            self.picture = FieldPicture(image)
            board.grid.addWidget(self.picture, 0, 0, Qt.AlignTop)
            if self.explanation is not None:
                self.picture.set_field(self.explanation.receptive_field)
        for column, grid in enumerate(self.grids(), start=1):
            board.grid.addWidget(grid, 0, column, Qt.AlignTop)
        self.lent = True
        self.field.setObjectName("formula")  # muted, as a lesson's size formula
        self._fit_cells()
        return board, [self.text, self.field], [self.heading, self.step_title]

    def _fit_cells(self) -> None:
        """Cells as large as ``cell`` allows, small enough for the window's rows to fit."""
        shown = [g for g in self.grids() if self._wanted.get(id(g), False)]
        if self.lent:  # the board they are lent to sizes them
            for grid in self.grids():
                grid.setVisible(grid in shown)
            return
        rows = max((g.model.rowCount() for g in shown), default=1)
        used = self._words_height()
        # the room shown (a scroll area's viewport), not this widget's own height, which the
        # grids' present size holds up
        room = self.parentWidget().height() if self.parentWidget() is not None else self.height()
        tall = (room - used - self.window.title.sizeHint().height() - 30) / max(rows, 1)

        def wide(grids) -> float:
            cols = sum(g.model.columnCount() for g in grids) or 1
            room = min(self.width() * GRID_SHARE, self.width() - 240)
            return (room - 24 * len(grids)) / cols

        # the products grid only where all three stay legible (its sum is in the words too)
        if self.products in shown and min(tall, wide(shown)) < 36:
            shown = [g for g in shown if g is not self.products]
        size = int(max(24, min(self.cell, tall, wide(shown))))
        for grid in self.grids():
            grid.setVisible(grid in shown)
        for grid in self.grids():
            grid.view.set_cell_size(size)

    def _words_height(self) -> int:
        """The heading (as wrapped at this width), the step bar and the spacing between."""
        width = max(self.width() - 8, 200)
        fm = self.heading.fontMetrics()
        lines = max(1, -(-fm.horizontalAdvance(self.heading.text()) // width))
        return lines * fm.lineSpacing() + self.step_bar.sizeHint().height() + 16

    def least_height(self, rows: int = 5, cell: int = 26) -> int:
        """The height that shows the heading, the step bar and a grid of ``rows`` rows of
        ``cell``-pixel cells with its title."""
        words = self._words_height()
        title = self.window.title.sizeHint().height()
        return words + title + rows * cell + 52  # and the scroll area's frame and scroll bar

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_cells()

    def clear(self, text: str) -> None:
        self.explanation = None
        self.heading.setText(text)
        self.field.setText("")
        self.op_text.setText("")
        self.cannot.hide()
        self.step_title.setText("")
        self.text.setText("")
        self._show_grids(None)
        self.step_bar.set_count(0)

    def set_explanation(self, e, keep_step: bool = False) -> None:
        """Show a unit's explanation (from its first step, or the same step when the same
        unit is shown for a new drawing)."""
        same_unit = (
            keep_step
            and self.explanation is not None
            and (
                self.explanation.layer,
                self.explanation.channel,
                self.explanation.row,
                self.explanation.col,
            )
            == (e.layer, e.channel, e.row, e.col)
        )
        self.explanation = e
        self.heading.setText(f"{e.where()} = {num(e.value)}")
        self.op_text.setText(e.op_text)
        rf = e.receptive_field
        self.field.setText(f"Receptive field on the input: {rf.describe()}." if rf else "")
        if self.picture is not None:
            self.picture.set_field(rf)
        self.cannot.setText(e.cannot)
        self.cannot.setVisible(bool(e.cannot))
        self.step_bar.set_count(len(e.steps), self.step_bar.index if same_unit else 0)

    def _show_grids(self, step) -> None:
        shown = {
            "window": step is not None and step.window is not None,
            "kernel": step is not None and step.kernel is not None,
            "products": step is not None and step.products is not None,
        }
        self._wanted = {id(grid): shown[key] for grid, key in zip(self.grids(), shown)}
        for grid, key in zip(self.grids(), shown):
            grid.setVisible(shown[key])

    def _show_step(self, index: int) -> None:
        e = self.explanation
        if e is None or not e.steps:
            return
        step = e.steps[min(index, len(e.steps) - 1)]
        self.step_title.setText(step.title)
        self.text.setText(step.text)
        self._show_grids(step)
        if step.window is not None:
            kinds = step.window_kinds if step.window_kinds is not None else None
            self.window.model.set_values(_finite(step.window), kinds, padding_name="padding")
            self.window.set_title(f"{e.source}" + self._channel_note(step))
            self.window.title.setToolTip("The numbers the window reads (padding greyed)")
            marks = {}
            if step.winner is not None:
                marks[tuple(step.winner)] = "winner"
            self.window.model.set_highlights(marks)
        if step.kernel is not None:
            self.kernel.model.set_values(step.kernel)
        if step.products is not None:
            self.products.model.set_values(step.products)
            self.products.set_title(f"Products: Σ = {num(step.products.sum())}")
        self._fit_cells()

    @staticmethod
    def _channel_note(step) -> str:
        title = step.title
        if title.startswith("Input channel"):
            return " · channel " + title.split()[2]
        return ""


def _finite(values: np.ndarray) -> np.ndarray:
    """Max pooling pads with −∞: shown as an empty padding cell, not a number."""
    return np.where(np.isfinite(values), values, 0.0)
