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


def hold_repaints(widget, turns: int = TURNS) -> None:
    """Hold the repaints of ``widget``'s window for the next ``turns`` turns of the event loop.

    Holds nest: the window repaints once the last one ends (and then in full). A hidden window
    is not held: nothing of it is painted anyway."""
    from PySide6.QtCore import QTimer

    window = widget.window()
    if not window.isVisible():
        return
    holds = getattr(window, "_repaint_holds", 0)
    if holds == 0:
        window.setUpdatesEnabled(False)
    window._repaint_holds = holds + 1

    def turn(left: int) -> None:
        if left > 1:
            QTimer.singleShot(0, window, lambda: turn(left - 1))
            return
        window._repaint_holds -= 1
        if window._repaint_holds == 0:
            window.setUpdatesEnabled(True)  # schedules a repaint of the whole window

    QTimer.singleShot(0, window, lambda: turn(turns))


def repaints_held(widget) -> bool:
    """Whether ``widget``'s window is holding its repaints now."""
    return getattr(widget.window(), "_repaint_holds", 0) > 0
