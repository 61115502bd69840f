"""WorkerThread: one base for every background job (training, inference, downloads, tasks).

A worker QObject is made without a parent and moved to its own QThread. Every kind answers
to the same names: ``start``, ``is_running``, ``request_stop`` (a flag the worker checks;
never a killed thread) and ``shutdown`` (ask it to stop, end the thread's event loop, wait).
The threads still alive are listed by :func:`live_threads` (tests check that none is left).

Every worker runs at a lower priority than the GUI thread (:func:`yield_to_window`; on Linux
the threads it starts too): where both want the same core, the window gets it first, so a
training run or an attribution map in the background does not make the window late to a
click or a repaint. (The preload thread is not lowered: the window waits for its import.)
"""

from __future__ import annotations

import os
import sys
import threading
import weakref

from PySide6.QtCore import QObject, Qt, QThread

_ALL: weakref.WeakSet[WorkerThread] = weakref.WeakSet()
BACKGROUND_NICE = 10  # Linux: added to a worker's niceness; against the GUI thread (nice 0)
# the scheduler then gives it about a tenth of a core both want, and all of a core it alone
# wants (a run trains as fast while the window is idle)


def yield_to_window() -> None:
    """In a background thread, as it starts: lower its priority below the GUI thread's.

    Linux keeps a niceness per thread (threads started from this one, such as PyTorch's
    OpenMP team, inherit it); elsewhere :class:`WorkerThread` starts its threads at Qt's
    ``LowPriority`` instead. A thread can always lower its own priority; nothing is raised if
    the system refuses."""
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, now + BACKGROUND_NICE))
    except OSError:
        pass


class WorkerThread(QObject):
    """``worker`` (a parentless QObject) living in ``thread``, named ``cnnviz-<name>``.

    ``start_slot``: the worker's slot run when the thread starts (None: the worker only
    reacts to queued signals). Subclasses override :meth:`request_stop` to set their
    worker's flag."""

    def __init__(self, worker: QObject, name: str, start_slot=None, parent=None):
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName(f"cnnviz-{name}")
        self.worker = worker
        self.worker.moveToThread(self.thread)
        # in the new thread, before its job (connected first, so called first)
        self.thread.started.connect(yield_to_window, Qt.DirectConnection)
        if start_slot is not None:
            self.thread.started.connect(start_slot)
        _ALL.add(self)

    def start(self) -> None:
        self.thread.start(QThread.LowPriority)  # no effect on Linux: see yield_to_window

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def request_stop(self) -> None:
        """Ask the worker to stop at its next check (the base has nothing to ask)."""

    def stop(self) -> None:
        """Ask the worker to stop and the thread's event loop to end; returns at once (the
        thread ends after the job in hand: watch :meth:`is_running`)."""
        self.request_stop()
        self.thread.quit()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """:meth:`stop`, then wait for the thread (never terminate it). True when it ended."""
        self.stop()
        return self.thread.wait(timeout_ms)


def live_threads() -> list[str]:
    """Names of the worker threads still running."""
    return [w.thread.objectName() for w in list(_ALL) if _alive(w) and w.thread.isRunning()]


def _alive(worker: WorkerThread) -> bool:
    try:
        worker.thread.objectName()
    except RuntimeError:  # the C++ object is gone
        return False
    return True
