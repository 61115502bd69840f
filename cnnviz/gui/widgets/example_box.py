"""ExampleBox: the list of a lesson's shipped examples, "Choose an example…" first."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox


class ExampleBox(QComboBox):
    """Chooses one of the examples named ``names``; "Choose an example…" when the lesson
    shows none of them."""

    example_chosen = Signal(int)  # the index of the example the user picked

    def __init__(self, names, parent=None):
        super().__init__(parent)
        self.setToolTip("Load a ready-made example; the lecture's come first")
        self.addItem("Choose an example…")
        for name in names:
            self.addItem(name)
        self.activated.connect(self._on_activated)

    def _on_activated(self, item: int) -> None:
        if item > 0:
            self.example_chosen.emit(item - 1)

    def example_index(self) -> int | None:
        """The example shown, None when none is."""
        item = self.currentIndex()
        return item - 1 if item > 0 else None

    def show_example(self, index: int | None) -> None:
        """Say that example ``index`` is shown (None: none of them); emits nothing."""
        self.setCurrentIndex(0 if index is None else index + 1)
