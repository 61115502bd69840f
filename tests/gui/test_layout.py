"""The screen is used: at 1280×800, 1920×1080 and in presenter mode at 1280×800, each page's
main figures (grid cells, feature-map tiles, the canvas, the accuracy figure) are measured
against their minimums, and nothing is clipped or overlapping (every widget a layout places
lies inside its parent and apart from its neighbours; no label is cut short)."""

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QLabel, QLayout

from cnnviz.gui.pages.conv_page import ConvPage
from cnnviz.gui.pages.pool_page import PoolPage
from cnnviz.gui.widgets.cell_delegate import number_pixels
from cnnviz.gui.widgets.grid_board import LEAST_CELL

SIZES = {
    "1280x800": ((1280, 800), False),
    "1920x1080": ((1920, 1080), False),
    "presenter-1280x800": ((1280, 800), True),
}
# the lecture's 3×3 example: the least cell size at each size (presenter: as large as 1280×800)
LEAST_LECTURE_CELL = {"1280x800": 80, "1920x1080": 140, "presenter-1280x800": 80}


def settle(rounds: int = 6) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def look(window, key: str) -> None:
    (width, height), presenter = SIZES[key]
    window.set_look(presenter=presenter)
    window.resize(width, height)
    settle()
    assert (window.width(), window.height()) == (width, height), "the window grew"


def layout_problems(page) -> list[str]:
    """Widgets a layout places outside their parent or over a neighbour, and labels whose
    text does not fit them."""
    problems = []
    for layout in page.findChildren(QLayout):
        parent = layout.parentWidget()
        if parent is None or not parent.isVisible():
            continue
        placed = []
        for i in range(layout.count()):
            widget = layout.itemAt(i).widget()
            if widget is None or not widget.isVisible():
                continue
            box = widget.geometry()
            name = f"{type(widget).__name__} {widget.objectName()!r} in {type(parent).__name__}"
            if not parent.rect().contains(box):
                problems.append(f"{name}: {box.getRect()} outside {parent.rect().getRect()}")
            for other, other_box in placed:
                if box.intersects(other_box):
                    problems.append(f"{name} overlaps {type(other).__name__}")
            placed.append((widget, box))
    for label in page.findChildren(QLabel):
        if not label.isVisible() or not label.text() or label.pixmap() and not label.text():
            continue
        if label.wordWrap():
            if label.height() + 1 < label.heightForWidth(label.width()):
                problems.append(f"wrapped label cut short: {label.text()[:40]!r}")
        elif label.width() + 1 < label.minimumSizeHint().width():
            problems.append(f"label cut short: {label.text()[:40]!r}")
    return problems


def assert_uses_the_window(window, page, key: str = "") -> None:
    inside = QRect(page.mapTo(window, page.rect().topLeft()), page.size())
    assert window.rect().contains(inside), key
    assert not layout_problems(page), (key, layout_problems(page))


def largest_tile(view) -> float:
    """The largest on-screen width one map of a FeatureMapGrid can have in its view, over every
    arrangement of its maps in columns (one pixel between maps)."""
    import math

    c, h, w = view.shape
    width, height = view.view.width(), view.view.height()
    return max(
        min(width / (cols * (w + 1) - 1), height / (math.ceil(c / cols) * (h + 1) - 1)) * w
        for cols in range(1, c + 1)
    )


def scrolls(grid) -> bool:
    view = grid.view
    return view.horizontalScrollBar().maximum() > 0 or view.verticalScrollBar().maximum() > 0


# -- the grid lessons -------------------------------------------------------------------------
@pytest.mark.parametrize("key", SIZES)
@pytest.mark.parametrize("page_class", [ConvPage, PoolPage], ids=["convolution", "pooling"])
def test_grid_lessons_grow_with_the_window(main_window, key, page_class):
    page = main_window.show_page(page_class)
    look(main_window, key)
    page.load_preset(0)  # the lecture's first example
    settle()
    if not SIZES[key][1]:
        assert page.settings_scroll.isVisible()  # the minimums hold with the settings shown
    cells = {grid.view.cell_size for grid in page.all_grids()}
    assert len(cells) == 1 and min(cells) >= LEAST_LECTURE_CELL[key], cells
    assert not any(scrolls(grid) for grid in page.all_grids())
    title = page.all_grids()[0].title
    assert title.isVisible() and title.width() >= title.sizeHint().width()
    # the numbers' type follows the cell
    assert page.grid_area.cell == min(cells)
    assert number_pixels(min(cells) - 2) >= 0.4 * LEAST_LECTURE_CELL[key] - 2
    assert_uses_the_window(main_window, page)


@pytest.mark.parametrize("key", ["1280x800", "1920x1080"])
def test_the_settings_column_shows_its_rows_whole(main_window, key):
    """Every grid lesson's settings column is as wide as its rows need: it measured them
    once, before they had the page's fonts, and cut off the buttons at their ends."""
    from cnnviz.gui.pages import PAGES
    from cnnviz.gui.pages.grid_lesson import GridLessonPage

    look(main_window, key)
    for entry in PAGES:
        page = main_window.show_page(entry)
        if not isinstance(page, GridLessonPage):
            continue
        settle()
        scroll = page.settings_scroll
        need = scroll.widget().minimumSizeHint().width()
        assert scroll.viewport().width() >= need, (entry.title, need)
        assert scroll.widget().width() >= need


def test_presenter_mode_grids_are_at_least_as_large(main_window):
    page = main_window.show_page(ConvPage)
    page.load_preset(0)
    look(main_window, "1280x800")
    normal = page.grid_area.cell
    look(main_window, "presenter-1280x800")
    assert page.grid_area.cell >= normal
    look(main_window, "presenter-1280x800")
    page.settings_toggle.setChecked(True)  # the settings shown in presenter mode: still fits
    settle()
    assert_uses_the_window(main_window, page)


@pytest.mark.parametrize("key", ["1280x800", "1920x1080"])
def test_a_64_by_64_grid_scrolls_only_at_the_least_cell_size(main_window, key):
    page = main_window.show_page(PoolPage)  # pooling 2×2, stride 2: 64×64 → 32×32
    look(main_window, key)
    page.load_preset(0)
    page.resize_input((64, 64))
    settle()
    cell = page.grid_area.cell
    assert cell >= LEAST_CELL
    if any(scrolls(grid) for grid in page.all_grids()):
        assert cell == LEAST_CELL
    if key == "1920x1080":
        assert not any(scrolls(grid) for grid in page.all_grids())
    assert_uses_the_window(main_window, page)


def test_the_settings_column_collapses_and_is_remembered(main_window, new_window):
    page = main_window.show_page(ConvPage)
    settle()
    before = page.grid_area.cell
    page.settings_toggle.click()
    settle()
    assert not page.settings_scroll.isVisible() and page.grid_area.cell > before
    main_window.close()
    again = new_window()
    again.resize(1280, 800)
    again.show()
    settle()
    page = again.show_page(ConvPage)
    assert not page.settings_scroll.isVisible() and not page.settings_toggle.isChecked()
    again.set_look(presenter=True)  # presenter mode keeps its own choice: collapsed
    page.settings_toggle.click()
    assert page.settings_scroll.isVisibleTo(page)
    again.set_look(presenter=False)
    assert not page.settings_scroll.isVisibleTo(page)


@pytest.mark.parametrize("size", [(600, 200), (200, 600), (400, 400), (120, 90)])
def test_feature_maps_take_the_largest_tiles_their_panel_allows(qtbot, size):
    import numpy as np

    from cnnviz.gui.widgets.feature_grid import FeatureMapGrid

    grid = FeatureMapGrid("maps")
    qtbot.addWidget(grid)
    grid.resize(*size)
    grid.show()
    grid.set_maps(np.random.default_rng(0).random((10, 24, 24)))
    settle()
    assert grid.tile_size() == pytest.approx(largest_tile(grid), rel=0.02)
    grid.resize(size[1], size[0])  # turned: the tiles are rearranged
    settle()
    assert grid.tile_size() == pytest.approx(largest_tile(grid), rel=0.02)


def test_the_layout_check_sees_a_label_cut_short(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    layout.setSizeConstraint(QLayout.SetNoConstraint)  # squeezed, as a page can be
    layout.addWidget(QLabel("a label far too long for the box it has been given"))
    box.show()
    box.resize(60, 40)
    settle()
    assert layout_problems(box)


# -- the Train page ---------------------------------------------------------------------------
def test_train_page_figures_maps_and_status(qtbot, main_window):
    pytest.importorskip("torch")
    from cnnviz.core.training import TrainConfig
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    form = train.form
    form.limit_train.setValue(0)
    assert form.limit_train.text() == "all" and form.config().limit_train is None
    assert form.probe.text().startswith("test image #")
    assert train.views.tabs.currentWidget() is not train.views.branch_page
    config = TrainConfig(
        model="simple", epochs=1, limit_train=640, limit_test=300, snapshot_every=2
    )
    config.snapshot_seconds, config.device = 0.0, "cpu"
    assert train.start(config)
    assert main_window.statusBar().currentMessage().startswith("Training simple")
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    train.repaint_views(force=True)
    status = main_window.statusBar().currentMessage()
    assert "finished" in status and "test accuracy" in status
    views = train.views
    assert views.tabs.currentWidget() is views.filters  # the first tab with something to show
    accuracy = views.figures.accuracy.text()
    assert accuracy.endswith(" %") and float(accuracy[:-2]) == pytest.approx(
        100 * train.accs[-1], abs=0.05
    )
    least_tile = {"1280x800": 70, "1920x1080": 110, "presenter-1280x800": 70}
    for key in SIZES:
        look(main_window, key)
        train.repaint_views(force=True)
        settle()
        figure = views.figures.accuracy
        assert figure.fontInfo().pixelSize() >= 40, key
        assert views.loss_plot.acc_item.getViewBox().height() >= 80, key
        tile = views.features.tile_size()
        assert tile >= least_tile[key], (key, tile)
        assert tile >= 0.98 * largest_tile(views.features), key  # the best arrangement
        assert views.probe_image.tile_size() >= 0.9 * tile, key  # the probe as large as a map
        assert_uses_the_window(main_window, train, key)
    train.controls_toggle.setChecked(True)  # presenter mode with the settings shown: fits too
    settle()
    assert train.controls_scroll.isVisible()
    assert_uses_the_window(main_window, train, "presenter, settings shown")


# -- the Draw page ----------------------------------------------------------------------------
def test_draw_page_canvas_view_and_maps_fill_their_room(qtbot, main_window):
    pytest.importorskip("torch")
    from cnnviz.gui.pages.draw_page import DrawPage
    from tests.gui.gui_helpers import drag

    draw = main_window.show_page(DrawPage)
    settle()
    drag(draw.canvas, [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)])
    qtbot.waitUntil(lambda: draw.shown_id == draw.request_id, timeout=10000)
    least_side = {"1280x800": 560, "1920x1080": 900, "presenter-1280x800": 450}
    for key in SIZES:
        look(main_window, key)
        settle()
        canvas = draw.canvas
        assert canvas.width() == canvas.height() >= least_side[key], (key, canvas.size())
        # no dead band under the canvas; in presenter mode at 1280×800 the columns beside it
        # are at their least width, and the canvas, square, cannot take the whole height
        below = draw.height() - canvas.geometry().bottom()
        assert below < (0.25 if SIZES[key][1] else 0.12) * draw.height(), (key, below)
        assert draw.seen.tile_size() >= 0.95 * draw.seen.width(), key  # fills its column
        # presenter mode at 1280×800 shares the right column with the attribution tabs' bar
        least_tile = 70 if SIZES[key][1] else 80
        assert draw.maps.tile_size() >= least_tile, (key, draw.maps.tile_size())
        assert draw.maps.tile_size() >= 0.98 * largest_tile(draw.maps), key
        assert_uses_the_window(main_window, draw, key)


def test_screenshots_take_a_window_size():
    from cnnviz.gui.screenshots import parse_size

    assert parse_size("1920x1080") == (1920, 1080) and parse_size("1280×800") == (1280, 800)
    for bad in ("big", "1920", "10x10"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_the_screenshot_script_names_pages_by_their_class(main_window):
    from cnnviz.gui.screenshots import page_index

    for name in ("ConvPage", "PoolPage", "BackwardPage", "GroupedPage"):
        assert type(main_window.show_page(page_index(name))).__name__ == name
    with pytest.raises(LookupError, match="NoSuchPage"):
        page_index("NoSuchPage")


@pytest.mark.parametrize("page_class", [ConvPage, PoolPage], ids=["convolution", "pooling"])
def test_the_board_measures_what_its_layout_asks(main_window, page_class):
    page = main_window.show_page(page_class)
    page.channel_spin.setValue(2)  # stacked grids; the convolution's output spans both rows
    settle()
    board = page.grid_area
    for cell in (board.cell, LEAST_CELL, 40, 150, board.cell):
        need = board.needed(cell)
        board.apply(cell)
        settle()
        board.grid.invalidate()
        hint = board.grid.sizeHint()
        assert abs(hint.width() - need.width()) <= 4 and abs(hint.height() - need.height()) <= 4


# -- the Architecture page ------------------------------------------------------------------------
def test_architecture_page_fits_every_size(qtbot, main_window):
    pytest.importorskip("torch")
    from cnnviz.gui.pages.architecture_page import ArchitecturePage

    page = main_window.show_page(ArchitecturePage)
    page.select_model("inception")
    qtbot.waitUntil(lambda: not page.busy, timeout=60000)
    for key in SIZES:
        look(main_window, key)
        assert_uses_the_window(main_window, page, key)


# -- the Trace page ------------------------------------------------------------------------------
def test_trace_page_fits_every_size_with_legible_maps_and_grids(qtbot, main_window):
    pytest.importorskip("torch")
    from cnnviz.gui.pages.trace_page import TracePage

    page = main_window.show_page(TracePage)
    qtbot.waitUntil(
        lambda: page.trace is not None and page.shown_id == page.request_id, timeout=20000
    )
    page.select_unit(page.trace.index("conv2"), 3, 2, 5)
    for key in SIZES:
        look(main_window, key)
        settle()
        assert_uses_the_window(main_window, page, key)
        view = page.overview
        scale = view.transform().m11()
        # a map tile at least 40 px on screen, the input at least 120 px
        tile = page.overview.items_by_node[1].geometry.tile_w * scale
        assert tile >= 40, (key, tile)
        assert page.overview.items_by_node[0].geometry.tile_w * scale >= 120, key
        # the window and kernel grids of the arithmetic: legible cells, all 5 rows shown
        grid = page.arithmetic.window
        assert grid.isVisible() and grid.view.cell_size >= 26, (key, grid.view.cell_size)
        bottom = grid.view.mapTo(page, grid.view.rect().bottomLeft()).y()
        assert bottom <= page.height(), (key, bottom, page.height())
