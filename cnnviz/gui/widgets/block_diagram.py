"""BlockDiagram: a model drawn top to bottom — layers as boxes with their output shapes,
Inception branches side by side, residual shortcuts and dense connections as such."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

BOX_W, BOX_H, GAP = 230, 46, 26
COLOURS = {
    "layer": "#e8f1fb",
    "inception": "#fff4dc",
    "residual": "#e9f7ec",
    "dense": "#f3ecfb",
    "input": "#f1f3f6",
}
EDGE = QColor("#4b5563")
FAILED = QColor("#c62828")
SELECTED = QColor("#0b6fb8")


class BoxItem(QGraphicsRectItem):
    """A layer box; clicking it selects the layer (by module name)."""

    def __init__(
        self,
        name: str,
        title: str,
        shape: str,
        colour: str,
        failed: bool = False,
        width: float = BOX_W,
    ):
        super().__init__(0, 0, width, BOX_H)
        self.name = name
        self.failed = failed
        self.setBrush(QBrush(QColor(colour)))
        self.set_selected_look(False)
        self.setFlag(QGraphicsRectItem.ItemIsSelectable, bool(name))
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip(f"{name}: {title}" + (f" → {shape}" if shape else ""))
        font = QFont()
        font.setPixelSize(13)
        label = QGraphicsSimpleTextItem(_elide(title, width), self)
        label.setFont(font)
        label.setPos(8, 5)
        font2 = QFont(font)
        font2.setPixelSize(12)
        font2.setBold(True)
        out = QGraphicsSimpleTextItem(("✗ does not fit" if failed else shape), self)
        out.setFont(font2)
        out.setBrush(QBrush(FAILED if failed else EDGE))
        out.setPos(8, 25)

    def set_selected_look(self, selected: bool) -> None:
        colour = SELECTED if selected else (FAILED if self.failed else EDGE)
        self.setPen(QPen(colour, 3 if (selected or self.failed) else 1.2))


def _elide(text: str, width: float) -> str:
    limit = int(width / 7.2)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BlockDiagram(QGraphicsView):
    """Draws :class:`~cnnviz.core.inspect.diagram.Node` lists; emits the clicked box's name."""

    box_clicked = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))  # "paper", in dark themes too
        self.setRenderHint(QPainter.Antialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.boxes: dict[str, BoxItem] = {}
        self.scene().selectionChanged.connect(self._on_selection)
        self._quiet = False

    def set_nodes(self, nodes, input_shape: str) -> None:
        scene = self.scene()
        self._quiet = True
        scene.clear()
        self._quiet = False
        self.boxes = {}
        y = 0.0
        previous = self._add_box(scene, "", "input", input_shape, "input", 0, y)
        y += BOX_H + GAP
        for node in nodes:
            top = y
            y = getattr(self, f"_draw_{node.kind}")(scene, node, y)
            self._arrow(scene, previous, top)
            previous = y - GAP
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.fit_width()

    def fit_width(self) -> None:
        """Scale down (never up) so that the widest block fits the view's width."""
        width = self.scene().sceneRect().width()
        if width <= 0:
            return
        # The width beside a vertical scroll bar, whether it shows or not: measured from the
        # viewport, the scale would change with the bar, the bar with the scale, and so on
        # for ever (a layout loop that froze the window).
        room = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        scale = min(1.0, max(0.45, (room - 4) / width))
        self.resetTransform()
        self.scale(scale, scale)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self.fit_width()

    # -- pieces -----------------------------------------------------------------------------------
    def _add_box(self, scene, name, title, shape, kind, x, y, failed=False, width=BOX_W):
        box = BoxItem(name, title, shape, COLOURS[kind], failed, width)
        box.setPos(x - width / 2, y)
        scene.addItem(box)
        if name:
            self.boxes[name] = box
        return y + BOX_H

    def _arrow(self, scene, y0: float, y1: float, x: float = 0.0) -> None:
        if y1 - y0 < 2:
            return
        path = QPainterPath(QPointF(x, y0))
        path.lineTo(x, y1)
        path.moveTo(x - 5, y1 - 8)
        path.lineTo(x, y1)
        path.lineTo(x + 5, y1 - 8)
        scene.addPath(path, QPen(EDGE, 1.5))

    def _frame(self, scene, node, x, y, w, h, colour):
        frame = scene.addRect(
            QRectF(x, y, w, h),
            QPen(FAILED if node.failed else EDGE, 1, Qt.DashLine),
            QBrush(QColor(colour)),
        )
        frame.setZValue(-1)
        title = scene.addSimpleText(node.title)
        title.setPos(x + 8, y + 4)
        font = QFont()
        font.setBold(True)
        title.setFont(font)

    def _draw_layer(self, scene, node, y):
        box = node.boxes[0]
        return self._add_box(scene, box.name, box.title, box.shape, "layer", 0, y, box.failed) + GAP

    def _draw_inception(self, scene, node, y):
        n = len(node.branches)
        col_w = BOX_W * 0.8
        width = n * col_w + (n + 1) * 12
        depth = max(len(boxes) for _, boxes in node.branches)
        height = 30 + 22 + depth * (BOX_H + 14) + 40
        self._frame(scene, node, -width / 2, y, width, height, COLOURS["inception"])
        for i, (label, boxes) in enumerate(node.branches):
            cx = -width / 2 + 12 + i * (col_w + 12) + col_w / 2
            text = scene.addSimpleText(label)
            text.setPos(cx - text.boundingRect().width() / 2, y + 30)
            by = y + 52
            for box in boxes:
                self._add_box(
                    scene, box.name, box.title, box.shape, "layer", cx, by, box.failed, col_w
                )
                by += BOX_H + 14
        concat = scene.addSimpleText(f"concatenate → {node.shape}")
        concat.setPos(-concat.boundingRect().width() / 2, y + height - 28)
        return y + height + GAP

    def _draw_residual(self, scene, node, y):
        height = 30 + len(node.boxes) * (BOX_H + 14) + 34
        width = BOX_W + 150
        self._frame(scene, node, -width / 2 - 40, y, width, height, COLOURS["residual"])
        by = y + 30
        for box in node.boxes:
            self._add_box(scene, box.name, box.title, box.shape, "layer", -40, by, box.failed)
            by += BOX_H + 14
        plus_y = y + height - 22
        label = scene.addSimpleText(f"→ {node.shape}")
        label.setPos(12, plus_y - 8)
        if node.shortcut:
            x = BOX_W / 2 - 40 + 40
            path = QPainterPath(QPointF(-40, y + 24))
            path.cubicTo(x + 30, y + 24, x + 30, plus_y, -28, plus_y)
            item = scene.addPath(path, QPen(QColor("#2e7d32"), 2.2))
            item.setZValue(1)
            plus = scene.addSimpleText("⊕")
            font = QFont()
            font.setPixelSize(20)
            plus.setFont(font)
            plus.setPos(-48, plus_y - 13)
            text = scene.addSimpleText(node.shortcut)
            text.setBrush(QBrush(QColor("#2e7d32")))
            text.setPos(x - 10, y + height / 2 - 8)
        else:
            text = scene.addSimpleText("no shortcut (plain)")
            text.setBrush(QBrush(FAILED))
            text.setPos(BOX_W / 2 - 20, y + height / 2 - 8)
        return y + height + GAP

    def _draw_dense(self, scene, node, y):
        step = BOX_H + 14
        height = 30 + len(node.boxes) * step + 30
        width = BOX_W + 140
        self._frame(scene, node, -width / 2 + 30, y, width, height, COLOURS["dense"])
        lefts = []
        by = y + 30
        for box in node.boxes:
            self._add_box(scene, box.name, box.title, box.shape, "layer", 40, by, box.failed)
            lefts.append(by + BOX_H / 2)
            by += step
        pen = QPen(QColor("#7e57c2"), 1.1)
        x0 = 40 - BOX_W / 2
        for i, a in enumerate([y + 18] + lefts):  # every earlier map feeds every later layer
            for b in lefts[i:] if i else lefts:
                if b <= a:
                    continue
                bend = x0 - 12 - (b - a) / step * 9
                path = QPainterPath(QPointF(x0, a))
                path.cubicTo(bend, a, bend, b, x0, b)
                scene.addPath(path, pen)
        text = scene.addSimpleText(f"concatenate all → {node.shape}")
        text.setPos(x0, y + height - 24)
        return y + height + GAP

    # -- selection --------------------------------------------------------------------------------
    def select(self, name: str) -> None:
        """Show ``name``'s box as selected (without emitting ``box_clicked``)."""
        self._quiet = True
        for box_name, box in self.boxes.items():
            box.setSelected(box_name == name)
            box.set_selected_look(box_name == name)
        self._quiet = False
        if name in self.boxes:
            self.ensureVisible(self.boxes[name])

    def _on_selection(self) -> None:
        if self._quiet:
            return
        chosen = [item for item in self.scene().selectedItems() if isinstance(item, BoxItem)]
        for box in self.boxes.values():
            box.set_selected_look(box in chosen)
        if chosen:
            self.box_clicked.emit(chosen[0].name)
