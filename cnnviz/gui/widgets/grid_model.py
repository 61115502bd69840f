"""GridModel: a grid of numbers for a table view, with padding and step highlights."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from cnnviz.core.grid_text import repr_number
from cnnviz.core.ops import format_fixed, format_number
from cnnviz.gui.appearance import theme

INPUT, PADDING, BEYOND = 0, 1, 2
GRID_DECIMALS = 1  # decimals a fractional number shows with (set_decimals changes them)
STYLE_ROLE = Qt.UserRole + 1  # a highlight name: window, gap, winner, current, reader, ...
KIND_ROLE = Qt.UserRole + 2  # INPUT, PADDING or BEYOND

_LOOK_SLOTS = {
    Qt.DisplayRole: 0,
    Qt.BackgroundRole: 1,
    Qt.ForegroundRole: 2,
    STYLE_ROLE: 3,
    KIND_ROLE: 4,
}
_BACKGROUND = {
    "window": theme.WINDOW,
    "gap": theme.GAP,
    "winner": theme.WINNER,
    "current": theme.CURRENT,
    "reader": theme.READER,
    "kernel": theme.KERNEL,
}


class GridModel(QAbstractTableModel):
    """Numbers in a grid; padding cells are marked, editable cells ask the page to change."""

    cell_edit_requested = Signal(int, int, str)  # row, column (input coordinates), text

    def __init__(self, editable: bool = False, parent=None):
        super().__init__(parent)
        self.editable = editable
        self._values = np.zeros((1, 1))
        self._kinds = np.zeros((1, 1), dtype=np.int8)
        self._offset = (0, 0)  # where input row 0, col 0 sits in the shown grid
        self._padding_label = ""
        self._padding_name = ""
        self._highlights: dict[tuple[int, int], str] = {}
        self._pending_after: int | None = None
        self._hidden_from: int | None = None  # "Predict first": cells from here on show "?"
        self._fixed_decimals = GRID_DECIMALS
        self._whole = True
        self._texts: list[list[str]] | None = None  # the painted numbers, made on first paint

    # -- contents -------------------------------------------------------------------------
    def set_values(
        self,
        values: np.ndarray,
        kinds: np.ndarray | None = None,
        padding_label: str = "",
        padding_name: str = "",
    ) -> None:
        """Show ``values`` (2-D); ``kinds`` marks padding (1) and cells beyond it (2)."""
        values = np.asarray(values, dtype=np.float64)
        kinds = np.zeros(values.shape, np.int8) if kinds is None else np.asarray(kinds, np.int8)
        inside = np.argwhere(kinds == INPUT)
        offset = tuple(int(v) for v in inside.min(axis=0)) if len(inside) else (0, 0)
        reshaped = values.shape != self._values.shape
        if reshaped:
            self.beginResetModel()
        self._values, self._kinds, self._offset = values, kinds, offset
        self._texts = None
        self._padding_label, self._padding_name = padding_label, padding_name
        real = values[(kinds == INPUT) & np.isfinite(values)]
        self._whole = bool(np.all(real == np.round(real)))
        if reshaped:
            self._highlights = {}
            self.endResetModel()
        else:
            self._emit_all()

    def set_decimals(self, decimals: int) -> None:
        """Decimals shown for fractional numbers (trained weights want more than one)."""
        self._fixed_decimals = decimals
        self._texts = None
        self._emit_all()

    def set_highlights(
        self, highlights: dict[tuple[int, int], str], pending_after: int | None = None
    ) -> None:
        """Colour cells by role; cells after ``pending_after`` (reading order) are greyed.

        Only the rectangle of cells whose look changed is repainted.
        """
        if highlights == self._highlights and pending_after == self._pending_after:
            return
        changed = {
            cell
            for cell in highlights.keys() | self._highlights.keys()
            if highlights.get(cell) != self._highlights.get(cell)
        }
        rows, cols = self._values.shape
        if pending_after != self._pending_after:
            ends = [
                rows * cols - 1 if p is None else p for p in (pending_after, self._pending_after)
            ]
            first, last = (max(min(ends), -1) + 1) // cols, min(max(ends), rows * cols - 1) // cols
            # None ↔ the last cell: "the cell after" is past the grid; its last row will do
            first = min(first, rows - 1)
            changed |= {(first, 0), (last, cols - 1)}
        self._highlights = dict(highlights)
        self._pending_after = pending_after
        if changed:
            top, bottom = min(r for r, _ in changed), max(r for r, _ in changed)
            left, right = min(c for _, c in changed), max(c for _, c in changed)
            self.dataChanged.emit(self.index(top, left), self.index(bottom, right))

    def set_hidden_from(self, first: int | None) -> None:
        """Hold numbers back ("Predict first"): the cells from ``first`` on in reading order
        show "?" (0: every cell; None: none)."""
        if first != self._hidden_from:
            self._hidden_from = first
            self._texts = None
            self._emit_all()

    def _emit_all(self) -> None:
        rows, cols = self._values.shape
        self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, cols - 1))

    def look(self, row: int, col: int) -> tuple:
        """Everything the delegate paints, in one call: (text, background, foreground,
        highlight, kind)."""
        kind = int(self._kinds[row, col])
        style = self._highlights.get((row, col), "")
        if kind == BEYOND:
            return "", theme.BEYOND, theme.PADDING_TEXT, style, kind
        if kind == PADDING:
            text = self._padding_label or format_number(float(self._values[row, col]), 2)
            return text, _BACKGROUND.get(style, theme.PADDING), theme.PADDING_TEXT, style, kind
        value = float(self._values[row, col])
        text = (
            format_number(value, 2)
            if self._whole or self.editable
            else format_fixed(value, self._fixed_decimals)
        )
        order = row * self._values.shape[1] + col
        pending = self._pending_after is not None and order > self._pending_after
        if self._hidden_from is not None and order >= self._hidden_from:
            text = "?"
        return (
            text,
            _BACKGROUND.get(style, theme.CELL),
            theme.PENDING_TEXT if pending else theme.CELL_TEXT,
            style,
            kind,
        )

    def texts(self) -> list[list[str]]:
        """Every cell's text as :meth:`look` gives it, row by row (made once per change of the
        numbers, so a repaint formats nothing)."""
        if self._texts is None:
            self._texts = [
                [self.look(row, col)[0] for col in range(self._values.shape[1])]
                for row in range(self._values.shape[0])
            ]
        return self._texts

    def paint_state(self) -> tuple:
        """What a repaint needs besides the texts: kinds (nested lists), highlights and the
        last computed cell in reading order (None: all)."""
        return self._kinds.tolist(), self._highlights, self._pending_after

    @property
    def values(self) -> np.ndarray:
        return self._values

    @property
    def highlights(self) -> dict[tuple[int, int], str]:
        return dict(self._highlights)

    def kind(self, row: int, col: int) -> int:
        return int(self._kinds[row, col])

    def text(self, row: int, col: int) -> str:
        return self.data(self.index(row, col), Qt.DisplayRole)

    # -- Qt model interface -----------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()):  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else self._values.shape[0]

    def columnCount(self, parent=QModelIndex()):  # noqa: N802
        return 0 if parent.isValid() else self._values.shape[1]

    def flags(self, index):
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if self.editable and self._kinds[index.row(), index.column()] == INPUT:
            return base | Qt.ItemIsEditable
        return base

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.EditRole:
            return repr_number(float(self._values[r, c]))
        if role == Qt.ToolTipRole:
            if self._hidden_from is not None and r * self._values.shape[1] + c >= self._hidden_from:
                return "Held back until you have predicted it"
            return self._tooltip(r, c, int(self._kinds[r, c]), float(self._values[r, c]))
        slot = _LOOK_SLOTS.get(role)
        return None if slot is None else self.look(r, c)[slot]

    def _tooltip(self, r: int, c: int, kind: int, value: float) -> str:
        if kind == BEYOND:
            return "Outside the padded input: this last window (ceil_mode) reads nothing here."
        if kind == PADDING:
            return f"Padding ({self._padding_name}): {format_number(value, 6)}"
        ir, ic = r - self._offset[0], c - self._offset[1]
        return f"Row {ir + 1}, column {ic + 1}: {repr_number(value)}"

    def setData(self, index, value, role=Qt.EditRole):  # noqa: N802
        if role != Qt.EditRole or not (self.flags(index) & Qt.ItemIsEditable):
            return False
        self.cell_edit_requested.emit(
            index.row() - self._offset[0], index.column() - self._offset[1], str(value)
        )
        return True

    def to_input(self, row: int, col: int) -> tuple[int, int]:
        """Shown-grid coordinates to input coordinates (may fall outside for padding)."""
        return row - self._offset[0], col - self._offset[1]
