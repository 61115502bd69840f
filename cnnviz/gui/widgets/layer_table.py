"""LayerTable: the inspector's rows as a tree (blocks fold open), totals underneath."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from cnnviz.gui.appearance import theme

COLUMNS = ("Layer", "Type", "Output shape", "Parameters", "Multiply-adds", "Field", "Jump")
TIPS = {
    5: "Receptive field: how many input pixels (rows × columns) one output of the layer can "
    "see; 'all' after a flatten or fully connected layer",
    6: "Jump: how many input pixels apart two neighbouring outputs of the layer look (the "
    "product of the strides so far)",
}


def _pair(value) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]}×{value[1]}"


def field_texts(field) -> tuple[str, str]:
    """The Field and Jump columns of a row: "14", "2"; "all" once the whole input is seen."""
    if field is None:
        return "all", "—"
    if not field:
        return "—", "—"
    size, jump = field
    return _pair(size), _pair(jump)


NAME_ROLE = Qt.UserRole + 1


class LayerTableView(QTreeWidget):
    """One row per layer call; a failing layer is red with its explanation as tooltip."""

    layer_selected = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(COLUMNS)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setStretchLastSection(False)  # the layer names take the room left, not Jump
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        for col in (3, 4, 5, 6):
            self.headerItem().setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
        for col, tip in TIPS.items():
            self.headerItem().setToolTip(col, tip)
        self.items: dict[str, QTreeWidgetItem] = {}
        self.itemSelectionChanged.connect(self._on_selection)
        self._quiet = False

    def set_table(self, table) -> None:
        self._quiet = True
        self.clear()
        self.items = {}
        for row in table.rows:
            parent = self._parent_of(row.name)
            shape = "×".join(map(str, row.output_shape)) if row.output_shape else "—"
            short = row.label.rsplit(".", 1)[-1] if "." in row.name else row.label
            item = QTreeWidgetItem(
                [
                    short,
                    row.type,
                    "✗ does not fit" if row.failed else shape,
                    f"{row.params:,}",
                    f"{row.macs:,}",
                    *field_texts(row.field),
                ]
            )
            item.setData(0, NAME_ROLE, row.name)
            item.setToolTip(0, row.label)
            for col in (3, 4, 5, 6):
                item.setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
            if row.failed:
                for col in range(len(COLUMNS)):
                    item.setForeground(col, QBrush(QColor(theme.ERROR)))
                if table.mismatch is not None:
                    item.setToolTip(0, table.mismatch.message)
            parent.addChild(item)
            self.items.setdefault(row.name, item)
        self.expandToDepth(0)
        self._quiet = False

    def _parent_of(self, name: str) -> QTreeWidgetItem:
        """The nearest enclosing module that has a row (containers like ModuleList have none)."""
        while "." in name:
            name = name.rsplit(".", 1)[0]
            if name in self.items:
                return self.items[name]
        return self.invisibleRootItem()

    def select_name(self, name: str) -> None:
        item = self.items.get(name)
        if item is None:
            return
        self._quiet = True
        self.setCurrentItem(item)
        self.scrollToItem(item)
        self._quiet = False

    def selected_name(self) -> str:
        item = self.currentItem()
        return item.data(0, NAME_ROLE) if item else ""

    def _on_selection(self) -> None:
        if not self._quiet and self.currentItem() is not None:
            self.layer_selected.emit(self.currentItem().data(0, NAME_ROLE))
