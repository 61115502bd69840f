"""ModelSourceBox: where the network a page uses comes from (Draw, Trace and One step pages)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from cnnviz.gui.widgets.source_choice import SOURCES


class ModelSourceBox(QComboBox):
    """The sources in one list; ``set_in_use`` names the source in use however it was
    chosen (a menu, another page, a failed choice falling back) without re-choosing it.
    ``extra`` entries of a page's own follow the sources (whose indices stay those of
    :mod:`~cnnviz.gui.widgets.source_choice`)."""

    def __init__(self, tooltip: str, parent=None, extra: tuple[str, ...] = ()):
        super().__init__(parent)
        self.addItems([*SOURCES, *extra])
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(14)
        self.setToolTip(tooltip)

    def set_in_use(self, index: int) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(index)
        self.blockSignals(False)
