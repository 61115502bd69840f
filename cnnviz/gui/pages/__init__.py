"""One page per lesson, and the one list the main window builds them from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    """A lesson: its title in the list and menus, where its class lives ("module:Class"),
    and whether it needs PyTorch (then it is built once PyTorch has been imported in the
    background, so the window never waits for that import)."""

    title: str
    target: str
    needs_torch: bool = True

    def load(self):
        """The page class (imports its module)."""
        import importlib

        module, name = self.target.split(":")
        return getattr(importlib.import_module(module), name)


PAGES = (
    PageEntry("Convolution", "cnnviz.gui.pages.conv_page:ConvPage", needs_torch=False),
    PageEntry("Pooling", "cnnviz.gui.pages.pool_page:PoolPage", needs_torch=False),
    PageEntry("Architecture", "cnnviz.gui.pages.architecture_page:ArchitecturePage"),
    PageEntry("Train", "cnnviz.gui.pages.train_page:TrainPage"),
    PageEntry("Draw", "cnnviz.gui.pages.draw_page:DrawPage"),
    PageEntry("Trace", "cnnviz.gui.pages.trace_page:TracePage"),
)
