"""Cyclic garbage collection in the GUI thread only, on a timer.

Python's collector runs in whichever thread happens to allocate when a generation's count
passes its threshold: in this app often a worker thread (a training run, a trace, an
attribution). Two things follow. A collection there frees whatever cycles it finds,
widgets' Python wrappers included, so a Qt object of the window could be destroyed outside
the GUI thread, which Qt does not allow (pyqtgraph's ``GarbageCollector`` exists for this
reason). And a worker runs its collection with the Python lock held and at the worker's
lower priority (``workers/base.yield_to_window``): collections of 50–93 ms in worker threads
were measured under random use, each a still window.

So, while a main window lives, automatic collection is off and the GUI thread collects on a
timer, generation by generation with Python's own thresholds (the technique of pyqtgraph's
``GarbageCollector``, which cannot be used here: importing pyqtgraph in the GUI thread at
start-up costs about 0.3 s). Nothing is collected while the start-up imports run (see
``workers/preload.py``); their objects are frozen afterwards.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 100
FULL_EVERY_S = 30.0  # a full collection at most this often: Python's own rule (only once
# the objects waiting for one are a quarter of the long-lived ones) cannot be read from
# Python, and a full one walks everything not frozen (tens of milliseconds, here held)

_users = 0  # main windows alive: the first turns automatic collection off, the last back
_was_enabled = True


class GuiCollector(QObject):
    """Collects in the GUI thread every :data:`INTERVAL_MS` once ``ready()`` is true (until
    then, nothing: the start-up imports are running). :meth:`stop` hands collection back
    to Python when no other window needs this."""

    def __init__(self, parent=None, ready: Callable[[], bool] = lambda: True):
        super().__init__(parent)
        self.ready = ready
        self.collections = [0, 0, 0]  # made, by generation (for tests and benchmarks)
        self._full_at = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self._stopped = True
        self.start()

    def check(self) -> None:
        """Collect the generations whose counts have passed Python's thresholds."""
        if not self.ready():
            return
        thresholds, counts = gc.get_threshold(), gc.get_count()
        for generation in range(3):
            if counts[generation] <= thresholds[generation]:
                break
            if generation == 2:
                if time.monotonic() - self._full_at < FULL_EVERY_S:
                    break
                self._full_at = time.monotonic()
            gc.collect(generation)
            self.collections[generation] += 1

    def start(self) -> None:
        """Collect here (again, for a window closed and shown again); nothing if running."""
        global _users, _was_enabled
        if not self._stopped:
            return
        if _users == 0:
            _was_enabled = gc.isenabled()
        _users += 1
        gc.disable()
        self._stopped = False
        self.timer.start()

    def stop(self) -> None:
        global _users
        if self._stopped:
            return
        self._stopped = True
        try:
            self.timer.stop()
        except RuntimeError:  # the window, and this with it, deleted already
            pass
        _users -= 1
        if _users == 0 and _was_enabled:
            gc.enable()
