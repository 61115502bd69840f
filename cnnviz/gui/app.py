"""Starting the GUI: the application object, style and main window."""

from __future__ import annotations

import sys


def create_app(argv=None):
    """The QApplication (made once), with cnnviz's name and style."""
    from PySide6.QtWidgets import QApplication

    from cnnviz.gui.style import STYLE_SHEET

    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("cnnviz")
    app.setOrganizationName("cnnviz")
    app.setStyleSheet(STYLE_SHEET)
    font = app.font()
    if font.pointSizeF() < 11:
        font.setPointSizeF(11)
        app.setFont(font)
    return app


def run(argv=None) -> int:
    """Show the main window and run the event loop; returns the exit code."""
    app = create_app(argv)
    from cnnviz.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    return app.exec()
