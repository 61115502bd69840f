"""TraceWorker: the whole forward pass of one image, traced in its own thread for the Trace
page; the latest drawing wins and stale requests are dropped."""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import Signal

from cnnviz.core.explain import TraceError, trace_forward
from cnnviz.core.inference import MNIST_INFO
from cnnviz.core.inspect import ForwardError
from cnnviz.gui.workers.base import WorkerThread
from cnnviz.gui.workers.task_worker import TaskWorker


class TraceWorker(TaskWorker):
    """A :class:`TaskWorker` for traces; ``result`` carries a numpy-only Trace."""

    result = Signal(dict)

    def __init__(self):
        super().__init__()
        self._model_lock = threading.Lock()
        self._model = None
        self._info = MNIST_INFO

    def set_model(self, model, info=MNIST_INFO) -> None:
        """Hand a model over to this thread (the GUI thread keeps no use of it)."""
        with self._model_lock:
            self._model, self._info = model, info

    def submit(self, request_id: int, image: np.ndarray) -> None:
        """Any thread: trace ``image`` (pixels in [0, 1], ``[C, H, W]``), replacing the
        pending request."""
        super().submit(request_id, self._trace, image)

    def _trace(self, image: np.ndarray):
        with self._model_lock:
            model, info = self._model, self._info
        if model is None:
            return None
        start = time.perf_counter()
        normalised = (np.asarray(image, np.float32) - info.mean) / info.std
        trace = trace_forward(model, normalised)
        return {"trace": trace, "image": image, "seconds": time.perf_counter() - start}

    def report(self, request_id: int, result) -> None:
        if result is not None:
            self.result.emit({"id": request_id, **result})

    def report_failure(self, request_id: int, exc: Exception) -> None:
        known = isinstance(exc, (ForwardError, TraceError, ValueError))
        text = str(exc) if known else f"{type(exc).__name__}: {exc}"
        self.result.emit({"id": request_id, "error": text})


class TraceThread(WorkerThread):
    """The trace worker in its own QThread, started at once."""

    def __init__(self, parent=None):
        super().__init__(TraceWorker(), "trace", None, parent)
        self.start()
