"""The grid cells' numbers, laid out once and cached, land where Qt's drawText would put them."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from cnnviz.gui.widgets import cell_delegate
from cnnviz.gui.widgets.cell_delegate import _font, _static_text, paint_cells
from cnnviz.gui.widgets.grid_model import GridModel
from cnnviz.gui.widgets.grid_view import GridView


def blank(view) -> QImage:
    image = QImage(view.viewport().size(), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    return image


@pytest.mark.parametrize("side, cell", [(8, 60), (16, 40), (33, 24), (64, 16)])
def test_cached_numbers_are_drawn_where_draw_text_draws_them(qtbot, monkeypatch, side, cell):
    rng = np.random.default_rng(side)
    model = GridModel(editable=True)
    kinds = np.zeros((side, side), dtype=int)
    kinds[0, :] = 1  # a row of padding: italic, grey
    model.set_values(rng.integers(-99, 100, size=(side, side)).astype(float), kinds)
    model.set_highlights({(1, 1): "window", (2, 2): "current"}, pending_after=side * side // 2)
    view = GridView(model, cell)
    qtbot.addWidget(view)
    view.resize(side * cell + 4, side * cell + 4)
    view.show()
    qtbot.waitExposed(view)

    cached = blank(view)
    painter = QPainter(cached)
    paint_cells(painter, view, QRect(0, 0, cached.width(), cached.height()))
    painter.end()

    def draw_text_instead(family, pixels, bold, italic, text):  # the reference: no cache
        class Static:
            def text(self):
                return text

        return Static(), 1e9, 0.0  # "too wide": paint_cells falls back to drawText

    cell_delegate._static_text.cache_clear()
    monkeypatch.setattr(cell_delegate, "_static_text", draw_text_instead)
    reference = blank(view)
    painter = QPainter(reference)
    paint_cells(painter, view, QRect(0, 0, reference.width(), reference.height()))
    painter.end()
    assert cached == reference


def test_a_static_number_has_the_box_draw_text_centres():
    font = _font("DejaVu Sans", 20, False, False)[0]
    static, width, height = _static_text("DejaVu Sans", 20, False, False, "-42")
    assert static.text() == "-42" and width > 0 and height > 0
    rect = QRectF(0, 0, 80, 80)
    one, two = QImage(80, 80, QImage.Format_ARGB32), QImage(80, 80, QImage.Format_ARGB32)
    for image in (one, two):
        image.fill(QColor("white"))
    painter = QPainter(one)
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignCenter, "-42")
    painter.end()
    painter = QPainter(two)
    painter.setFont(font)
    painter.drawStaticText(QPointF((80 - width) / 2, (80 - height) / 2), static)
    painter.end()
    assert one == two
