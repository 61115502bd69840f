"""InferenceWorker: predictions for the Draw page in their own thread; the latest request
wins and stale ones are dropped, so drawing never waits for the network."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import Signal

from cnnviz.core.inference import MNIST_INFO, predict
from cnnviz.core.inspect import ForwardError
from cnnviz.gui.workers.base import WorkerThread
from cnnviz.gui.workers.task_worker import TaskWorker


class InferenceWorker(TaskWorker):
    """A :class:`TaskWorker` for predictions; ``result`` carries plain numpy data."""

    result = Signal(dict)

    def __init__(self):
        super().__init__()
        self._model_lock = threading.Lock()
        self._model = None
        self._info = MNIST_INFO

    def set_model(self, model, info=MNIST_INFO) -> None:
        """Hand a model (and what it expects) over to this thread (the GUI thread keeps no
        use of it)."""
        with self._model_lock:
            self._model, self._info = model, info

    def submit(self, request_id: int, image28: np.ndarray, layers: list[str]) -> None:
        """Any thread: replace the pending request with this one."""
        super().submit(request_id, self._predict, image28, list(layers))

    def _predict(self, image: np.ndarray, layers: list[str]):
        with self._model_lock:
            model, info = self._model, self._info
        if model is None:
            return None
        probabilities, activations = predict(model, image, layers, info)
        return {"probabilities": probabilities, "activations": activations, "image": image}

    def report(self, request_id: int, result) -> None:
        if result is not None:
            self.result.emit({"id": request_id, **result})

    def report_failure(self, request_id: int, exc: Exception) -> None:
        # a model that does not fit says why (the diagnosis); anything else names its type
        text = str(exc) if isinstance(exc, ForwardError) else f"{type(exc).__name__}: {exc}"
        self.result.emit({"id": request_id, "error": text})


class InferenceThread(WorkerThread):
    """The inference worker in its own QThread, started at once."""

    def __init__(self, parent=None):
        super().__init__(InferenceWorker(), "inference", None, parent)
        self.start()
