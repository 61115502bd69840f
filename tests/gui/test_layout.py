"""The screen is used: at 1280×800, 1920×1080 and in presenter mode at 1280×800, each page's
main figures (grid cells, feature-map tiles, the canvas, the accuracy figure) are measured
against their minimums, and nothing is clipped or overlapping (every widget a layout places
lies inside its parent and apart from its neighbours; no label is cut short)."""

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QLabel, QLayout

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


def assert_uses_the_window(window, page) -> None:
    inside = QRect(page.mapTo(window, page.rect().topLeft()), page.size())
    assert window.rect().contains(inside)
    assert not layout_problems(page), layout_problems(page)


def scrolls(grid) -> bool:
    view = grid.view
    return view.horizontalScrollBar().maximum() > 0 or view.verticalScrollBar().maximum() > 0


# -- the grid lessons -------------------------------------------------------------------------
@pytest.mark.parametrize("key", SIZES)
@pytest.mark.parametrize("index", [0, 1], ids=["convolution", "pooling"])
def test_grid_lessons_grow_with_the_window(main_window, key, index):
    page = main_window.show_page(index)
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
    # the numbers' type follows the cell: 0.4 of it
    assert page.grid_area.cell == min(cells)
    assert_uses_the_window(main_window, page)


def test_presenter_mode_grids_are_at_least_as_large(main_window):
    page = main_window.show_page(0)
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
    page = main_window.show_page(1)  # pooling 2×2, stride 2: 64×64 → 32×32
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
    page = main_window.show_page(0)
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
    page = again.show_page(0)
    assert not page.settings_scroll.isVisible() and not page.settings_toggle.isChecked()
    again.set_look(presenter=True)  # presenter mode keeps its own choice: collapsed
    page.settings_toggle.click()
    assert page.settings_scroll.isVisibleTo(page)
    again.set_look(presenter=False)
    assert not page.settings_scroll.isVisibleTo(page)
