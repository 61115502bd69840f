"""Hold a window's repaints while its layout settles after a large change.

A change of zoom, presenter mode or theme, a page built for the first time, or a lesson whose
grids are made again lays the window out over several turns of the event loop: each layout
that changes a widget's size asks its parent for another on the next turn. Qt repaints the
window after each of those turns, so a zoom on the Train page painted it four times (412 paint
events for 73 widgets). Held, the window is painted once, after the layout has settled, and
each turn of the event loop in between stays short.
"""

from __future__ import annotations

import weakref

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
        _held_part(window).setUpdatesEnabled(False)
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
            _resume(window)

    QTimer.singleShot(0, window, lambda: turn(turns))


_DRAWN_LATER: weakref.WeakSet = weakref.WeakSet()


def draws_later(widget) -> None:
    """Register ``widget`` as one that spreads its drawing over several repaints, to keep
    each short: :func:`release_repaints` calls its ``finish_drawing()`` before a grab."""
    _DRAWN_LATER.add(widget)


def release_repaints(widget) -> None:
    """Make ``widget``'s window ready to be drawn into an image (``grab``, ``render``) now: a
    window holding its repaints comes out blank, so every hold ends, the window laid out first;
    and a widget that draws over several repaints (:func:`draws_later`) finishes its drawing."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QWidget
    from shiboken6 import isValid

    window = QWidget.window(widget)
    if getattr(window, "_repaint_holds", 0) > 0:
        window._repaint_generation = getattr(window, "_repaint_generation", 0) + 1
        window._repaint_holds = 0
        for _ in range(TURNS):  # the layout the hold waited for
            QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
        _resume(window)
    for later in list(_DRAWN_LATER):  # after the layout: what it shows is final
        if isValid(later) and QWidget.window(later) is window and later.isVisibleTo(window):
            later.finish_drawing()  # (not one on a hidden page: the grab does not show it)


def _held_part(window):
    """What a hold stops painting: a main window's central widget, else the whole window.

    Not a main window itself: an update request that reaches a top-level window whose updates
    are disabled is dropped, and Qt's repaint manager, which believes it still on its way,
    asks for no other. The window then painted nothing more (a change, a hover, a new trace)
    until something else (a resize, an expose) repainted it. A child widget held keeps the
    window's own repaints going (its menu bar and status bar keep showing too)."""
    from PySide6.QtWidgets import QMainWindow

    if isinstance(window, QMainWindow) and window.centralWidget() is not None:
        return window.centralWidget()
    return window


def _resume(window) -> None:
    """Let ``window`` paint again: the part held is repainted in full."""
    part = _held_part(window)
    part.setUpdatesEnabled(True)  # marks the part for a repaint
    if part is window and window.windowHandle() is not None:
        window.windowHandle().requestUpdate()  # a request dropped during the hold (above)


def repaints_held(widget) -> bool:
    """Whether ``widget``'s window is holding its repaints now."""
    from PySide6.QtWidgets import QWidget

    return getattr(QWidget.window(widget), "_repaint_holds", 0) > 0
