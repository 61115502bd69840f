"""Hold a window's repaints while its layout settles after a large change.

A change of zoom, presenter mode or theme, a page built for the first time, or a lesson whose
grids are made again lays the window out over several turns of the event loop: each layout
that changes a widget's size asks its parent for another on the next turn. Qt repaints the
window after each of those turns, so a zoom on the Train page painted it four times (412 paint
events for 73 widgets). Held, the window is painted once, after the layout has settled, and
each turn of the event loop in between stays short.
"""

from __future__ import annotations

TURNS = 3  # turns of the event loop a layout takes to settle (deeper cascades are rare; a
# layout still running when the hold ends is painted as before, nothing is lost)
LONGEST = 0.15  # seconds: holds that follow each other (zoom on a key held down) are not
# extended past this, so that the window still shows each step now and then


def hold_repaints(widget, turns: int = TURNS) -> None:
    """Hold the repaints of ``widget``'s window for the next ``turns`` turns of the event loop.

    Holds nest: the window repaints once the last one ends (and then in full). A widget not
    on screen holds nothing: nothing of it is painted anyway. Nor does a window held for
    :data:`LONGEST` already: changes that come one after another keep showing."""
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    if not widget.isVisible():
        return
    window = QWidget.window(widget)  # (a page may have a widget of its own named "window")
    holds = getattr(window, "_repaint_holds", 0)
    if holds == 0:
        window.setUpdatesEnabled(False)
        window._held_since = time.monotonic()
    elif time.monotonic() - window._held_since > LONGEST:
        return
    window._repaint_holds = holds + 1
    generation = getattr(window, "_repaint_generation", 0)

    def turn(left: int) -> None:
        if getattr(window, "_repaint_generation", 0) != generation:
            return  # released at once meanwhile (release_repaints)
        if left > 1:
            QTimer.singleShot(0, window, lambda: turn(left - 1))
            return
        window._repaint_holds -= 1
        if window._repaint_holds == 0:
            window.setUpdatesEnabled(True)  # schedules a repaint of the whole window

    QTimer.singleShot(0, window, lambda: turn(turns))


def release_repaints(widget) -> None:
    """End every hold of ``widget``'s window now, laying it out first: a widget drawn into an
    image (``grab``, ``render``) while its window holds its repaints comes out blank."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QWidget

    window = QWidget.window(widget)
    if getattr(window, "_repaint_holds", 0) == 0:
        return
    window._repaint_generation = getattr(window, "_repaint_generation", 0) + 1
    window._repaint_holds = 0
    for _ in range(TURNS):  # the layout the hold waited for
        QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
    window.setUpdatesEnabled(True)


def repaints_held(widget) -> bool:
    """Whether ``widget``'s window is holding its repaints now."""
    from PySide6.QtWidgets import QWidget

    return getattr(QWidget.window(widget), "_repaint_holds", 0) > 0
