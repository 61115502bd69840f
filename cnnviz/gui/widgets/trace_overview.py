"""TraceOverview: every output of the forward pass, left to right, as coloured maps.

Each operation of a :class:`~cnnviz.core.explain.Trace` is one node: a mosaic of its feature
maps (one tile per channel) or a column of its vector's entries. Nodes stand in columns by
their depth in the graph; parallel branches (Inception's four, a residual block's two paths)
take lanes one under the other, inside a frame named after their block. A click or hover on
a unit is reported as ``(node, channel, row, col)``; the page answers with the regions the
unit depends on, which are outlined on every map.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyle,
)

from cnnviz.gui.appearance.repaint_hold import draws_later

MAX_TILE_ROWS = 5  # a node's tiles stand in columns of at most this many
GAP = 3  # between tiles
COLUMN_GAP = 46  # between columns of nodes
LANE_GAP = 34
HEADER = 36  # room for a node's name and shape above it
VECTOR_ROWS = 32  # a long vector wraps into columns of this many entries
SCALES = ("map", "layer", "network")

_DIVERGING = (pg.colormap.get("CET-D1").getLookupTable(nPts=256, alpha=False)).astype(np.uint8)
_GREY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
SELECTED = QColor("#ff6d00")
HOVERED = QColor("#00a152")
UNDRAWN = QColor(226, 230, 236)  # a node's tiles before their colours are drawn


def largest(values: np.ndarray) -> float:
    """The largest magnitude among the finite ``values`` (0 when there is none): a network
    trained to divergence holds NaN and infinite numbers."""
    return float(largest_per_map(np.reshape(values, (1, -1)))[0])


def colour(values: np.ndarray, scale, grey: bool = False) -> np.ndarray:
    """RGB uint8 of ``values``: blue (negative) – white (0) – red (positive) over ±``scale``;
    ``grey``: black (−scale … lowest) to white (highest), for the input image. A NaN is drawn
    as 0 (white, or mid-grey) and an infinity as the end of the range."""
    if grey:
        low, high = (float(v) if np.isfinite(v) else 0.0 for v in scale)
        span = (high - low) or 1.0
        values = np.nan_to_num(values, nan=(low + high) / 2, posinf=high, neginf=low)
        index = np.clip((values - low) / span * 255, 0, 255).astype(np.uint8)
        return _GREY[index]
    scale = scale if np.isfinite(scale) and scale else 1.0
    values = np.nan_to_num(values, nan=0.0, posinf=scale, neginf=-scale)
    index = np.clip((values / scale + 1) * 127.5, 0, 255).astype(np.uint8)
    return _DIVERGING[index]


def largest_per_map(maps: np.ndarray) -> np.ndarray:
    """:func:`largest` of each map of ``maps`` ([C, H, W]), as one array of C."""
    finite = np.isfinite(maps)
    magnitudes = np.where(finite, np.abs(maps), 0).reshape(len(maps), -1)
    return magnitudes.max(axis=1) if magnitudes.shape[1] else np.zeros(len(maps), maps.dtype)


def colour_maps(maps: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """RGB uint8 [C, H, W, 3] of ``maps`` [C, H, W], each map over ±its ``scales`` entry: the
    same colours as :func:`colour` map by map, computed at once (a DenseNet's 8,000 maps took
    half a second one by one, in the GUI thread)."""
    scales = np.asarray(scales, np.float64)
    scales = np.where(np.isfinite(scales) & (scales != 0), scales, 1.0).astype(maps.dtype)
    scale = scales[:, None, None]
    values = np.where(np.isnan(maps), 0, maps)
    values = np.where(np.isposinf(values), scale, np.where(np.isneginf(values), -scale, values))
    index = np.clip((values / scale + 1) * 127.5, 0, 255).astype(np.uint8)
    return _DIVERGING[index]


def tile_maps(rgb: np.ndarray, rows: int) -> np.ndarray:
    """The maps' RGB [C, H, W, 3] as one image of ``rows`` tiles per column, column by column
    (channel ch at row ch % rows, column ch // rows), each tile followed by a white seam of
    1 pixel to its right and below."""
    c, h, w, _ = rgb.shape
    cols = math.ceil(c / rows)
    tiles = np.full((cols * rows, h + 1, w + 1, 3), 255, np.uint8)
    tiles[:c, :h, :w] = rgb
    return (
        tiles.reshape(cols, rows, h + 1, w + 1, 3)
        .transpose(1, 2, 0, 3, 4)
        .reshape(rows * (h + 1), cols * (w + 1), 3)
    )


def _image(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()


@dataclass
class NodeGeometry:
    """Where a node's units are drawn (in the node item's coordinates)."""

    node: object
    pixel: int  # screen pixels per map pixel (maps) or per entry (vectors)
    rows: int  # tiles per column (maps) or entries per column (vectors)
    tile_w: int = 0
    tile_h: int = 0

    def tile_origin(self, channel: int) -> QPointF:
        col, row = divmod(channel, self.rows)
        return QPointF(col * (self.tile_w + GAP), HEADER + row * (self.tile_h + GAP))

    def unit_rect(self, channel: int, row: int | None = None, col: int | None = None) -> QRectF:
        if self.node.is_map:
            o = self.tile_origin(channel)
            return QRectF(
                o.x() + col * self.pixel, o.y() + row * self.pixel, self.pixel, self.pixel
            )
        c, r = divmod(channel, self.rows)
        return QRectF(c * (self.pixel + GAP), HEADER + r * self.pixel, self.pixel, self.pixel)

    def box_rect(self, channel: int, box) -> QRectF:
        top, left, bottom, right = box
        o = self.tile_origin(channel)
        p = self.pixel
        return QRectF(o.x() + left * p, o.y() + top * p, (right - left) * p, (bottom - top) * p)

    def unit_at(self, pos: QPointF):
        """The unit under ``pos`` (item coordinates), or None."""
        x, y = pos.x(), pos.y() - HEADER
        if y < 0 or x < 0:
            return None
        if self.node.is_map:
            c, h, w = self.node.shape
            col_index, in_x = divmod(x, self.tile_w + GAP)
            row_index, in_y = divmod(y, self.tile_h + GAP)
            if in_x >= self.tile_w or in_y >= self.tile_h or row_index >= self.rows:
                return None
            channel = int(col_index) * self.rows + int(row_index)
            if channel >= c:
                return None
            return channel, int(in_y // self.pixel), int(in_x // self.pixel)
        col_index, in_x = divmod(x, self.pixel + GAP)
        if in_x >= self.pixel:
            return None
        index = int(col_index) * self.rows + int(y // self.pixel)
        if int(y // self.pixel) >= self.rows or index >= self.node.value.size:
            return None
        return index, None, None


class DrawBudget:
    """How long one repaint of the overview may spend drawing nodes' colours.

    A node's maps are coloured and scaled into its tiles when the node is first painted after
    a change (a new trace, a colour scale), not all at once: a DenseNet has 145 nodes and
    8,224 maps, 130–190 ms to draw, which froze the window on each new drawing. A repaint
    draws the nodes it shows until its time is spent (at least one); the others keep their
    last picture and are drawn on the next turns of the event loop. Outside a repaint of the
    view (a figure rendered from the scene) there is no limit."""

    SECONDS = 0.025

    def __init__(self):
        self.until: float | None = None  # None: no repaint under way, no limit
        self.drawn = 0  # nodes drawn in this repaint
        self.missed = False  # a node shown in this repaint is still to be drawn

    def start(self) -> None:
        self.until, self.drawn, self.missed = time.perf_counter() + self.SECONDS, 0, False

    def end(self) -> bool:
        """Close the repaint; whether a node it showed is left to draw."""
        self.until = None
        return self.missed

    def allows(self) -> bool:
        return self.until is None or self.drawn == 0 or time.perf_counter() < self.until


class NodeItem(QGraphicsItem):
    """One node: its name and shape, and a picture of its maps or entries (drawn when it is
    first painted after a change, within the view's :class:`DrawBudget`)."""

    def __init__(self, node, geometry: NodeGeometry, class_names=(), budget=None):
        super().__init__()
        self.node, self.geometry = node, geometry
        self.class_names = class_names
        self.budget = budget if budget is not None else DrawBudget()
        self.picture: QPixmap | None = None  # the maps or entries, as last drawn
        self.wanted: tuple | None = None  # (scale mode, network scale) still to be drawn
        self.title = QGraphicsSimpleTextItem(node.label, self)
        font = QFont()
        font.setBold(True)
        self.title.setFont(font)
        self.shape_text = QGraphicsSimpleTextItem(self._shape_text(), self)
        self.shape_text.setPos(0, 16)
        self.shape_text.setBrush(QBrush(QColor("#6b7280")))
        self.labels: list[QGraphicsSimpleTextItem] = []
        self.evidence: QGraphicsPixmapItem | None = None  # an evidence map over the input
        self._size = self._measure()
        self.setAcceptHoverEvents(True)

    def _shape_text(self) -> str:
        n = self.node
        kind = {
            "input": "input",
            "probabilities": "probabilities",
            "log_softmax": "log-probabilities",
        }.get(n.kind, n.op_text.split("(")[0])
        return f"{n.describe_shape()} · {kind}"

    def _measure(self) -> QRectF:
        g, n = self.geometry, self.node
        if n.is_map:
            cols = math.ceil(n.shape[0] / g.rows)
            w = cols * (g.tile_w + GAP) - GAP
            h = g.rows * (g.tile_h + GAP) - GAP
        else:
            cols = math.ceil(n.value.size / g.rows)
            w = cols * (g.pixel + GAP) - GAP
            h = g.rows * g.pixel
        self._picture_rect = QRectF(0, HEADER, w, h)
        if self._labelled():
            w += 110
        width = max(w, self.title.boundingRect().width(), self.shape_text.boundingRect().width())
        return QRectF(0, 0, width, HEADER + h)

    def _labelled(self) -> bool:
        return not self.node.is_map and self.node.value.size <= 20

    def boundingRect(self):  # noqa: N802
        return self._size

    def paint(self, painter, option, widget=None):
        if self.wanted is not None:
            if self.budget.allows():
                self.draw()
            else:
                self.budget.missed = True
        if self.picture is not None:
            painter.drawPixmap(QPointF(0, HEADER), self.picture)
        else:
            painter.fillRect(self._picture_rect, UNDRAWN)

    def set_values(self, scale_mode: str, network_scale: float) -> None:
        """Show the node's values with the colour scale of ``scale_mode`` (drawn when the
        node is next painted, or by :meth:`draw`)."""
        self.wanted = (scale_mode, network_scale)
        if not self.node.is_map:
            self._set_labels(self.node.value.reshape(-1))
        self.update()

    def draw(self) -> None:
        """Draw the picture of the values asked for by :meth:`set_values`, now."""
        if self.wanted is None:
            return
        scale_mode, network_scale = self.wanted
        self.wanted = None
        self.budget.drawn += 1
        self.picture = self._picture(scale_mode, network_scale)

    def _picture(self, scale_mode: str, network_scale: float) -> QPixmap:
        n, g = self.node, self.geometry
        if n.is_map:
            c, h, w = n.shape
            cols = math.ceil(c / g.rows)
            if n.kind == "input":
                bounds = (float(n.value.min()), float(n.value.max()))
                rgb = colour(n.value, bounds, grey=True)
            else:
                rgb = colour_maps(n.value, self.scales_of(scale_mode, network_scale))
            canvas = tile_maps(rgb, g.rows)  # tiles at 1 pixel each, seams scaled below
            image = _image(canvas)
            # the seam of 1 map pixel becomes GAP screen pixels: scale each tile separately
            pix = QPixmap(int(cols * (g.tile_w + GAP)), int(g.rows * (g.tile_h + GAP)))
            pix.fill(Qt.transparent)
            painter = QPainter(pix)
            for ch in range(c):
                col, row = divmod(ch, g.rows)
                source = QRectF(col * (w + 1), row * (h + 1), w, h)
                target = QRectF(col * (g.tile_w + GAP), row * (g.tile_h + GAP), g.tile_w, g.tile_h)
                painter.drawImage(target, image, source)
            painter.end()
            return pix
        values = n.value.reshape(-1)
        if n.kind == "probabilities":
            rgb = colour(values * 2 - 1, 1.0)  # 0 → blue-white … 1 → red
        else:
            rgb = colour(values, self.scale_of(scale_mode, network_scale, None))
        cols = math.ceil(values.size / g.rows)
        canvas = np.full((g.rows, cols, 3), 255, np.uint8)
        for i in range(values.size):
            col, row = divmod(i, g.rows)
            canvas[row, col] = rgb[i]
        image = _image(canvas)
        pix = QPixmap(int(cols * (g.pixel + GAP)), int(g.rows * g.pixel))
        pix.fill(Qt.transparent)
        painter = QPainter(pix)
        for col in range(cols):
            source = QRectF(col, 0, 1, g.rows)
            target = QRectF(col * (g.pixel + GAP), 0, g.pixel, g.rows * g.pixel)
            painter.drawImage(target, image, source)
        painter.setPen(QPen(QColor("#d0d5dd")))
        if values.size <= 40:
            for i in range(values.size):
                col, row = divmod(i, g.rows)
                painter.drawRect(QRectF(col * (g.pixel + GAP), row * g.pixel, g.pixel, g.pixel))
        painter.end()
        return pix

    def _set_labels(self, values) -> None:
        if not self._labelled():
            return
        names = self.class_names if len(self.class_names) == values.size else ()
        while len(self.labels) < values.size:
            label = QGraphicsSimpleTextItem(self)
            self.labels.append(label)
        for i, label in enumerate(self.labels[: values.size]):
            name = f"{names[i]}: " if names else f"[{i}]: "  # torch's index, as the title
            v = float(values[i])
            text = f"{100 * v:.1f}%" if self.node.kind == "probabilities" else f"{v:.3g}"
            label.setText(f"{name}{text}")
            label.setPos(self.geometry.pixel + 6, HEADER + i * self.geometry.pixel + 4)

    def scales_of(self, mode: str, network_scale: float) -> np.ndarray:
        """:meth:`scale_of` of every map of a map node, as one array."""
        n = self.node
        if mode == "map":
            per_map = largest_per_map(n.value)
            return np.where(per_map > 0, per_map, 1.0)
        return np.full(n.shape[0], self.scale_of(mode, network_scale, None))

    def scale_of(self, mode: str, network_scale: float, channel: int | None) -> float:
        """The ± range of the colours for one map (or the whole node)."""
        n = self.node
        if mode == "network" and network_scale > 0:
            return network_scale
        if mode == "map" and channel is not None and n.is_map:
            return largest(n.value[channel]) or 1.0
        return largest(n.value) or 1.0


def node_geometry(node, zoom: float = 1.0, max_rows: int = MAX_TILE_ROWS) -> NodeGeometry:
    """Tile sizes: the input large, maps about 48 pixels, vectors in columns."""
    if node.is_map:
        c, h, w = node.shape
        side = max(h, w)
        target = 168 if node.kind == "input" else 52
        pixel = max(2, round(target * zoom / side))
        rows = min(c, max_rows)
        return NodeGeometry(node, pixel, rows, pixel * w, pixel * h)
    n = node.value.size
    if n <= 20:
        return NodeGeometry(node, round(26 * zoom), n)
    pixel = max(4, round(8 * zoom)) if n <= 400 else max(3, round(5 * zoom))
    return NodeGeometry(node, pixel, min(n, VECTOR_ROWS if n <= 400 else 56))


def layout_lanes(nodes) -> tuple[list[int], list[int]]:
    """Column (longest path from the input) and lane of every node: a node continues its
    first parent's lane when free, else opens a lane below (a parallel branch)."""
    depth = [0] * len(nodes)
    for node in nodes:
        if node.parents:
            depth[node.index] = max(depth[p] for p in node.parents) + 1
    if nodes and nodes[-1].kind == "probabilities":  # after everything, on the main line
        depth[-1] = max(depth[:-1]) + 1
    lane = [0] * len(nodes)
    used: dict[int, set[int]] = {}
    continued: set[int] = set()
    for node in nodes:
        want = 0
        if node.kind == "probabilities":  # after everything, on the main line
            lane[node.index] = 0
            continue
        if node.parents:
            first = node.parents[0]
            want = lane[first]
            if first in continued:
                want += 1
            continued.add(first)
        while depth[node.index] in used.setdefault(want, set()):
            want += 1
        used[want].add(depth[node.index])
        lane[node.index] = want
    return depth, lane


class TraceOverview(QGraphicsView):
    """The forward pass as a scrollable picture; reports clicked and hovered units."""

    unit_clicked = Signal(int, int, object, object)  # node, channel, row, col
    unit_hovered = Signal(int, int, object, object)
    hover_left = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.Antialiasing, False)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setMouseTracking(True)
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.items_by_node: list[NodeItem] = []
        self.budget = DrawBudget()
        draws_later(self)  # a grab of the window finishes the drawing first
        self.trace = None
        self._network_scale: float | None = None  # of self.trace, once asked for
        self.scale_mode = "layer"
        self.zoom = 1.0
        self.fills = False  # the whole network fills the view (an exported frame)
        self.class_names: tuple = ()
        self._structure: tuple = ()
        self._hovered = None
        self._press = None
        self._outlines = {
            "selected": self._outline_item(SELECTED, 2.5, Qt.SolidLine, 10),
            "hovered": self._outline_item(HOVERED, 1.5, Qt.DashLine, 9),
        }
        self._marker = QGraphicsRectItem()
        self._marker.setPen(QPen(QColor("#000000"), 2))
        self._marker.setZValue(11)
        self.scene().addItem(self._marker)
        self._marker.hide()
        self.setToolTip(
            "Click a unit to see how it is computed and which pixels it sees; "
            "drag to scroll, Ctrl+wheel to zoom"
        )

    def _outline_item(self, colour_, width, style, z) -> QGraphicsPathItem:
        item = QGraphicsPathItem()
        pen = QPen(colour_, width, style)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setZValue(z)
        self.scene().addItem(item)
        return item

    # -- contents --------------------------------------------------------------------------------
    def set_trace(self, trace, class_names=()) -> bool:
        """Show a new trace: rebuilt when the network's structure changed (returns True),
        else recoloured."""
        structure = tuple((n.label, n.shape) for n in trace.nodes)
        self.trace, self.class_names = trace, tuple(class_names)
        self._network_scale = None
        rebuilt = structure != self._structure or len(self.items_by_node) != len(trace.nodes)
        if rebuilt:
            self._structure = structure
            self._build()
        else:
            for item, node in zip(self.items_by_node, trace.nodes):
                item.node = node
                item.geometry.node = node
        self.recolour()
        return rebuilt

    def network_scale(self) -> float:
        """The ± range of the whole network's maps (the input and the softmax aside)."""
        if self._network_scale is None:
            values = [
                largest(n.value)
                for n in self.trace.nodes
                if n.kind not in ("input", "probabilities", "log_softmax")
            ]
            self._network_scale = max(values) if values else 1.0
        return self._network_scale

    def recolour(self) -> None:
        """Colour every node with the scale chosen: the nodes on screen are drawn on the next
        repaint (within its :class:`DrawBudget`), the others when they come into view."""
        if self.trace is None:
            return
        network = self.network_scale() if self.scale_mode == "network" else 0.0
        for item in self.items_by_node:
            item.set_values(self.scale_mode, network)

    def pending(self) -> list[NodeItem]:
        """The nodes whose colours are still to be drawn."""
        return [item for item in self.items_by_node if item.wanted is not None]

    def finish_drawing(self) -> None:
        """Draw every node still to be drawn, now (before the view is grabbed into an
        image, whose repaint must not leave a node undrawn)."""
        for item in self.pending():
            item.draw()
        self.viewport().update()

    def paintEvent(self, event):  # noqa: N802
        self.budget.start()
        try:
            super().paintEvent(event)
        finally:
            if self.budget.end():  # the rest on the next turn: the window stays responsive
                QTimer.singleShot(0, self.viewport(), self.viewport().update)

    def set_scale_mode(self, mode: str) -> None:
        self.scale_mode = mode
        self.recolour()

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        if self.trace is not None:
            self._structure = ()
            self.set_trace(self.trace, self.class_names)

    def _build(self) -> None:
        scene = self.scene()
        for item in self.items_by_node:
            scene.removeItem(item)
        for item in getattr(self, "_decor", []):
            scene.removeItem(item)
        self._decor: list = []
        nodes = self.trace.nodes
        self.items_by_node = [
            NodeItem(n, node_geometry(n, self.zoom), self.class_names, self.budget) for n in nodes
        ]
        depth, lane = layout_lanes(nodes)
        widths: dict[int, float] = {}
        heights: dict[int, float] = {}
        for item, d, ln in zip(self.items_by_node, depth, lane):
            widths[d] = max(widths.get(d, 0), item.boundingRect().width())
            heights[ln] = max(heights.get(ln, 0), item.boundingRect().height())
        xs, x = {}, 0.0
        for d in sorted(widths):
            xs[d] = x
            x += widths[d] + COLUMN_GAP
        ys, y = {}, 0.0
        for ln in sorted(heights):
            ys[ln] = y
            y += heights[ln] + LANE_GAP
        for item, d, ln in zip(self.items_by_node, depth, lane):
            item.setPos(xs[d], ys[ln])
            scene.addItem(item)
        self._add_blocks()
        self._add_edges(depth)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-12, -14, 12, 10))
        self.fit_height()
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())  # the input
        self._outlines["selected"].setPath(QPainterPath())
        self._outlines["hovered"].setPath(QPainterPath())
        self._marker.hide()

    def _add_blocks(self) -> None:
        """A light frame around the nodes of each block (an Inception module, a residual or
        dense block), named after it."""
        blocks: dict[str, list[NodeItem]] = {}
        for item in self.items_by_node:
            if item.node.block:
                blocks.setdefault(item.node.block, []).append(item)
        for name, items in blocks.items():
            rect = QRectF()
            for item in items:
                rect = rect.united(item.sceneBoundingRect())
            rect.adjust(-10, -22, 10, 10)
            frame = QGraphicsRectItem(rect)
            frame.setBrush(QBrush(QColor(240, 244, 250)))
            frame.setPen(QPen(QColor("#b8c2d0"), 1, Qt.DashLine))
            frame.setZValue(-2)
            text = QGraphicsSimpleTextItem(f"{name} · {items[0].node.block_type}")
            text.setBrush(QBrush(QColor("#3b4a63")))
            text.setPos(rect.left() + 6, rect.top() + 3)
            text.setZValue(-1)
            for decor in (frame, text):
                self.scene().addItem(decor)
                self._decor.append(decor)

    def _add_edges(self, depth) -> None:
        path = QPainterPath()
        for item in self.items_by_node:
            end = item.sceneBoundingRect()
            for p in item.node.parents:
                start = self.items_by_node[p].sceneBoundingRect()
                a = QPointF(start.right() + 2, start.top() + HEADER + 8)
                b = QPointF(end.left() - 2, end.top() + HEADER + 8)
                if depth[item.node.index] - depth[p] > 1 and abs(a.y() - b.y()) < 1:
                    lift = min(start.top(), end.top()) - 18  # a skip: arc over the nodes between
                    path.moveTo(a)
                    path.cubicTo(QPointF(a.x() + 20, lift), QPointF(b.x() - 20, lift), b)
                else:
                    path.moveTo(a)
                    mid = (a.x() + b.x()) / 2
                    path.cubicTo(QPointF(mid, a.y()), QPointF(mid, b.y()), b)
        edges = QGraphicsPathItem(path)
        pen = QPen(QColor("#9aa5b5"), 1.2)
        pen.setCosmetic(True)
        edges.setPen(pen)
        edges.setZValue(-1)
        self.scene().addItem(edges)
        self._decor.append(edges)

    def fill_view(self) -> None:
        """Show the whole network as large as the view allows, centred, without scroll bars
        or frame (an exported frame: nothing to scroll there)."""
        self.fills = True
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.NoFrame)
        self.setAlignment(Qt.AlignCenter)
        self.fit_height()

    def fit_height(self) -> None:
        """Scale the picture so that its height fits the view (between 0.6:1 and 1:1).

        The scale follows from the view's outer size only, with room for the horizontal
        scroll bar whenever the picture is wider than the view. Fitted to the viewport, which
        that scroll bar shrinks, a picture about as wide as the view oscillated: the bar
        showed, the picture shrank and fitted, the bar hid, the picture grew, without end
        (the window froze for good)."""
        rect = self.sceneRect()
        if rect.height() <= 0:
            return
        if self.fills:  # no scroll bar to oscillate: the whole picture, any scale
            self._fitted = True
            self.fitInView(rect, Qt.KeepAspectRatio)
            return
        frame = 2 * self.frameWidth()
        height, width = self.height() - frame - 4, self.width() - frame
        bar = self.style().pixelMetric(QStyle.PM_ScrollBarExtent, None, self)

        def fitted(room: float) -> float:
            return min(1.0, max(0.6, room / rect.height()))

        factor = fitted(height)
        if rect.height() * factor > height:  # a vertical scroll bar too (the 0.6 floor)
            width -= bar
        if rect.width() * factor > width:
            factor = fitted(height - bar)
        self._fitted = True
        if abs(self.transform().m11() - factor) > 1e-9:
            self.resetTransform()
            self.scale(factor, factor)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if getattr(self, "_fitted", False):
            self.fit_height()

    def set_evidence(self, values: np.ndarray | None, opacity: float = 0.65) -> None:
        """Lay an evidence map ``[H, W]`` over the input image: red for the class, blue
        against it (each on its own largest magnitude); None takes it away."""
        if not self.items_by_node:
            return
        item = self.items_by_node[0]
        overlay = item.evidence
        if values is None:
            if overlay is not None:
                overlay.hide()
            return
        scale = largest(values) or 1.0
        rgb = colour(values, scale)
        magnitude = np.nan_to_num(np.abs(values), nan=0.0, posinf=scale)  # NaN: no overlay
        alpha = np.clip(magnitude / scale * 255 * 1.4, 0, 255).astype(np.uint8)
        rgba = np.ascontiguousarray(np.dstack([rgb, alpha]))
        h, w = values.shape
        image = QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
        g = item.geometry
        if overlay is None:
            overlay = QGraphicsPixmapItem(item)
            overlay.setTransformationMode(Qt.FastTransformation)
            overlay.setZValue(1)
            item.evidence = overlay
        overlay.setPixmap(QPixmap.fromImage(image).scaled(g.tile_w, g.tile_h))
        overlay.setPos(item.geometry.tile_origin(0))
        overlay.setOpacity(opacity)
        overlay.show()

    # -- outlines ----------------------------------------------------------------------------------
    def show_regions(self, which: str, regions: dict | None, unit=None) -> None:
        """Outline, on every node, the region a unit depends on (``which``: "selected" or
        "hovered"); ``unit`` (node, channel, row, col) gets a black marker."""
        path = QPainterPath()
        for index, region in (regions or {}).items():
            item = self.items_by_node[index]
            g = item.geometry
            if item.node.is_map:
                for ch in region.channels:
                    path.addRect(item.mapRectToScene(g.box_rect(ch, region.box)))
            else:
                for i in region.channels[:400]:
                    path.addRect(item.mapRectToScene(g.unit_rect(i)))
        self._outlines[which].setPath(path)
        if which == "selected":
            if unit is None:
                self._marker.hide()
            else:
                index, channel, row, col = unit
                item = self.items_by_node[index]
                self._marker.setRect(
                    item.mapRectToScene(item.geometry.unit_rect(channel, row, col))
                )
                self._marker.show()

    def unit_scene_pos(self, index: int, channel: int, row=None, col=None) -> QPointF:
        """The centre of a unit in scene coordinates (for tests and the page)."""
        item = self.items_by_node[index]
        return item.mapToScene(item.geometry.unit_rect(channel, row, col).center())

    def unit_at_scene(self, pos: QPointF):
        for item in self.items_by_node:
            if item.sceneBoundingRect().contains(pos):
                unit = item.geometry.unit_at(item.mapFromScene(pos))
                if unit is not None:
                    return (item.node.index, *unit)
        return None

    # -- mouse -----------------------------------------------------------------------------------
    def mousePressEvent(self, event):  # noqa: N802
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event):  # noqa: N802
        super().mouseReleaseEvent(event)
        moved = self._press is not None and (event.position() - self._press).manhattanLength() > 4
        self._press = None
        if event.button() == Qt.LeftButton and not moved:
            unit = self.unit_at_scene(self.mapToScene(event.position().toPoint()))
            if unit is not None:
                self.unit_clicked.emit(*unit)

    def mouseMoveEvent(self, event):  # noqa: N802
        super().mouseMoveEvent(event)
        if event.buttons():
            return
        unit = self.unit_at_scene(self.mapToScene(event.position().toPoint()))
        if unit != self._hovered:
            self._hovered = unit
            if unit is None:
                self.hover_left.emit()
            else:
                self.unit_hovered.emit(*unit)

    def leaveEvent(self, event):  # noqa: N802
        self._hovered = None
        self.hover_left.emit()
        super().leaveEvent(event)

    def wheelEvent(self, event):  # noqa: N802
        if event.modifiers() & Qt.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self._fitted = False  # the user's zoom stays until the next network
            self.scale(factor, factor)
            return
        super().wheelEvent(event)
