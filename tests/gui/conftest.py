"""A main-window fixture that closes the window and fails on leaked top-level windows."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory):
    """Every test reads and writes settings in a folder of its own, never the user's."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder))
    return folder


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
