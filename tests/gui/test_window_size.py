"""On a projector: the window keeps the size it was given, whatever the page, the zoom and the
mode; what does not fit scrolls inside it."""

import time

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from cnnviz.gui.pages import PAGES

pytest.importorskip("torch")

SIZE = (1280, 800)


def settle(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def walk(window, page) -> None:
    """What a lecturer does on a page: a unit clicked (Trace), steps forward, the last step."""
    if type(page).__name__ == "TracePage":
        deadline = time.monotonic() + 30
        while not page.traced() and time.monotonic() < deadline:
            settle(0.1)
        assert page.traced()
        trace = page.trace
        page.select_unit(trace.index("conv1"), 3, 5, 6)
        settle()
        page.select_unit(trace.index("fc"), 0)
    for _ in range(3):
        page.next_step()
    page.last_step()


@pytest.mark.parametrize(
    "look", [{"presenter": True}, {"zoom": 1.5}, {"presenter": True, "zoom": 1.25}]
)
def test_no_page_grows_the_window_in_presenter_mode_or_zoomed(main_window, look):
    window = main_window
    window.resize(*SIZE)
    window.set_look(**look)
    settle()
    assert (window.width(), window.height()) == SIZE
    for index, entry in enumerate(PAGES):
        page = window.show_page(index)
        settle(0.5)
        walk(window, page)
        settle(0.5)
        assert (window.width(), window.height()) == SIZE, (entry.title, look)
    room = window.findChild(QScrollArea, "pageRoom")
    assert room is not None and room.widget() is window.stack
