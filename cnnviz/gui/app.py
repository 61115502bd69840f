"""Starting the GUI: the application object, style and main window."""

from __future__ import annotations

import sys

from cnnviz.gui.appearance.look import apply_look, remember_system_look

# How long a busy thread may hold the Python lock while the GUI thread waits for it: the one
# process-wide setting made here (the other, a gc.freeze() of start-up's objects, is in
# workers/preload.py with its figure). Qt calls back into Python for every paint, size hint
# and event handler, and each call takes the lock: beside a thread running Python (a training
# run's Python between its tensor operations, a page's worker, the imports at start-up), a
# zoom of the Train page took 750 ms at Python's own 5 ms and 620 ms at 0.2 ms (78 ms alone),
# a Grouped example change 213 and 139 ms (52 ms alone): bench_lock_wait.py, 5 rounds, 2 busy
# cores. The Train page's training speed did not move at 0.2 (bench_train.py, c/b 0.97).
GUI_SWITCH_INTERVAL_S = 0.0002


def create_app(argv=None):
    """The QApplication (made once), with cnnviz's name and style."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        # 125 % and 150 % screens get exactly that scale, not one rounded to 1× or 2×
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    remember_system_look(app)
    app.setApplicationName("cnnviz")
    app.setOrganizationName("cnnviz")
    app.setDesktopFileName("io.github.cnnviz")
    from importlib import resources

    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(resources.files("cnnviz.resources") / "cnnviz.png")))
    apply_look(app)
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    return app


def run(argv=None, self_test: bool = False) -> int:
    """Show the main window and run the event loop; returns the exit code.

    ``self_test``: once the window is shown, build every page, print one line per page and
    quit (exit 1 if a page failed) — a check for installed and frozen builds."""
    if self_test:
        from cnnviz.gui.settings import use_private_settings

        use_private_settings()
    app = create_app(argv)
    from cnnviz.gui.window.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    open_lesson_arguments(window, argv)
    if self_test:
        from PySide6.QtCore import QTimer

        outcome = {"code": 0}

        def visit_every_page():
            from cnnviz import __version__
            from cnnviz.gui.pages import PAGES

            print(
                f"cnnviz {__version__}: window shown "
                f"({window.width()}x{window.height()}, {app.platformName()}, device pixel "
                f"ratio {window.devicePixelRatio():g})",
                flush=True,
            )
            for index, entry in enumerate(PAGES):
                try:
                    page = window.show_page(entry)
                    app.processEvents()
                    print(f"  page {index + 1} {entry.title}: {type(page).__name__} ok", flush=True)
                except Exception as exc:  # report every page, then fail
                    print(f"  page {index + 1} {entry.title}: FAILED {exc!r}", flush=True)
                    outcome["code"] = 1
            window.confirm_discard = lambda: "discard"
            app.setQuitOnLastWindowClosed(False)
            window.close()  # the workers stop; the window closes when they have
            wait_for_close()

        def wait_for_close():
            if window.isVisible():
                QTimer.singleShot(20, wait_for_close)
            else:
                app.exit(outcome["code"])

        QTimer.singleShot(0, visit_every_page)
    return app.exec()


def open_lesson_arguments(window, argv) -> str:
    """`cnnviz lesson.cnnviz` (a double-click in the file manager): open the first .cnnviz
    argument once the event loop runs; returns it ("" when there is none)."""
    lessons = [a for a in (argv or [])[1:] if a.lower().endswith(".cnnviz")]
    if lessons:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: window.lesson_files.open_reporting(lessons[0]))
    return lessons[0] if lessons else ""


def staged_window(width: int = 1280, height: int = 800):
    """(app, main window) for scripts — screenshots, benchmarks: offscreen unless a display is
    set, private settings (the user's are neither read nor changed), no quit question."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from cnnviz.gui.settings import use_private_settings

    use_private_settings()
    app = create_app()
    from cnnviz.gui.window.main_window import MainWindow

    window = MainWindow()
    window.resize(width, height)
    window.show()
    window.confirm_discard = lambda: "discard"
    return app, window
