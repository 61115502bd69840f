"""Helpers for GUI tests: read grids, type into cells, click cells like a user."""

from PySide6.QtWidgets import QApplication


def texts(grid):
    """All cell texts of a LabeledGrid, as a list of rows."""
    model = grid.model
    return [[model.text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def highlighted(grid, style):
    return sorted(cell for cell, s in grid.model.highlights.items() if s == style)


def type_into(qtbot, grid, row, col, text):
    """Edit a cell as a user does: select it, type, press Enter."""
    from PySide6.QtCore import Qt

    view = grid.view
    # a grid just made is shown, and laid out, at the next turns of the event loop
    qtbot.waitUntil(lambda: not view.visibleRegion().isEmpty(), timeout=2000)
    index = view.model().index(row, col)
    view.setFocus()
    view.setCurrentIndex(index)
    view.edit(index)
    editor = QApplication.focusWidget()
    if editor is None or editor is view:  # the window is not active: the editor has no focus
        editor = view.indexWidget(index)
    assert editor is not None and editor is not view, "no cell editor opened"
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key_Backspace)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key_Return)
    QApplication.processEvents()


def click_cell(qtbot, grid, row, col):
    from PySide6.QtCore import Qt

    rect = grid.view.cell_rect(row, col)
    qtbot.mouseClick(grid.view.viewport(), Qt.LeftButton, pos=rect.center())


def drag(canvas, points):
    """Press, move (with the left button held) through ``points`` (0–1 of the canvas), release."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    side = min(canvas.width(), canvas.height())

    def send(kind, x, y, button, buttons):
        pos = QPointF(x * side, y * side)
        event = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button, buttons, Qt.NoModifier)
        QApplication.sendEvent(canvas, event)

    (x0, y0), rest = points[0], points[1:]
    send(QEvent.MouseButtonPress, x0, y0, Qt.LeftButton, Qt.LeftButton)
    for (xa, ya), (xb, yb) in zip(points, rest):
        for t in range(1, 9):
            send(
                QEvent.MouseMove,
                xa + (xb - xa) * t / 8,
                ya + (yb - ya) * t / 8,
                Qt.NoButton,
                Qt.LeftButton,
            )
    xe, ye = points[-1]
    send(QEvent.MouseButtonRelease, xe, ye, Qt.LeftButton, Qt.NoButton)


def described(source):
    """(source, what the compute service says of its model), for a panel made in a test: the
    model is built here, in the test's thread, and dropped."""
    from cnnviz.gui.workers.draw_jobs import describe_model

    return source, describe_model(*source.make())
