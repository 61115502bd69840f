"""SettingsBox: a lesson's "Settings" group: labelled controls with inline errors, buttons,
and the legend of the cell colours under them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QFormLayout, QGridLayout, QGroupBox, QPushButton, QVBoxLayout, QWidget

from cnnviz.gui.widgets.field import Field
from cnnviz.gui.widgets.legend import Legend


class SettingsBox(QGroupBox):
    """Rows of ``label: control`` (each control a :class:`Field`, keyed by a name), then,
    once :meth:`finish` is called, a grid of buttons and a :class:`Legend`."""

    def __init__(self, parent=None):
        super().__init__("Settings", parent)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        self.fields: dict[str, Field] = {}
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(self.form)

    def add_field(self, key: str, label: str, control: QWidget) -> Field:
        """A row ``label: control``; its error shows under the control."""
        field = Field(control)
        self.fields[key] = field
        self.form.addRow(label, field)
        return field

    def finish(
        self, buttons: Sequence[tuple[str, str, Callable]], legend_keys: Sequence[str]
    ) -> None:
        """Add the buttons, (text, tooltip, slot), two to a row, and the legend at the foot."""
        grid = QGridLayout()
        for i, (text, tip, slot) in enumerate(buttons):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            grid.addWidget(button, i // 2, i % 2)
        self._layout.addLayout(grid)
        self._layout.addStretch(1)
        self._layout.addWidget(Legend(legend_keys))

    def clear_errors(self) -> None:
        for field in self.fields.values():
            field.set_error(None)

    def errors(self) -> list[str]:
        """The inline messages now shown, row by row."""
        return [f.error_text() for f in self.fields.values() if f.error_text()]
