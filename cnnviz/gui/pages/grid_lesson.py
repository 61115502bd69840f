"""GridLessonPage: the views the convolution, pooling and other grid lessons share.

The lesson's state and rules (its editable input, ``[C, H, W]`` numpy, and the *plan* built
from the core, ``ConvPlan`` / ``PoolPlan`` / ...) live in a Qt-free
:class:`~cnnviz.gui.pages.grid_controller.GridLessonController`; the page holds the controls
and grids, forwards what the user does to it and shows its plan; the step bar walks the plan's
steps. The page never computes arithmetic itself. A plan that fails to build leaves the last
good one on screen and puts the reason next to the control it is about.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.grid_text import MAX_SIDE
from cnnviz.gui.appearance.look import named
from cnnviz.gui.appearance.repaint_hold import hold_repaints
from cnnviz.gui.pages.base import Page
from cnnviz.gui.pages.grid_controller import (
    MAX_CHANNELS,
    GridLessonController,
    field_key,
    window_marks,
)
from cnnviz.gui.widgets.column_toggle import ColumnToggle
from cnnviz.gui.widgets.example_box import ExampleBox
from cnnviz.gui.widgets.field import Field
from cnnviz.gui.widgets.grid_board import GridBoard
from cnnviz.gui.widgets.grid_menu import input_grid_menu
from cnnviz.gui.widgets.labeled_grid import LabeledGrid
from cnnviz.gui.widgets.pair_spin import PairSpin
from cnnviz.gui.widgets.scroll_column import ScrollColumn
from cnnviz.gui.widgets.settings_box import SettingsBox
from cnnviz.gui.widgets.step_bar import StepBar


def note_label(name: str) -> QLabel:
    """A label of wrapped text, styled by its object ``name`` (see cnnviz.gui.appearance.look)."""
    label = QLabel()
    named(label, name)
    label.setWordWrap(True)
    return label


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
    stage = ("grid_area", ("arithmetic", "formula"))  # an animation frame's (see stage_parts)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lesson = self.make_controller()
        self._showing_plan = False  # recompute is putting a new plan on screen
        self.input_grids: list[LabeledGrid] = []
        self.output_grids: list[LabeledGrid] = []
        self.settings_box = SettingsBox()
        self.fields = self.settings_box.fields

        self.preset_box = ExampleBox([preset.name for preset in self.presets])
        self.preset_box.example_chosen.connect(self.load_preset)
        self.preset_note = note_label("presetNote")
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
        self.arithmetic = note_label("arithmetic")
        self.arithmetic.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formula = note_label("formula")
        self.hint = QLabel()  # one line high, empty or not: hovering never resizes the grids
        named(self.hint, "hint")
        self.grid_error = Field(QWidget())
        # the board gives the grids the largest cells that fit it (see GridBoard)
        self.grid_area = GridBoard()
        self.grid_layout = self.grid_area.grid

    def make_controller(self) -> GridLessonController:
        """The lesson's state and rules (subclasses with more state make their own kind)."""
        return GridLessonController(self.build_plan, self.example_prefix)

    @property
    def inputs(self) -> np.ndarray:
        """The lesson's input, ``[C, H, W]``."""
        return self.lesson.inputs

    @inputs.setter
    def inputs(self, value: np.ndarray) -> None:
        self.lesson.inputs = value

    @property
    def plan(self):
        """The plan on screen: the last one that built (None before the first)."""
        return self.lesson.plan

    # -- layout helpers used by subclasses ------------------------------------------------------
    def add_field(self, key: str, label: str, control: QWidget) -> Field:
        return self.settings_box.add_field(key, label, control)

    def assemble(self) -> None:
        """Put the shared parts together once the subclass has added its controls."""
        self.settings_box.finish(
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
            ),
            self.legend_keys,
        )
        # scrolls when the window is short: never squeezes the legend or grows the window
        self.settings_scroll = ScrollColumn(self.settings_box, least=0, most=400)
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
        for k, grid in enumerate(self.output_grids):
            marks, pending, here = self.lesson.output_marks(step, k, len(self.output_grids))
            if here:
                grid.view.scrollTo(grid.model.index(step.row, step.col))
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
        self.hint.setText(self.lesson.hover_input(self.output_channel(channel), row, col))
        self.highlight_outputs(self.plan[self.step_bar.index])

    def _on_hover_left(self) -> None:
        self.lesson.leave_input()
        self.hint.setText("")
        if self.plan is not None and not self._showing_plan:
            self.highlight_outputs(self.plan[self.step_bar.index])

    def field_for(self, message: str) -> Field:
        """The settings row an engine message is about (see :func:`field_key`)."""
        return self.fields[field_key(message, self.fields)]

    def recompute(self, step_index: int | None = None) -> bool:
        """Build a plan from the current state; on failure keep the last good one."""
        problem = self.lesson.rebuild()
        self.clear_errors()
        if problem is not None:
            self.field_for(problem).set_error(f"{problem}. The last valid result stays on screen.")
            return False
        # until the step bar has the new plan's steps, its index may be past them: a grid
        # hidden or made under the mouse meanwhile reports hovering that must wait
        self._showing_plan = True
        try:
            self.show_plan()
            self.grid_area.fit()  # titles and grid sizes have changed
            self.step_bar.set_count(len(self.plan), step_index)
        finally:
            self._showing_plan = False
        return True

    def clear_errors(self) -> None:
        self.settings_box.clear_errors()
        self.grid_error.set_error(None)

    def errors(self) -> list[str]:
        """Every inline message now shown (for tests and the status bar)."""
        return self.settings_box.errors() + [t for t in (self.grid_error.error_text(),) if t]

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
        problem = self.lesson.edit(grids, what, channel, row, col, text)
        if problem is not None:
            self.grid_error.set_error(problem)
            return
        self.recompute()

    def _on_size_changed(self, size) -> None:
        self.lesson.resize(size)
        self.recompute()

    def _on_channels_changed(self, count: int) -> None:
        self.lesson.set_channel_count(count)
        self.channels_changed(count)
        self.recompute()

    def channels_changed(self, count: int) -> None:
        """Subclasses grow or shrink their per-channel state here."""

    def set_inputs(self, inputs: np.ndarray) -> None:
        """Replace the whole input ([C, H, W]) and update the size controls to match."""
        self.inputs = np.array(inputs, dtype=np.float64)
        c, h, w = self.inputs.shape
        self.size_spin.set_value((h, w))  # set_value emits nothing
        with QSignalBlocker(self.channel_spin):
            self.channel_spin.setValue(c)
        self.channels_changed(c)

    # -- the Step menu --------------------------------------------------------------------------
    def stepper(self):
        return self.step_bar

    def shutdown(self) -> None:
        self.step_bar.stop()

    # -- the Edit menu and the grid's context menu ------------------------------------------------
    def randomize(self) -> None:
        self.lesson.randomize()
        self.recompute()

    def clear(self) -> None:
        self.lesson.clear()
        self.recompute()

    def paste(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        """Paste a grid into the focused grid (or input channel 1); False with a message if bad."""
        channel = next((i for i, g in enumerate(self.input_grids) if g.view.hasFocus()), 0)
        try:
            inputs = self.lesson.pasted(text, channel)
        except ValueError as exc:
            self.grid_error.set_error(str(exc))
            return False
        old = self.inputs
        self.set_inputs(inputs)
        if not self.recompute():
            self.set_inputs(old)
            return False
        return True

    def copy_output(self) -> str:
        if text := self.lesson.output_text():
            QGuiApplication.clipboard().setText(text)
            self.hint.setText("Output copied to the clipboard.")
        return text

    def _grid_menu(self, grid: LabeledGrid, pos) -> None:
        actions = (("Paste", self.paste), ("Randomize", self.randomize), ("Clear", self.clear))
        menu = input_grid_menu(self, self.inputs.shape[1:], MAX_SIDE, self.resize_input, actions)
        menu.popup(grid.view.viewport().mapToGlobal(pos))

    def resize_input(self, size: tuple[int, int]) -> None:
        self.size_spin.set_value(size)
        self._on_size_changed(size)

    # -- presets ----------------------------------------------------------------------------------
    @property
    def presets(self) -> tuple:
        """The page's shipped examples (lesson files, read once)."""
        return self.lesson.presets

    def load_first_example(self) -> None:
        """Open on the first shipped example; when the files are damaged or missing, on the
        page's own starting values, with the reason in the example note."""
        if self.presets:
            self.load_preset(0)
        else:
            self.recompute(step_index=0)
        if problems := self.lesson.problems_text():
            self.preset_note.setText(problems)

    def load_preset(self, index: int) -> None:
        preset = self.presets[index]
        self.preset_box.show_example(index)
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
        index = self.preset_box.example_index()
        return self.presets[index].name if index is not None else ""

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
        index = self.lesson.preset_index(preset.name)
        self.preset_box.show_example(index)
        self.preset_note.setText(self.presets[index].description if index is not None else "")

    def step_count(self) -> int:
        return self.lesson.step_count()

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
