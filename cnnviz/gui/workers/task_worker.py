"""TaskThread: run a page's slow job that is no model work (reading a model file or weights,
writing a checkpoint, finishing an export) in its own thread; model work runs on the compute
service. The latest request wins: a request made while another waits replaces it, and a
result that is no longer the latest is dropped by the page."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from cnnviz.gui.workers.base import WorkerThread


class TaskWorker(QObject):
    """Holds at most one waiting job; ``done(request_id, result)`` or ``failed(request_id,
    message)`` for each job run. ``processed`` and ``dropped`` count jobs run and replaced."""

    done = Signal(int, object)
    failed = Signal(int, str)
    _wake = Signal()

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()
        self._pending: tuple | None = None
        self.processed = 0
        self.dropped = 0
        self._wake.connect(self._process, Qt.QueuedConnection)

    def submit(self, request_id: int, job: Callable, *args) -> None:
        """Any thread: replace the waiting job (if any) with this one."""
        with self._lock:
            if self._pending is not None:
                self.dropped += 1
            self._pending = (request_id, job, args)
        self._wake.emit()

    @Slot()
    def _process(self) -> None:
        with self._lock:
            request, self._pending = self._pending, None
        if request is None:
            return
        request_id, job, args = request
        try:
            result = job(*args)
        except Exception as exc:  # reported to the page, never raised into the event loop
            self.failed.emit(request_id, str(exc) or type(exc).__name__)
            return
        self.processed += 1
        self.done.emit(request_id, result)


class TaskThread(WorkerThread):
    """A :class:`TaskWorker` in its own QThread, started at once."""

    def __init__(self, name: str, parent=None):
        super().__init__(TaskWorker(), name, None, parent)
        self.start()
