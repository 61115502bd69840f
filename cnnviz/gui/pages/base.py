"""Page: the one interface between the main window and a lesson page.

The main window builds its pages from one list (:data:`cnnviz.gui.pages.PAGES`) and talks to
them only through this class: no ``hasattr`` probes, no method names in strings. Adding a
page is one entry in that list (its title, its menu commands) and a subclass that overrides
what it offers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from cnnviz.gui.pages import entry_of


@dataclass
class PageContext:
    """What the main window lends its pages.

    ``datasets``: the :class:`~cnnviz.gui.data.dataset_controller.DatasetController` (the chosen
    dataset, ``choose(name, options)``); ``request_training_model(callback)``: the model
    being trained, ``callback(source)`` with a :class:`~cnnviz.core.model_source.ModelSource`
    (or None), passed on from the Train page as it is; returns False when there is no run;
    ``show_page(page)``: bring a page forward (named by its class or its entry in
    :data:`~cnnviz.gui.pages.PAGES`, such as ``TRACE``), building it if need be; returns it;
    ``compute``: the window's :class:`~cnnviz.gui.workers.compute_service.ComputeService`
    (None for a page made without a window)."""

    datasets: Any = None
    request_training_model: Callable[[Callable], bool] = lambda callback: False
    show_page: Callable[[Any], Any] = lambda page: None
    compute: Any = None


@dataclass
class Drawing:
    """What the Draw page hands to another page ("Trace this drawing"): the canvas (uint8),
    the exact test image under it if any (``[C, H, W]`` in [0, 1]), and the source of the
    model in use (a :class:`~cnnviz.core.model_source.ModelSource`: it says what it is) with
    its Model-box entry (and that entry's file: path and opened model name, for a lesson
    file)."""

    canvas: Any
    exact: Any = None
    source: Any = None
    source_index: int = 0
    source_file: tuple = (None, None)


class Page(QWidget):
    """A lesson page. Subclasses set the class attributes and override what they offer;
    ``title`` is their entry's in :data:`~cnnviz.gui.pages.PAGES` (written there only)."""

    title = ""
    status_hint = ""
    stage: tuple = ()  # what an animation frame shows: see stage_parts
    steps_through = False  # the Step menu (Space, arrows, Home, End) drives this page
    edits_grids = False  # the Edit menu (paste, copy the output, randomize) acts on it
    uses_dataset = False  # told of every dataset choice through set_dataset
    predicts = False  # offers "Predict first": told of the window's switch (set_predict_first)
    page_shortcuts: tuple[tuple[str, str], ...] = ()  # (keys, what they do) of its own
    status_changed = Signal(str)  # what the page is doing now, for the window's status bar

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        entry = entry_of(cls)
        if entry is not None:
            cls.title = entry.title

    def __init__(self, parent=None):
        super().__init__(parent)
        self.context = PageContext()
        self._status = ""

    def status_text(self) -> str:
        """What the status bar says while the page is shown: what it is doing, else its hint."""
        return self._status or self.status_hint

    def set_status(self, text: str) -> None:
        """Say what the page is doing ("" returns to the hint)."""
        if text != self._status:
            self._status = text
            self.status_changed.emit(self.status_text())

    def attach(self, context: PageContext) -> None:
        """Called once by the main window right after building the page."""
        self.context = context

    # -- the dataset ----------------------------------------------------------------------------
    def set_dataset(self, choice) -> None:
        """The dataset chosen for every page (pages with ``uses_dataset``)."""

    def take_drawing(self, drawing: Drawing) -> None:
        """Another page hands over a drawing and its model (pages that trace or explain)."""

    # -- look and settings ----------------------------------------------------------------------
    def apply_look(self, zoom: float, presenter: bool) -> None:
        """Zoom and presenter mode changed (fonts and style sheet are already applied)."""

    def save_settings(self, settings) -> None:
        """Write this page's preferences into ``settings`` (a QSettings)."""

    def set_predict_first(self, on: bool) -> None:
        """The window's "Predict first" switch (pages with ``predicts``): while on, the page
        asks for a prediction before it shows a result; off, it shows everything at once."""

    # -- closing --------------------------------------------------------------------------------
    def can_close(self, confirm: Callable[[], str]) -> bool:
        """May the window close? ``confirm()`` asks the user: "save", "discard" or "cancel"."""
        return True

    def shutdown(self) -> None:
        """The window is closing: stop workers and timers (never wait silently)."""

    def busy_text(self) -> str:
        """What this page is still finishing (shown while the window waits), or ""."""
        return ""

    # -- the Step menu ----------------------------------------------------------------------------
    def stepper(self):
        """The :class:`~cnnviz.gui.widgets.step_bar.StepBar` the Step menu drives on this page
        (pages with ``steps_through``), or None."""
        return None

    def play_pause(self) -> None:
        """Space."""
        if (bar := self.stepper()) is not None:
            bar.toggle_play()

    def next_step(self) -> None:
        """→."""
        if (bar := self.stepper()) is not None:
            bar.advance()

    def previous_step(self) -> None:
        """←."""
        if (bar := self.stepper()) is not None:
            bar.previous()

    def first_step(self) -> None:
        """Home."""
        if (bar := self.stepper()) is not None:
            bar.first_step()

    def last_step(self) -> None:
        """End."""
        if (bar := self.stepper()) is not None:
            bar.last_step()

    # -- lesson files and animations ------------------------------------------------------------
    def lesson_state(self) -> dict | None:
        """The page's whole state as plain JSON data (grids, parameters, current step) for a
        lesson file, or None when the page has nothing to save beyond being the one shown."""
        return None

    def restore_lesson(self, state: dict) -> None:
        """Take a state made by :meth:`lesson_state`; ``ValueError`` (and the page unchanged)
        when it cannot."""

    def restoring(self) -> bool:
        """A lesson just restored is still loading in the page's workers (its steps are not
        known yet: an animation of it waits)."""
        return False

    def step_count(self) -> int:
        """How many steps an animation of this page has (0: it exports no animation)."""
        return 0

    def animates(self) -> bool:
        """Whether this page can export an animation at all (it has a step-through)."""
        return type(self).step_count is not Page.step_count

    def no_steps_text(self) -> str:
        """Why there is nothing to animate now (an animating page with no steps yet)."""
        return f"The {self.title} page has no steps to animate."

    def go_to_step(self, index: int) -> None:
        """Show step ``index`` (0-based) as the Step menu would."""

    def frame_widget(self) -> QWidget:
        """What an animation frame shows (the whole page unless a page says otherwise)."""
        return self

    def stage_parts(self, code: bool = False):
        """What an animation frame shows on a stage of its own (cnnviz.gui.export.stage), as
        (board, labels under it), named by the class's ``stage``: (board, label attributes),
        and the PyTorch line when ``code``. None (no ``stage``): the frame is
        :meth:`frame_widget` as the page lays it out. For an export's own copy of the page:
        the stage takes these widgets, and the page, never shown, goes on filling them."""
        if not self.stage:
            return None
        board, names = self.stage
        labels = [getattr(self, name) for name in names]
        code_line = getattr(self, "code_line", None)
        if code and code_line is not None:
            labels.append(code_line.label)
        return getattr(self, board), labels

    def figures(self) -> list[tuple[str, QWidget]]:
        """The figures a lecturer may take away (File → Export figure, Copy figure): a
        diagram, a plot, a feature-map grid, as (name, widget); none by default."""
        return []

    def lesson_title(self) -> str:
        """A few words naming what the page shows now (a title frame, a recent-lessons entry)."""
        return self.title

    # -- the Edit menu ----------------------------------------------------------------------------
    def paste(self) -> None:
        """Paste numbers from the clipboard into the input grid."""

    def copy_output(self) -> str:
        """Copy the output grid to the clipboard; returns the text."""
        return ""

    def randomize(self) -> None:
        """Random numbers in the input grid."""


class LoadingPlaceholder(Page):
    """Stands in for a page until it is built: says so, with a busy bar (and offers nothing
    to the Step and Edit menus)."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = title
        self.label = QLabel(f"Loading {title}…")
        self.label.setAlignment(Qt.AlignCenter)
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setFixedWidth(240)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(bar, 0, Qt.AlignHCenter)
        layout.addStretch(1)
