"""Painting grid cells large and clear: background by role, a highlight edge, the number.

A grid view paints all its visible cells in one call (:func:`paint_cells`) rather than one
delegate call per cell: a 64×64 grid repaints thousands of cells, and a Python call per cell
(plus Qt's per-cell model queries) held the GUI thread for tens of milliseconds per repaint.
Cells are drawn in batches: one ``drawRects`` per background colour and one per edge pen,
and the numbers grouped by font and colour, each laid out once (QStaticText, cached) instead
of at every repaint.
"""

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QFontMetricsF, QPen, QStaticText

from cnnviz.gui.appearance import theme
from cnnviz.gui.widgets.grid_model import _BACKGROUND, BEYOND, INPUT, PADDING

_EDGES = {
    "window": QPen(theme.WINDOW_EDGE, 3),
    "winner": QPen(theme.WINDOW_EDGE, 3),
    "current": QPen(theme.CURRENT_EDGE, 3),
}
_PENS = {
    **_EDGES,
    "gap": QPen(theme.WINDOW_EDGE, 1, Qt.DotLine),
    "beyond": QPen(theme.PADDING_TEXT, 1, Qt.DashLine),
    "plain": QPen(theme.PADDING, 1),
}
_FOCUS_PEN = QPen(theme.CURRENT_EDGE, 1, Qt.DashLine)
_BOLD = ("window", "winner", "current")


def number_pixels(side: float) -> int:
    """The pixel size of a number in a cell ``side`` px wide: it scales with the cell."""
    return max(8, int(side * 0.4))


@lru_cache(maxsize=256)
def _font(family: str, pixels: int, bold: bool, italic: bool) -> tuple[QFont, QFontMetrics]:
    font = QFont(family)
    font.setPixelSize(pixels)
    font.setBold(bold)
    font.setItalic(italic)
    return font, QFontMetrics(font)


@lru_cache(maxsize=4096)
def _fitted_pixels(family: str, pixels: int, bold: bool, italic: bool, text: str, room: float):
    """The font size that fits ``text`` in ``room`` px: ``pixels`` unless the number is long."""
    width = _font(family, pixels, bold, italic)[1].horizontalAdvance(text)
    return pixels if width <= room else max(7, int(pixels * room / width))


def visible_cells(view, area) -> tuple[int, int, int, int] | None:
    """(first row, last row, first column, last column) of the cells of ``view`` that meet
    ``area`` (viewport coordinates); None when none do."""
    model = view.model()
    rows, cols = model.rowCount(), model.columnCount()
    side = view.cell_size
    if rows == 0 or cols == 0 or side <= 0:
        return None
    dx, dy = view.horizontalOffset(), view.verticalOffset()
    first_row, first_col = max(0, (area.top() + dy) // side), max(0, (area.left() + dx) // side)
    last_row = min(rows - 1, (area.bottom() + dy) // side)
    last_col = min(cols - 1, (area.right() + dx) // side)
    if first_row > last_row or first_col > last_col:
        return None
    return first_row, last_row, first_col, last_col


def _background_rgba() -> tuple[int, int, int, dict[str, int]]:
    """The backgrounds of cells beyond the grid, of padding, of input cells, and by highlight
    style, as numbers: read once per repaint, not once per cell (the theme may change)."""
    styles = {style: colour.rgba() for style, colour in _BACKGROUND.items()}
    return theme.BEYOND.rgba(), theme.PADDING.rgba(), theme.CELL.rgba(), styles


def _text_rgba() -> tuple[int, int, int]:
    """The colours of the numbers of padding, of cells not computed yet and of the others."""
    return theme.PADDING_TEXT.rgba(), theme.PENDING_TEXT.rgba(), theme.CELL_TEXT.rgba()


class CellBatches:
    """The cells of one repaint sorted into batches: rectangles by background colour and by
    edge pen, numbers by font and colour (each batch is drawn with one call or one font)."""

    def __init__(self, family: str):
        self.family = family
        self.fills: dict[int, list[QRectF]] = {}  # by background colour (rgba)
        self.edges: dict[str, list[QRectF]] = {}  # by pen
        # by (size, bold, italic, rgba): (left, top, side) and text
        self.words: dict[tuple, list[tuple[tuple, str]]] = {}
        self.kinds: list = []  # each cell's kind (INPUT, PADDING, ...), by row

    def sort(self, view, span: tuple[int, int, int, int]) -> None:
        """Sort the cells of ``span`` (see :func:`visible_cells`): its background, its edge
        and its number. One pass with everything in locals: this loop is the repaint's cost."""
        model = view.model()
        cols, side = model.columnCount(), view.cell_size
        first_row, last_row, first_col, last_col = span
        dx, dy = view.horizontalOffset(), view.verticalOffset()
        texts = model.texts()
        kinds, highlights, pending_after = model.paint_state()
        self.kinds = kinds
        family = self.family
        inner = side - 2  # each cell keeps a 1 px margin on every side
        pixels = number_pixels(inner)
        room = inner - 4
        styled: dict[int, dict[int, str]] = {}  # the few highlighted cells, by row
        for (r, c), style in highlights.items():
            styled.setdefault(r, {})[c] = style
        beyond_rgba, padding_rgba, cell_rgba, style_rgba = _background_rgba()
        padding_text, pending_text, cell_text = _text_rgba()
        fills, edges, words = self.fills, self.edges, self.words
        # (both lists made on first use: the batches are drawn in the order first met)
        beyond_fill: list[QRectF] | None = None
        plain: list[QRectF] | None = None
        sizes: dict[tuple[str, bool, bool], int] = {}  # fitted font size, by text and style
        xs = [(col, col * side - dx + 1) for col in range(first_col, last_col + 1)]
        for row in range(first_row, last_row + 1):
            y = row * side - dy + 1
            kinds_row, texts_row, styles = kinds[row], texts[row], styled.get(row)
            first_pending = (
                None if pending_after is None else pending_after - row * cols
            )  # a cell is pending when its column is past this
            for col, x in xs:
                rect = QRectF(x, y, inner, inner)
                kind = kinds_row[col]
                style = styles.get(col, "") if styles else ""
                if kind == BEYOND:
                    if beyond_fill is None:
                        beyond_fill = fills.setdefault(beyond_rgba, [])
                    beyond_fill.append(rect)
                    edges.setdefault("beyond", []).append(rect)
                    continue
                if style:
                    background = style_rgba.get(
                        style, padding_rgba if kind == PADDING else cell_rgba
                    )
                else:
                    background = padding_rgba if kind == PADDING else cell_rgba
                fills.setdefault(background, []).append(rect)
                box = x, y, inner  # where the number is centred (and cut, when too long)
                if style in _EDGES:
                    edges.setdefault(style, []).append(rect.adjusted(1, 1, -1, -1))
                    box = x + 1, y + 1, inner - 2
                elif style == "gap":
                    edges.setdefault("gap", []).append(rect)
                else:
                    if plain is None:
                        plain = edges.setdefault("plain", [])
                    plain.append(rect)
                text = texts_row[col]
                if not text:
                    continue
                if kind == PADDING:
                    colour = padding_text
                elif first_pending is not None and col > first_pending:
                    colour = pending_text
                else:
                    colour = cell_text
                bold, italic = style in _BOLD, kind == PADDING
                size = sizes.get((text, bold, italic))
                if size is None:
                    size = sizes[(text, bold, italic)] = _fitted_pixels(
                        family, pixels, bold, italic, text, room
                    )
                words.setdefault((size, bold, italic, colour), []).append((box, text))

    def draw_cells(self, painter) -> None:
        """The backgrounds, then the edges."""
        painter.setPen(Qt.NoPen)
        for rgba, rects in self.fills.items():
            painter.setBrush(_colour(rgba))
            painter.drawRects(rects)
        painter.setBrush(Qt.NoBrush)
        for pen, rects in self.edges.items():
            painter.setPen(_PENS[pen])
            painter.drawRects(rects)

    def draw_numbers(self, painter) -> None:
        """The numbers, centred in their cells (cut at the cell when too long)."""
        family = self.family
        for (size, bold, italic, rgba), cells in self.words.items():
            painter.setFont(_font(family, size, bold, italic)[0])
            painter.setPen(_colour(rgba))
            laid_out: dict[str, tuple] = {}
            for (x, y, box), text in cells:  # centred, as drawText(rect, Qt.AlignCenter) would
                known = laid_out.get(text)
                if known is None:
                    known = laid_out[text] = _static_text(family, size, bold, italic, text)
                static, width, height = known
                if width > box:  # too long even at the smallest size: cut at the cell
                    painter.drawText(QRectF(x, y, box, box), Qt.AlignCenter, text)
                    continue
                painter.drawStaticText(
                    QPointF(x + (box - width) / 2, y + (box - height) / 2), static
                )


def _draw_selection_and_focus(painter, view, span: tuple[int, int, int, int], kinds) -> None:
    """A thin frame in the margin of each selected cell; a dashed one inside the current
    cell of an editable grid that has the focus."""
    first_row, last_row, first_col, last_col = span
    selection = view.selectionModel()
    if selection is not None and selection.hasSelection():
        painter.setPen(QPen(view.palette().highlight().color(), 1))
        for index in selection.selectedIndexes():
            if first_row <= index.row() <= last_row and first_col <= index.column() <= last_col:
                painter.drawRect(view.visualRect(index).adjusted(0, 0, -1, -1))
    current, model = view.currentIndex(), view.model()
    if (
        view.hasFocus()
        and current.isValid()
        and model.editable
        and first_row <= current.row() <= last_row
        and first_col <= current.column() <= last_col
        and kinds[current.row()][current.column()] == INPUT
    ):
        painter.setPen(_FOCUS_PEN)
        painter.drawRect(view.cell_rect(current.row(), current.column()).adjusted(4, 4, -4, -4))


def paint_cells(painter, view, area) -> None:
    """Paint the cells of ``view`` (a GridView) that meet ``area`` (viewport coordinates)."""
    span = visible_cells(view, area)
    if span is None:
        return
    batches = CellBatches(view.font().family())
    batches.sort(view, span)
    batches.draw_cells(painter)
    _draw_selection_and_focus(painter, view, span, batches.kinds)
    batches.draw_numbers(painter)


@lru_cache(maxsize=16384)
def _static_text(family: str, pixels: int, bold: bool, italic: bool, text: str):
    """A number laid out once (QStaticText) and its size: drawing it is a third of the cost
    of drawText, which lays the text out on every call (25 of 33 ms for a 64×64 grid)."""
    font = _font(family, pixels, bold, italic)[0]
    static = QStaticText(text)
    static.setTextFormat(Qt.PlainText)
    static.prepare(font=font)
    metrics = QFontMetricsF(font)  # the box drawText centres (the static text's own differs)
    return static, metrics.horizontalAdvance(text), metrics.height()


@lru_cache(maxsize=64)
def _colour(rgba: int) -> QColor:
    return QColor.fromRgba(rgba)
