"""A main-window fixture that closes the window and fails on leaked top-level windows."""

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture
def main_window(qtbot):
    from cnnviz.gui.app import create_app
    from cnnviz.gui.main_window import MainWindow

    create_app()
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    yield window
    window.close()
    QApplication.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets()
              if w.isVisible() and w is not window and w.isWindow()
              and not w.inherits("QMenu")]
    assert not leaked, f"top-level windows left open: {leaked}"


@pytest.fixture
def conv_page(main_window):
    main_window.show_page(0)
    return main_window.pages[0]


@pytest.fixture
def pool_page(main_window):
    main_window.show_page(1)
    return main_window.pages[1]


def texts(grid):
    """All cell texts of a LabeledGrid, as a list of rows."""
    model = grid.model
    return [[model.text(r, c) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def highlighted(grid, style):
    return sorted(cell for cell, s in grid.model.highlights.items() if s == style)


def type_into(qtbot, grid, row, col, text):
    """Edit a cell as a user does: select it, type, press Enter."""
    from PySide6.QtCore import Qt

    view = grid.view
    index = view.model().index(row, col)
    view.setFocus()
    view.setCurrentIndex(index)
    view.edit(index)
    editor = QApplication.focusWidget()
    assert editor is not view, "no cell editor opened"
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key_Backspace)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key_Return)
    QApplication.processEvents()


def click_cell(qtbot, grid, row, col):
    from PySide6.QtCore import Qt

    rect = grid.view.cell_rect(row, col)
    qtbot.mouseClick(grid.view.viewport(), Qt.LeftButton, pos=rect.center())
