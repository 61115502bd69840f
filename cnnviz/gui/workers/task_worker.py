"""TaskThread: run a page's slow job (building and inspecting a model, a prediction) in its
own thread. The latest request wins: a request made while another waits replaces it, and a
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
            self.before_job()
            result = job(*args)
        except Exception as exc:  # reported to the page, never raised into the event loop
            self.report_failure(request_id, exc)
            return
        self.processed += 1
        self.report(request_id, result)

    def before_job(self) -> None:
        """In the worker's thread, before each job (nothing to do here)."""

    def report(self, request_id: int, result) -> None:
        self.done.emit(request_id, result)

    def report_failure(self, request_id: int, exc: Exception) -> None:
        self.failed.emit(request_id, str(exc) or type(exc).__name__)


class ModelTaskWorker(TaskWorker):
    """A :class:`TaskWorker` that holds a model handed over by its page (the GUI thread keeps
    no use of it); each job's ``dict`` result, or ``{"error": text}``, goes out through
    ``result`` with its request id. ``known_errors`` are shown as their message alone."""

    result = Signal(dict)
    known_errors: tuple = ()

    def __init__(self):
        super().__init__()
        self._model_lock = threading.Lock()
        self._model = None
        self._info = None

    def set_model(self, model, info=None) -> None:
        """Hand a model (and what it expects) over to this thread."""
        with self._model_lock:
            self._model, self._info = model, info

    def before_job(self) -> None:
        # a model's jobs run on this thread alone: a thread that keeps an OpenMP team of
        # PyTorch's slows a training run down (see cnnviz.core.compute_threads)
        from cnnviz.core.compute_threads import for_helper

        for_helper()

    def model(self) -> tuple:
        """(model, info) now in use (None before the first)."""
        with self._model_lock:
            return self._model, self._info

    def report(self, request_id: int, result) -> None:
        if result is not None:
            self.result.emit({"id": request_id, **result})

    def report_failure(self, request_id: int, exc: Exception) -> None:
        # a model that does not fit says why (the diagnosis); anything else names its type
        known = isinstance(exc, self.known_errors)
        text = str(exc) if known else f"{type(exc).__name__}: {exc}"
        self.result.emit({"id": request_id, "error": text})


class TaskThread(WorkerThread):
    """A :class:`TaskWorker` in its own QThread, started at once."""

    def __init__(self, name: str, parent=None):
        super().__init__(TaskWorker(), name, None, parent)
        self.start()
