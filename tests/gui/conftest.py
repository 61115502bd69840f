"""GUI fixtures: private settings, a main window that is closed and destroyed after the test,
and a check after every GUI test that nothing is left behind (no worker thread still running,
no top-level widget still alive) — so each test costs the same whether it runs first or last."""

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory):
    """Every test reads and writes settings in a folder of its own, never the user's."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder))
    return folder


def flush_deletes() -> None:
    """Run the deferred deletes (deleteLater) now: processEvents alone leaves them queued."""
    app = QApplication.instance()
    for _ in range(3):
        app.sendPostedEvents(None, QEvent.DeferredDelete)
        app.processEvents()


@pytest.fixture(autouse=True)
def nothing_left_behind(qapp):
    """After the test (and after pytest-qt has closed the widgets it was given): destroy the
    closed widgets, then fail if a worker thread still runs or a top-level widget lives on."""
    yield
    from cnnviz.gui.workers.base import live_threads

    flush_deletes()
    threads = live_threads()
    widgets = [w for w in QApplication.topLevelWidgets() if not w.inherits("QTipLabel")]
    # pyqtgraph's plots make parentless context menus that live as long as their Python
    # objects: deleted here, not counted; any other window left alive is a leak
    alive = [
        f"{type(w).__name__} {w.objectName()!r}" for w in widgets if w.windowType() != Qt.Popup
    ]
    for widget in widgets:  # the next test starts clean even when this one failed
        if isValid(widget):
            widget.close()
            widget.deleteLater()
    flush_deletes()
    assert not threads, f"worker threads still running after the test: {threads}"
    assert not alive, f"top-level widgets still alive after the test: {alive}"


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
    window.confirm_discard = lambda: "discard"  # no modal question when the test closes it
    yield window
    if isValid(window) and window.isVisible():
        window.close()  # waits (without blocking) for workers to stop, then closes
        qtbot.waitUntil(lambda: not (isValid(window) and window.isVisible()), timeout=10000)
    if isValid(window):  # hidden some other way: its pages' workers are stopped all the same
        for page in window.built_pages():
            page.shutdown()
        qtbot.waitUntil(lambda: not window.busy_texts(), timeout=10000)
    QApplication.processEvents()
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and w is not window and w.isWindow() and not w.inherits("QMenu")
    ]
    assert not leaked, f"top-level windows left open: {leaked}"


@pytest.fixture
def conv_page(main_window):
    main_window.show_page(0)
    return main_window.pages[0]


@pytest.fixture
def pool_page(main_window):
    main_window.show_page(1)
    return main_window.pages[1]
