"""Starting the GUI: the application object, style and main window."""

from __future__ import annotations

import sys


THEMES = ("system", "light", "dark")
_system_look: dict = {}  # the palette and style the system gave, to return to


def create_app(argv=None):
    """The QApplication (made once), with cnnviz's name and style."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        # 125 % and 150 % screens get exactly that scale, not one rounded to 1× or 2×
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    if not _system_look:
        _system_look.update(palette=app.palette(), style=app.style().name())
    app.setApplicationName("cnnviz")
    app.setOrganizationName("cnnviz")
    app.setDesktopFileName("io.github.cnnviz")
    from importlib import resources

    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(resources.files("cnnviz.resources") / "cnnviz.png")))
    apply_look(app)
    return app


def dark_palette():
    """A dark palette for Qt's Fusion style (View → Theme → Dark)."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {QPalette.Window: "#1b1f27", QPalette.WindowText: "#f3f4f6",
             QPalette.Base: "#111827", QPalette.AlternateBase: "#1f2937",
             QPalette.ToolTipBase: "#f3f4f6", QPalette.ToolTipText: "#111827",
             QPalette.Text: "#f3f4f6", QPalette.Button: "#273040",
             QPalette.ButtonText: "#f3f4f6", QPalette.BrightText: "#ff6b6b",
             QPalette.Highlight: "#3b82f6", QPalette.HighlightedText: "#ffffff",
             QPalette.Link: "#93c5fd", QPalette.PlaceholderText: "#9ca3af"}
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor("#6b7280"))
    return palette


def is_dark(app) -> bool:
    """Whether the application's palette is dark (window darker than its text)."""
    from PySide6.QtGui import QPalette

    palette = app.palette()
    return palette.color(QPalette.Window).lightness() < palette.color(
        QPalette.WindowText).lightness()


def apply_look(app, scale: float = 1.0, presenter: bool = False, theme: str = "system") -> None:
    """Palette, fonts and style sheet for a theme ("system" follows the desktop's light or
    dark palette), a zoom ``scale`` and presenter mode."""
    from PySide6.QtWidgets import QStyleFactory

    from cnnviz.gui import theme as colours
    from cnnviz.gui.style import point_size, style_sheet

    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    if theme == "system":
        if _system_look and app.style().name() != _system_look["style"]:
            app.setStyle(QStyleFactory.create(_system_look["style"]))
        if _system_look:
            app.setPalette(_system_look["palette"])
    else:
        if app.style().name().lower() != "fusion":
            app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette() if theme == "dark" else
                       app.style().standardPalette())
    colours.DARK = is_dark(app)
    font = app.font()
    font.setPointSizeF(point_size(scale, presenter))
    app.setFont(font)
    app.setStyleSheet(style_sheet(scale, presenter, colours.DARK))


def run(argv=None, self_test: bool = False) -> int:
    """Show the main window and run the event loop; returns the exit code.

    ``self_test``: once the window is shown, build every page, print one line per page and
    quit (exit 1 if a page failed) — a check for installed and frozen builds."""
    if self_test:
        from cnnviz.gui.settings import use_private_settings

        use_private_settings()
    app = create_app(argv)
    from cnnviz.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    if self_test:
        from PySide6.QtCore import QTimer

        outcome = {"code": 0}

        def visit_every_page():
            from cnnviz import __version__
            from cnnviz.gui.main_window import LESSONS

            print(f"cnnviz {__version__}: window shown "
                  f"({window.width()}x{window.height()}, {app.platformName()}, device pixel "
                  f"ratio {window.devicePixelRatio():g})", flush=True)
            for index, (title, _) in enumerate(LESSONS):
                try:
                    page = window.show_page(index)
                    app.processEvents()
                    print(f"  page {index + 1} {title}: {type(page).__name__} ok", flush=True)
                except Exception as exc:  # report every page, then fail
                    print(f"  page {index + 1} {title}: FAILED {exc!r}", flush=True)
                    outcome["code"] = 1
            window.confirm_discard = lambda: "discard"
            window.close()
            app.exit(outcome["code"])

        QTimer.singleShot(0, visit_every_page)
    return app.exec()


def staged_window(width: int = 1280, height: int = 800):
    """(app, main window) for scripts — screenshots, benchmarks: offscreen unless a display is
    set, private settings (the user's are neither read nor changed), no quit question."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from cnnviz.gui.settings import use_private_settings

    use_private_settings()
    app = create_app()
    from cnnviz.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(width, height)
    window.show()
    window.confirm_discard = lambda: "discard"
    return app, window
