"""One page per lesson, and the one list the main window builds them from.

This module imports neither Qt nor the pages: the window's list of lessons and its menus are
made from it before any page module (some import PyTorch) is imported. A page's title is
written here only (:class:`~cnnviz.gui.pages.base.Page` takes it from its entry), and so are
the menu commands a page adds to the window: each is declared with the entry, as a function
of the built page, and the window runs it once that page has been built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PageCommand:
    """A menu command a page contributes: its place (``menu``, and ``group`` within it: the
    window's menus say where each group goes), text, shortcut and status tip, and ``run``,
    called with the built page."""

    menu: str
    group: str
    text: str
    shortcut: str
    tip: str
    run: Callable[[Any], object]


@dataclass(frozen=True)
class PageEntry:
    """A lesson: its title in the list and menus, where its class lives ("module:Class"),
    whether it needs PyTorch (then it is built once PyTorch has been imported in the
    background, so the window never waits for that import), and its menu commands."""

    title: str
    target: str
    needs_torch: bool = True
    commands: tuple[PageCommand, ...] = ()

    def load(self):
        """The page class (imports its module)."""
        import importlib

        module, name = self.target.split(":")
        return getattr(importlib.import_module(module), name)

    def names(self, page_class: type) -> bool:
        """Whether ``page_class`` is this entry's class (without importing its module)."""
        return self.target == f"{page_class.__module__}:{page_class.__qualname__}"


ARCHITECTURE = PageEntry(
    "Architecture",
    "cnnviz.gui.pages.architecture_page:ArchitecturePage",
    commands=(
        PageCommand(
            "File",
            "open",
            "&Open model…",
            "Ctrl+O",
            "Load an nn.Module from a .py file (its imports and definitions run, not its "
            "data loading or training)",
            lambda page: page.open_model_dialog(),
        ),
    ),
)
TRAIN = PageEntry(
    "Train",
    "cnnviz.gui.pages.train_page:TrainPage",
    commands=(
        PageCommand(
            "File",
            "open",
            "Open &checkpoint…",
            "",
            "Load a training checkpoint on the Train page; Start continues it",
            lambda page: page.load_dialog(),
        ),
        PageCommand(
            "File",
            "open",
            "&Save checkpoint…",
            "Ctrl+S",
            "Save the training run (weights, optimizer, curves, settings)",
            lambda page: page.save_dialog(),
        ),
        PageCommand(
            "File",
            "export",
            "Export training &metrics as CSV…",
            "",
            "Loss per batch and test accuracy per epoch as a CSV file",
            lambda page: page.export_csv_dialog(),
        ),
    ),
)
DRAW = PageEntry("Draw", "cnnviz.gui.pages.draw_page:DrawPage")
TRACE = PageEntry("Trace", "cnnviz.gui.pages.trace_page:TracePage")
ONE_STEP = PageEntry("One step", "cnnviz.gui.pages.learn_page:LearnPage")

PAGES = (
    PageEntry("Convolution", "cnnviz.gui.pages.conv_page:ConvPage", needs_torch=False),
    PageEntry("Pooling", "cnnviz.gui.pages.pool_page:PoolPage", needs_torch=False),
    ARCHITECTURE,
    TRAIN,
    DRAW,
    TRACE,
    ONE_STEP,
    PageEntry("Backward", "cnnviz.gui.pages.backward_page:BackwardPage", needs_torch=False),
    PageEntry(
        "Transposed convolution",
        "cnnviz.gui.pages.transposed_page:TransposedPage",
        needs_torch=False,
    ),
    PageEntry(
        "Grouped convolution", "cnnviz.gui.pages.grouped_page:GroupedPage", needs_torch=False
    ),
)


def entry_of(page_class: type) -> PageEntry | None:
    """The entry of a page class (None for a class that is no lesson, a base class)."""
    return next((entry for entry in PAGES if entry.names(page_class)), None)


def entry_titled(title: str) -> PageEntry | None:
    """The entry a lesson file names by its title (the one place a title from outside the
    code is read: lesson files keep the titles they were saved with)."""
    return next((entry for entry in PAGES if entry.title == title), None)


def find_entry(page: PageEntry | type | str | int) -> PageEntry:
    """The entry for a page named by its entry or class; a title (a lesson file's) or a
    position in :data:`PAGES` (the lesson list's row, Ctrl+number) is read too. KeyError
    for none."""
    if isinstance(page, PageEntry):
        return page
    if isinstance(page, int):
        return PAGES[page]
    if isinstance(page, str):
        found = entry_titled(page)
    else:
        found = entry_of(page) if isinstance(page, type) else None
    if found is None:
        raise KeyError(f"no lesson page {page!r}")
    return found
