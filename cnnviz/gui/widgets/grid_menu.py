"""The context menu of an editable input grid: grow or shrink it, paste, randomize, clear."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget


def input_grid_menu(
    parent: QWidget,
    size: tuple[int, int],
    largest: int,
    resize: Callable[[tuple[int, int]], None],
    actions: tuple[tuple[str, Callable], ...],
) -> QMenu:
    """A menu to add or remove a row or a column of a ``size`` grid (each side 1 to
    ``largest``; ``resize(new_size)`` does it), then ``actions``, (text, slot) each."""
    menu = QMenu(parent)
    h, w = size
    for text, new in (
        ("Add row", (h + 1, w)),
        ("Remove row", (h - 1, w)),
        ("Add column", (h, w + 1)),
        ("Remove column", (h, w - 1)),
    ):
        action = QAction(text, menu)
        action.setEnabled(1 <= new[0] <= largest and 1 <= new[1] <= largest)
        action.triggered.connect(lambda _=False, s=new: resize(s))
        menu.addAction(action)
    menu.addSeparator()
    for text, slot in actions:
        menu.addAction(text, slot)
    return menu
