"""GUI fixtures: private settings, a main window that is closed and destroyed after the test,
and a check after every GUI test that nothing is left behind (no worker thread still running,
no top-level widget still alive) — so each test costs the same whether it runs first or last."""

import gc
import os
import sys
import time

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory):
    """Every test reads and writes settings in a folder of its own, never the user's."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder))
    return folder


def close_main_window(window) -> None:
    """Close a main window as a user does and wait (10 s at most) until it has closed and
    its workers have stopped. Only then may it be deleted: a window deleted while it waits
    for its workers leaves their threads running."""
    if not isValid(window):
        return
    deadline = time.monotonic() + 10
    window.close()
    while window.isVisible() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    for page in window.built_pages():  # hidden some other way: its workers stop all the same
        page.shutdown()
    while window.busy_texts() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)


def flush_deletes() -> None:
    """Run the deferred deletes (deleteLater) now: processEvents alone leaves them queued."""
    app = QApplication.instance()
    for _ in range(3):
        app.sendPostedEvents(None, QEvent.DeferredDelete)
        app.processEvents()


@pytest.fixture(autouse=True, scope="session")
def note_where_workers_start():
    """Each worker thread remembers the test that made it (named when one is left behind)."""
    import os

    from cnnviz.gui.workers.base import WorkerThread

    real = WorkerThread.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        self.thread.setObjectName(
            f"{self.thread.objectName()} (made in {os.environ.get('PYTEST_CURRENT_TEST', '?')})"
        )

    WorkerThread.__init__ = init
    yield
    WorkerThread.__init__ = real


def _say_qt_fatal_first(config):
    """Install a Qt message handler that writes a fatal message (a QThread destroyed while
    running, say) at once to the stream pytest's crash report goes to, then hands every
    message to the handler it found (pytest-qt's capture, during a test). pytest-qt keeps
    messages for the test's report, which a process aborted by the message never writes.
    Returns the function that puts the previous handler back."""
    try:
        from _pytest.faulthandler import fault_handler_stderr_fd_key

        fd = config.stash[fault_handler_stderr_fd_key]
    except (ImportError, KeyError):
        fd = 2
    previous = None

    def handler(mode, context, message):
        if mode == QtMsgType.QtFatalMsg:
            os.write(fd, f"\nQt fatal message: {message}\n".encode(errors="replace"))
        if previous is not None:
            previous(mode, context, message)
        elif mode != QtMsgType.QtFatalMsg:
            print(message, file=sys.stderr)  # where Qt's own handler would have put it

    previous = qInstallMessageHandler(handler)

    def restore() -> None:
        current = qInstallMessageHandler(previous)
        if current is not handler:  # another handler was put on top meanwhile: it stays
            qInstallMessageHandler(current)

    return restore


# In a GUI test's call and teardown, on top of whatever handler is in place then: pytest-qt
# installs its capture during the setup (inside this hook's setup wrapper, were there one: the
# capture would then hand its messages to a handler left behind) and takes it away after the
# call, before the teardown (where one CI run aborted without a word).
@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_call(item):
    restore = _say_qt_fatal_first(item.config)
    yield
    restore()


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item):
    restore = _say_qt_fatal_first(item.config)
    yield
    restore()


@pytest.fixture(autouse=True)
def nothing_left_behind(qapp, note_where_workers_start):
    """After the test (and after pytest-qt has closed the widgets it was given): destroy the
    closed widgets, then fail if a worker thread still runs or a top-level widget lives on."""
    yield
    from cnnviz.gui.workers.base import live_threads

    flush_deletes()
    # Cyclic garbage of this test (Qt objects held by Python cycles) is collected here, at a
    # quiet moment: left to Python's automatic collection, it was once collected inside a Qt
    # signal disconnect whose lock its destructor then waited for (a deadlock, seen by py-spy).
    gc.collect()
    flush_deletes()
    threads = live_threads()
    widgets = [w for w in QApplication.topLevelWidgets() if not w.inherits("QTipLabel")]
    # pyqtgraph's plots make parentless context menus that live as long as their Python
    # objects: deleted here, not counted; any other window left alive is a leak
    alive = [
        f"{type(w).__name__} {w.objectName()!r}" for w in widgets if w.windowType() != Qt.Popup
    ]
    for widget in widgets:  # the next test starts clean even when this one failed
        if isValid(widget) and hasattr(widget, "busy_texts"):
            close_main_window(widget)
        if isValid(widget):
            widget.close()
            widget.deleteLater()
    flush_deletes()
    assert not threads, f"worker threads still running after the test: {threads}"
    assert not alive, f"top-level widgets still alive after the test: {alive}"


@pytest.fixture
def new_window():
    """Makes more main windows (a restart, say); each is closed as a user does, its workers
    stopped, and destroyed after the test."""
    from cnnviz.gui.window.main_window import MainWindow

    made = []

    def make():
        window = MainWindow()
        window.confirm_discard = lambda: "discard"
        made.append(window)
        return window

    yield make
    for window in made:
        close_main_window(window)
        if isValid(window):
            window.deleteLater()


@pytest.fixture
def main_window(qtbot):
    from cnnviz.gui.app import create_app
    from cnnviz.gui.window.main_window import MainWindow

    create_app()
    window = MainWindow()  # not given to qtbot: pytest-qt would delete it before it closed
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    # the lesson shown is built once the window has been painted (on screen at once)
    qtbot.waitUntil(lambda: window.current_page() in window.built_pages(), timeout=10000)
    window.activateWindow()
    window.confirm_discard = lambda: "discard"  # no modal question when the test closes it
    yield window
    close_main_window(window)
    assert not window.isVisible() and not window.busy_texts(), window.busy_texts()
    QApplication.processEvents()
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and w is not window and w.isWindow() and not w.inherits("QMenu")
    ]
    window.deleteLater()
    assert not leaked, f"top-level windows left open: {leaked}"


@pytest.fixture
def conv_page(main_window):
    from cnnviz.gui.pages.conv_page import ConvPage

    return main_window.show_page(ConvPage)


@pytest.fixture
def pool_page(main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    return main_window.show_page(PoolPage)


@pytest.fixture
def compute():
    """A compute service for a page or widget made outside a main window (a window makes its
    own); stopped after the test."""
    from cnnviz.gui.workers.compute_service import ComputeService

    service = ComputeService()
    yield service
    assert service.shutdown(10000)


@pytest.fixture
def held_run_end(monkeypatch):
    """An Event: until it is set, a training thread that has fired its run's end holds back the
    snapshots and checkpoints still waiting for that end — the order a busy machine can give,
    where the page has handled "ended" and the run is not yet done. Set at teardown whatever
    happens, so no training thread is left waiting."""
    import threading

    from cnnviz.core.training.snapshots import SnapshotRequests

    release = threading.Event()
    serve = SnapshotRequests.serve

    def held_at_the_end(self, take, final=False):
        if final:
            release.wait(30)
        serve(self, take, final)

    monkeypatch.setattr(SnapshotRequests, "serve", held_at_the_end)
    yield release
    release.set()
