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
    for entry in PAGES:
        page = window.show_page(entry)
        settle(0.5)
        walk(window, page)
        settle(0.5)
        assert (window.width(), window.height()) == SIZE, (entry.title, look)
    room = window.findChild(QScrollArea, "pageRoom")
    assert room is not None and room.widget() is window.stack


def test_the_trace_arithmetic_never_scrolls_sideways_on_a_projector(main_window):
    """Presenter mode at 1280×800: before and after a unit is clicked, the arithmetic panel
    fits its width (the step bar drops its words for its icons; the step's title wraps)."""
    from cnnviz.gui.pages.trace_page import TracePage

    window = main_window
    window.resize(*SIZE)
    window.set_look(presenter=True)
    page = window.show_page(TracePage)
    deadline = time.monotonic() + 30
    while not page.traced() and time.monotonic() < deadline:
        settle(0.1)
    panel = page.arithmetic
    viewport = panel.parentWidget()
    settle()
    assert panel.width() <= viewport.width()
    page.select_unit(page.trace.index("conv1"), 3, 5, 6)
    settle()
    assert panel.width() <= viewport.width()
    bar = panel.step_bar
    assert not bar.worded and bar.first.text() == "" and bar.first.toolTip()
    window.set_look(presenter=False)
    window.resize(1920, 1080)
    settle()
    assert bar.worded and bar.first.text() == "First"  # the words come back where they fit


def test_a_step_bar_shows_its_words_where_they_fit(qtbot):
    from PySide6.QtWidgets import QWidget

    from cnnviz.gui.widgets.step_bar import StepBar

    holder = QWidget()  # no layout: the bar takes whatever width it is given
    qtbot.addWidget(holder)
    bar = StepBar(holder)
    holder.resize(1200, 60)
    holder.show()
    qtbot.waitExposed(holder)
    bar.set_count(5)
    wide, narrow = bar.least_width(True), bar.least_width(False)
    assert narrow < wide and bar.minimumSizeHint().width() == narrow
    bar.resize(narrow, 40)
    assert not bar.worded and [b.text() for b in bar._buttons()] == [""] * 5
    bar.toggle_play()
    assert bar.play.text() == "" and bar.playing
    wide = bar.least_width(True)  # "Pause" is not as wide as "Play"
    bar.resize(wide, 40)
    assert bar.worded and bar.play.text() == "Pause" and bar.next.text() == "Next"
    bar.stop()
