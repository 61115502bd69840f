"""GridLessonPage: what the convolution and pooling pages share.

A page owns its editable input (``[C, H, W]`` numpy), builds a *plan* from the core
(``ConvPlan`` / ``PoolPlan``) and shows it; the step bar walks the plan's steps. The page never
computes arithmetic itself. A plan that fails to build leaves the last good one on screen and
puts the reason next to the control it is about.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.examples import example_presets, example_problems
from cnnviz.core.grid_text import MAX_SIDE, format_grid, parse_grid, parse_number, resized
from cnnviz.gui.look import named
from cnnviz.gui.pages.base import Page
from cnnviz.gui.repaint_hold import hold_repaints
from cnnviz.gui.widgets.column_toggle import ColumnToggle
from cnnviz.gui.widgets.field import Field
from cnnviz.gui.widgets.grid_board import GridBoard
from cnnviz.gui.widgets.labeled_grid import LabeledGrid
from cnnviz.gui.widgets.legend import Legend
from cnnviz.gui.widgets.pair_spin import PairSpin
from cnnviz.gui.widgets.scroll_column import ScrollColumn
from cnnviz.gui.widgets.step_bar import StepBar

MAX_CHANNELS = 3


def window_marks(step, channel: int) -> dict[tuple[int, int], str]:
    """Highlights of one input channel for a step: its window, the gaps a dilation leaves
    inside the window's span, and (max pooling) the winning cell."""
    cells = [(r, c) for (ch, r, c) in step.cells if ch == channel]
    if not cells:
        return {}
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    marks = {
        (r, c): "gap"
        for r in range(min(rows), max(rows) + 1)
        for c in range(min(cols), max(cols) + 1)
    }
    marks.update({cell: "window" for cell in cells})
    winner = getattr(step, "winner", None)
    if winner is not None and winner[0] == channel:
        marks[winner[1:]] = "winner"
    return marks


class GridLessonPage(Page):
    """Base of a step-through lesson on editable grids. Subclasses build and show plans."""

    steps_through = True
    edits_grids = True
    example_prefix = ""  # the ids of its shipped examples (cnnviz.core.examples): "conv", ...
    # a lesson file's state ⇄ a preset (cnnviz.core.examples): (preset, step) -> dict and
    # state -> (preset, step); the page's current state is a preset too (current_preset)
    state_of = None
    preset_of_state = None
    legend_keys: tuple = ("window", "padding", "current", "reader")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rng = np.random.default_rng()
        self.inputs = np.zeros((1, 4, 4))
        self.plan = None
        self._showing_plan = False  # recompute is putting a new plan on screen
        self.input_grids: list[LabeledGrid] = []
        self.output_grids: list[LabeledGrid] = []
        self.fields: dict[str, Field] = {}
        self._hover: tuple[int, list] = (-1, [])  # output grid, cells reading the hovered cell

        self.preset_box = QComboBox()
        self.preset_box.setToolTip("Load a ready-made example; the lecture's come first")
        self.preset_box.addItem("Choose an example…")
        for preset in self.presets:
            self.preset_box.addItem(preset.name)
        self.preset_box.activated.connect(self._on_preset_chosen)
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        named(self.preset_note, "presetNote")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        self.size_spin = PairSpin((4, 4), 1, MAX_SIDE, "input size")
        self.size_spin.setToolTip(f"Rows × columns of the input, 1 to {MAX_SIDE} each")
        self.size_spin.changed.connect(self._on_size_changed)
        self.channel_spin = QSpinBox()
        self.channel_spin.setRange(1, MAX_CHANNELS)
        self.channel_spin.setToolTip("Number of input channels (1–3), shown as stacked grids")
        self.channel_spin.valueChanged.connect(self._on_channels_changed)
        self.add_field("size", "Input size", self.size_spin)
        self.add_field("channels", "Channels", self.channel_spin)

        self.step_bar = StepBar()
        self.step_bar.index_changed.connect(self._show_step)
        self.arithmetic = QLabel()
        named(self.arithmetic, "arithmetic")
        self.arithmetic.setWordWrap(True)
        self.arithmetic.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formula = QLabel()
        named(self.formula, "formula")
        self.formula.setWordWrap(True)
        self.hint = QLabel()  # one line high, empty or not: hovering never resizes the grids
        named(self.hint, "hint")
        self.grid_error = Field(QWidget())
        # the board gives the grids the largest cells that fit it (see GridBoard)
        self.grid_area = GridBoard()
        self.grid_layout = self.grid_area.grid

    # -- layout helpers used by subclasses ------------------------------------------------------
    def add_field(self, key: str, label: str, control: QWidget) -> Field:
        field = Field(control)
        self.fields[key] = field
        self.form.addRow(label, field)
        return field

    def assemble(self) -> None:
        """Put the shared parts together once the subclass has added its controls."""
        settings = QGroupBox("Settings")
        settings_layout = QVBoxLayout(settings)
        settings_layout.addLayout(self.form)
        buttons = QGridLayout()
        for i, (text, tip, slot) in enumerate(
            (
                ("Randomize", "Fill the input with random whole numbers", self.randomize),
                ("Clear", "Set every input cell to 0", self.clear),
                (
                    "Paste",
                    "Paste numbers (tab, space or comma separated) into the grid that has "
                    "focus, or the first input grid (Ctrl+Shift+V)",
                    self.paste,
                ),
                (
                    "Copy output",
                    "Copy the output grid as tab-separated text (Ctrl+Shift+C)",
                    self.copy_output,
                ),
            )
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button, i // 2, i % 2)
        settings_layout.addLayout(buttons)
        settings_layout.addStretch(1)
        settings_layout.addWidget(Legend(self.legend_keys))
        # scrolls when the window is short: never squeezes the legend or grows the window
        self.settings_scroll = ScrollColumn(settings, least=0, most=400)
        self.settings_toggle = ColumnToggle(self.settings_scroll, type(self).__name__)

        top = QHBoxLayout()
        top.addWidget(self.settings_toggle)
        top.addWidget(QLabel("Example:"))
        top.addWidget(self.preset_box)
        top.addWidget(self.preset_note, 1)

        centre = QVBoxLayout()
        centre.addWidget(self.grid_area, 1)
        centre.addWidget(self.grid_error)
        centre.addWidget(self.hint)
        middle = QHBoxLayout()
        middle.addWidget(self.settings_scroll)
        middle.addLayout(centre, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.step_bar)
        layout.addWidget(self.arithmetic)
        layout.addWidget(self.formula)

    def clear_grid_area(self, keep=()) -> None:
        """Take every widget out of the grid area; those not in ``keep`` are deleted. The
        window is painted once the grids made next have been laid out."""
        hold_repaints(self)
        while self.grid_layout.count():
            widget = self.grid_layout.takeAt(0).widget()
            if widget is not None and widget not in keep:
                widget.hide()
                widget.deleteLater()

    def make_grid(self, title: str, editable: bool) -> LabeledGrid:
        grid = LabeledGrid(title, editable)
        if editable:
            grid.view.setContextMenuPolicy(Qt.CustomContextMenu)
            grid.view.customContextMenuRequested.connect(
                lambda pos, g=grid: self._grid_menu(g, pos)
            )
        return grid

    # -- plans ----------------------------------------------------------------------------------
    def build_plan(self):
        """Return a new plan from the current state (raise ``ValueError`` when invalid)."""
        raise NotImplementedError

    def show_plan(self) -> None:
        """Put ``self.plan`` into the grids and titles."""
        raise NotImplementedError

    def describe(self, step) -> str:
        """The step's arithmetic, written out for the label under the grids."""
        raise NotImplementedError

    def show_step(self, step) -> None:
        """Highlight one step's window on the inputs and its cell on the outputs."""
        for ch, grid in enumerate(self.input_grids):
            marks = window_marks(step, ch)
            grid.model.set_highlights(marks)
            if marks:  # keep the window in sight on grids too large for the screen
                grid.view.scrollTo(grid.model.index(*max(marks)))
                grid.view.scrollTo(grid.model.index(*min(marks)))
        self.highlight_outputs(step)
        self.arithmetic.setText(self.describe(step))

    def highlight_outputs(self, step) -> None:
        """Current cell, cells not computed yet (greyed) and readers of the hovered cell."""
        per_grid = len(self.plan) // len(self.output_grids)
        hover_channel, readers = self._hover
        for k, grid in enumerate(self.output_grids):
            marks = {cell: "reader" for cell in readers} if hover_channel == k else {}
            local = step.index - k * per_grid
            if 0 <= local < per_grid:
                marks[(step.row, step.col)] = "current"
                grid.view.scrollTo(grid.model.index(step.row, step.col))
            pending = -1 if local < 0 else (None if local >= per_grid else local)
            grid.model.set_highlights(marks, pending)

    def output_channel(self, input_channel: int) -> int:
        """Which output grid an input channel feeds (pooling: its own; convolution: the one)."""
        return input_channel if len(self.output_grids) > 1 else 0

    def wire_grids(self, inputs: list, outputs: list) -> None:
        """Connect edits, hovering and clicks of freshly made input and output grids."""
        for ch, grid in enumerate(inputs):
            self.connect_input_edits(grid, ch)
            grid.view.cell_hovered.connect(lambda r, c, k=ch: self._on_input_hovered(k, r, c))
            grid.view.hover_left.connect(self._on_hover_left)
        for ch, grid in enumerate(outputs):
            grid.view.cell_clicked.connect(lambda r, c, k=ch: self._on_output_clicked(k, r, c))

    def _on_output_clicked(self, channel: int, row: int, col: int) -> None:
        if self.plan is None:
            return
        self.step_bar.stop()
        self.step_bar.set_index(self.plan.step_at(row, col, channel))

    def _on_input_hovered(self, channel: int, row: int, col: int) -> None:
        if self.plan is None or self._showing_plan:
            return
        readers = self.plan.readers(row, col)
        self._hover = (self.output_channel(channel), readers)
        where = "padding cell" if self.plan.padding_mask[row, col] else "input cell"
        n = len(readers)
        self.hint.setText(
            f"This {where} is read by {n} output cell{'s' if n != 1 else ''} (green)."
            if n
            else f"No output cell reads this {where}."
        )
        self.highlight_outputs(self.plan[self.step_bar.index])

    def _on_hover_left(self) -> None:
        self._hover = (-1, [])
        self.hint.setText("")
        if self.plan is not None and not self._showing_plan:
            self.highlight_outputs(self.plan[self.step_bar.index])

    def field_for(self, message: str) -> Field:
        """The control an engine message is about: the parameter it starts with, else the
        first it names."""
        keys = [k for k in ("dilation", "stride", "padding", "bias", "kernel") if k in self.fields]
        head = message.split(" (")[0]
        for match in (lambda k: message.startswith(k), lambda k: f" {k}" in head):
            for key in keys:
                if match(key):
                    return self.fields[key]
        return self.fields["size"]

    def recompute(self, step_index: int | None = None) -> bool:
        """Build a plan from the current state; on failure keep the last good one."""
        try:
            plan = self.build_plan()
        except ValueError as exc:
            self.clear_errors()
            self.field_for(str(exc)).set_error(f"{exc}. The last valid result stays on screen.")
            return False
        self.clear_errors()
        self.plan = plan
        # until the step bar has the new plan's steps, its index may be past them: a grid
        # hidden or made under the mouse meanwhile reports hovering that must wait
        self._showing_plan = True
        try:
            self.show_plan()
            self.grid_area.fit()  # titles and grid sizes have changed
            self.step_bar.set_count(len(plan), step_index)
        finally:
            self._showing_plan = False
        return True

    def clear_errors(self) -> None:
        for field in self.fields.values():
            field.set_error(None)
        self.grid_error.set_error(None)

    def errors(self) -> list[str]:
        """Every inline message now shown (for tests and the status bar)."""
        fields = list(self.fields.values()) + [self.grid_error]
        return [f.error_text() for f in fields if f.error_text()]

    def _show_step(self, index: int) -> None:
        if self.plan is not None and len(self.plan):
            self.show_step(self.plan[index])

    # -- editing ----------------------------------------------------------------------------------
    def connect_input_edits(self, grid: LabeledGrid, channel: int) -> None:
        grid.model.cell_edit_requested.connect(
            lambda r, c, text, ch=channel: self._on_input_edited(ch, r, c, text)
        )

    def _on_input_edited(self, channel: int, row: int, col: int, text: str) -> None:
        self.edit_cell(self.inputs, "input", channel, row, col, text)

    def edit_cell(
        self, grids: np.ndarray, what: str, channel: int, row: int, col: int, text: str
    ) -> None:
        """Put a typed number into ``grids[channel, row, col]``; refuse bad text inline."""
        try:
            value = parse_number(text, f"{what} row {row + 1}, column {col + 1}")
        except ValueError as exc:
            message = str(exc)
            self.grid_error.set_error(
                f"{message[0].upper()}{message[1:]}. The cell keeps its value."
            )
            return
        if not (channel < grids.shape[0] and row < grids.shape[1] and col < grids.shape[2]):
            # the grids still show the last plan that worked, larger than the settings now ask
            _, h, w = grids.shape
            self.grid_error.set_error(
                f"The {what} is {h}×{w} now: row {row + 1}, column "
                f"{col + 1} is outside it. Fix the setting marked in red "
                "first."
            )
            return
        grids[channel, row, col] = value
        self.recompute()

    def _on_size_changed(self, size) -> None:
        self.inputs = np.stack([resized(ch, *size) for ch in self.inputs])
        self.recompute()

    def _on_channels_changed(self, count: int) -> None:
        c, h, w = self.inputs.shape
        if count > c:
            extra = self.rng.integers(0, 10, size=(count - c, h, w)).astype(float)
            self.inputs = np.concatenate([self.inputs, extra])
        else:
            self.inputs = self.inputs[:count]
        self.channels_changed(count)
        self.recompute()

    def channels_changed(self, count: int) -> None:
        """Subclasses grow or shrink their per-channel state here."""

    def set_inputs(self, inputs: np.ndarray) -> None:
        """Replace the whole input ([C, H, W]) and update the size controls to match."""
        self.inputs = np.array(inputs, dtype=np.float64)
        c, h, w = self.inputs.shape
        self.size_spin.set_value((h, w))  # set_value emits nothing
        self.channel_spin.blockSignals(True)
        self.channel_spin.setValue(c)
        self.channel_spin.blockSignals(False)
        self.channels_changed(c)

    # -- the Step menu --------------------------------------------------------------------------
    def stepper(self):
        return self.step_bar

    def shutdown(self) -> None:
        self.step_bar.stop()

    # -- the Edit menu and the grid's context menu ------------------------------------------------
    def randomize(self) -> None:
        self.inputs = self.rng.integers(0, 10, size=self.inputs.shape).astype(float)
        self.recompute()

    def clear(self) -> None:
        self.inputs = np.zeros_like(self.inputs)
        self.recompute()

    def paste(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        """Paste a grid into the focused grid (or input channel 1); False with a message if bad."""
        try:
            grid = parse_grid(text)
        except ValueError as exc:
            self.grid_error.set_error(f"Cannot paste: {exc}.")
            return False
        return self.accept_pasted(grid)

    def accept_pasted(self, grid: np.ndarray) -> bool:
        channel = next((i for i, g in enumerate(self.input_grids) if g.view.hasFocus()), 0)
        inputs = np.stack([resized(ch, *grid.shape) for ch in self.inputs])
        inputs[channel] = grid
        old = self.inputs
        self.set_inputs(inputs)
        if not self.recompute():
            self.set_inputs(old)
            return False
        return True

    def copy_output(self) -> str:
        if self.plan is None:
            return ""
        out = self.plan.output
        text = "\n\n".join(format_grid(ch) for ch in out) if out.ndim == 3 else format_grid(out)
        QGuiApplication.clipboard().setText(text)
        self.hint.setText("Output copied to the clipboard.")
        return text

    def _grid_menu(self, grid: LabeledGrid, pos) -> None:
        menu = QMenu(self)
        h, w = self.inputs.shape[1:]
        for text, size in (
            ("Add row", (h + 1, w)),
            ("Remove row", (h - 1, w)),
            ("Add column", (h, w + 1)),
            ("Remove column", (h, w - 1)),
        ):
            action = QAction(text, menu)
            action.setEnabled(1 <= size[0] <= MAX_SIDE and 1 <= size[1] <= MAX_SIDE)
            action.triggered.connect(lambda _=False, s=size: self.resize_input(s))
            menu.addAction(action)
        menu.addSeparator()
        for text, slot in (
            ("Paste", self.paste),
            ("Randomize", self.randomize),
            ("Clear", self.clear),
        ):
            menu.addAction(text, slot)
        menu.popup(grid.view.viewport().mapToGlobal(pos))

    def resize_input(self, size: tuple[int, int]) -> None:
        self.size_spin.set_value(size)
        self._on_size_changed(size)

    # -- presets ----------------------------------------------------------------------------------
    @property
    def presets(self) -> tuple:
        """The page's shipped examples (lesson files, read once)."""
        return example_presets(self.example_prefix) if self.example_prefix else ()

    def load_first_example(self) -> None:
        """Open on the first shipped example; when the files are damaged or missing, on the
        page's own starting values, with the reason in the example note."""
        if self.presets:
            self.load_preset(0)
        else:
            self.recompute(step_index=0)
        problems = example_problems(self.example_prefix) if self.example_prefix else {}
        if problems:
            self.preset_note.setText(" ".join(f"{text}." for text in problems.values()))

    def _on_preset_chosen(self, index: int) -> None:
        if index > 0:
            self.load_preset(index - 1)

    def load_preset(self, index: int) -> None:
        preset = self.presets[index]
        self.preset_box.setCurrentIndex(index + 1)
        self.preset_note.setText(preset.description)
        self.step_bar.stop()
        self.apply_preset(preset)
        self.recompute(step_index=0)

    def apply_preset(self, preset) -> None:
        raise NotImplementedError

    # -- lesson files and animations ------------------------------------------------------------
    def current_preset(self):
        """The page's current grids and settings as a preset (named after the example)."""
        raise NotImplementedError

    def example_name(self) -> str:
        index = self.preset_box.currentIndex()
        return self.presets[index - 1].name if index > 0 else ""

    def lesson_title(self) -> str:
        return self.example_name() or self.title

    def lesson_state(self) -> dict:
        return type(self).state_of(self.current_preset(), self.step_bar.index)

    def restore_lesson(self, state: dict) -> None:
        preset, step = type(self).preset_of_state(state)  # ValueError: malformed
        old, old_step = self.current_preset(), self.step_bar.index
        self.step_bar.stop()
        self.apply_preset(preset)
        if not self.recompute(step_index=step):
            reason = "; ".join(self.errors())
            self.apply_preset(old)
            self.recompute(step_index=old_step)
            raise ValueError(f"its settings do not make a valid {self.title.lower()}: {reason}")
        names = [p.name for p in self.presets]
        index = names.index(preset.name) + 1 if preset.name in names else 0
        self.preset_box.setCurrentIndex(index)
        self.preset_note.setText(self.presets[index - 1].description if index else "")

    def step_count(self) -> int:
        return len(self.plan) if self.plan is not None else 0

    def go_to_step(self, index: int) -> None:
        self.step_bar.stop()
        self.step_bar.set_index(index)

    # -- sizing and the settings column --------------------------------------------------------
    def fit_cells(self) -> None:
        """Refit the grids' cells to the grid area (it also refits itself when resized)."""
        self.grid_area.fit()

    def save_settings(self, settings) -> None:
        self.settings_toggle.save(settings)

    def apply_look(self, zoom: float, presenter: bool) -> None:
        """Presenter mode and zoom allow larger cells (their numbers scale with them); presenter
        mode has its own choice of settings column."""
        scale = zoom * (1.35 if presenter else 1.0)
        self.settings_toggle.set_presenter(presenter)
        self.settings_scroll.rescale(scale)
        self.grid_area.set_scale(scale)

    def all_grids(self) -> list[LabeledGrid]:
        return self.input_grids + self.output_grids
