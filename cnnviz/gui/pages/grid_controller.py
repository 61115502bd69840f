"""GridLessonController: the state and rules of a step-through lesson on editable grids.

Qt-free (no PySide6, no pyqtgraph), so it is tested without a display. It holds the lesson's
input (``[C, H, W]`` numpy), the plan on screen (the last one that built), the output cells
that read the hovered input cell and the page's shipped examples; it edits, resizes, fills
and pastes the input, and says in words what went wrong and which control it is about. The
page (:class:`~cnnviz.gui.pages.grid_lesson.GridLessonPage`) builds the plans from its
settings and shows what this holds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnnviz.core.examples import example_presets, example_problems
from cnnviz.core.grid_text import format_grid, parse_grid, parse_number, resized

MAX_CHANNELS = 3
# the parameters an engine message may be about, in the order they are looked for
PARAMETERS = ("dilation", "stride", "padding", "bias", "kernel")


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


def field_key(message: str, keys) -> str:
    """The setting an engine message is about: the parameter it starts with, else the first
    it names, else the input size (``keys``: the settings the page has)."""
    keys = [k for k in PARAMETERS if k in keys]
    head = message.split(" (")[0]
    for match in (lambda k: message.startswith(k), lambda k: f" {k}" in head):
        for key in keys:
            if match(key):
                return key
    return "size"


class GridLessonController:
    """The input grids, the plan built from them and the rules of editing them.

    ``build()`` makes a plan from the page's current state (``ValueError`` when its settings
    make none); ``example_prefix`` names the page's shipped examples ("conv", "pool", ...)."""

    def __init__(self, build: Callable[[], object], example_prefix: str = ""):
        self.build = build
        self.example_prefix = example_prefix
        self.rng = np.random.default_rng()
        self.inputs = np.zeros((1, 4, 4))
        self.plan = None
        # the output grid under the hovered input cell, and the cells of it that read it
        self.hover: tuple[int, list] = (-1, [])

    # -- plans ----------------------------------------------------------------------------------
    def rebuild(self) -> str | None:
        """Build a plan from the current state: None once it is the plan, else why not (the
        last good plan stays)."""
        try:
            self.plan = self.build()
        except ValueError as exc:
            return str(exc)
        return None

    def step_count(self) -> int:
        return len(self.plan) if self.plan is not None else 0

    def output_marks(self, step, grid: int, grids: int) -> tuple[dict, int | None, bool]:
        """Highlights of output grid ``grid`` (of ``grids``) at ``step``: (marks, the last
        cell computed so far (-1: none, None: all), whether the step's cell is in it). The
        readers of the hovered input cell are green, the step's cell is current."""
        per_grid = len(self.plan) // grids
        hover_grid, readers = self.hover
        marks = {cell: "reader" for cell in readers} if hover_grid == grid else {}
        local = step.index - grid * per_grid
        here = 0 <= local < per_grid
        if here:
            marks[(step.row, step.col)] = "current"
        pending = -1 if local < 0 else (None if local >= per_grid else local)
        return marks, pending, here

    # -- hovering -------------------------------------------------------------------------------
    def hover_input(self, output_grid: int, row: int, col: int) -> str:
        """The mouse is on an input cell: remember who reads it; returns the hint to show."""
        readers = self.plan.readers(row, col)
        self.hover = (output_grid, readers)
        where = "padding cell" if self.plan.padding_mask[row, col] else "input cell"
        n = len(readers)
        if not n:
            return f"No output cell reads this {where}."
        return f"This {where} is read by {n} output cell{'s' if n != 1 else ''} (green)."

    def leave_input(self) -> None:
        self.hover = (-1, [])

    # -- editing --------------------------------------------------------------------------------
    @staticmethod
    def edit(grids: np.ndarray, what: str, channel: int, row: int, col: int, text: str):
        """Put a typed number into ``grids[channel, row, col]``: None once it is there, else
        why it was refused (the cell keeps its value)."""
        try:
            value = parse_number(text, f"{what} row {row + 1}, column {col + 1}")
        except ValueError as exc:
            message = str(exc)
            return f"{message[0].upper()}{message[1:]}. The cell keeps its value."
        if not (channel < grids.shape[0] and row < grids.shape[1] and col < grids.shape[2]):
            # the grids still show the last plan that worked, larger than the settings now ask
            _, h, w = grids.shape
            return (
                f"The {what} is {h}×{w} now: row {row + 1}, column "
                f"{col + 1} is outside it. Fix the setting marked in red "
                "first."
            )
        grids[channel, row, col] = value
        return None

    def resize(self, size: tuple[int, int]) -> None:
        """Every channel cut or grown (with zeros) to ``size`` rows × columns."""
        self.inputs = np.stack([resized(ch, *size) for ch in self.inputs])

    def set_channel_count(self, count: int) -> None:
        """Drop channels from the end, or add channels of random whole numbers."""
        c, h, w = self.inputs.shape
        if count > c:
            extra = self.rng.integers(0, 10, size=(count - c, h, w)).astype(float)
            self.inputs = np.concatenate([self.inputs, extra])
        else:
            self.inputs = self.inputs[:count]

    def randomize(self) -> None:
        self.inputs = self.rng.integers(0, 10, size=self.inputs.shape).astype(float)

    def clear(self) -> None:
        self.inputs = np.zeros_like(self.inputs)

    def pasted(self, text: str, channel: int) -> np.ndarray:
        """The input with ``text`` (a grid of numbers) pasted into ``channel``: every channel
        takes the pasted grid's size. ``ValueError`` saying why it cannot be pasted."""
        try:
            grid = parse_grid(text)
        except ValueError as exc:
            raise ValueError(f"Cannot paste: {exc}.") from None
        inputs = np.stack([resized(ch, *grid.shape) for ch in self.inputs])
        inputs[channel] = grid
        return inputs

    def output_text(self) -> str:
        """The output grid(s) as tab-separated text ("" before any plan)."""
        if self.plan is None:
            return ""
        out = self.plan.output
        return "\n\n".join(format_grid(ch) for ch in out) if out.ndim == 3 else format_grid(out)

    # -- shipped examples -----------------------------------------------------------------------
    @property
    def presets(self) -> tuple:
        """The page's shipped examples (lesson files, read once)."""
        return example_presets(self.example_prefix) if self.example_prefix else ()

    def problems_text(self) -> str:
        """Why shipped examples that should be there could not be read ("" when none)."""
        problems = example_problems(self.example_prefix) if self.example_prefix else {}
        return " ".join(f"{text}." for text in problems.values())

    def preset_index(self, name: str) -> int | None:
        """The index of the shipped example called ``name``, None when none is."""
        names = [p.name for p in self.presets]
        return names.index(name) if name in names else None
