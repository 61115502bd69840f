"""InferenceWorker: predictions for the Draw page in their own thread; the latest request
wins and stale ones are dropped, so drawing never waits for the network."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot

from cnnviz.core.inference import MNIST_INFO, predict
from cnnviz.gui.workers.base import WorkerThread


class InferenceWorker(QObject):
    """Holds at most one pending request; ``result`` carries plain numpy data."""

    result = Signal(dict)
    _wake = Signal()

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()
        self._pending: tuple | None = None
        self._model = None
        self._info = MNIST_INFO
        self.processed = 0
        self.dropped = 0
        self._wake.connect(self._process, Qt.QueuedConnection)

    def set_model(self, model, info=MNIST_INFO) -> None:
        """Hand a model (and what it expects) over to this thread (the GUI thread keeps no
        use of it)."""
        with self._lock:
            self._model, self._info = model, info

    def submit(self, request_id: int, image28: np.ndarray, layers: list[str]) -> None:
        """Any thread: replace the pending request with this one."""
        with self._lock:
            if self._pending is not None:
                self.dropped += 1
            self._pending = (request_id, image28, list(layers))
        self._wake.emit()

    @Slot()
    def _process(self) -> None:
        with self._lock:
            request, self._pending = self._pending, None
            model, info = self._model, self._info
        if request is None or model is None:
            return
        request_id, image, layers = request
        try:
            probabilities, activations = predict(model, image, layers, info)
        except Exception as exc:  # a model that fails on its input says so, the app goes on
            self.result.emit({"id": request_id, "error": f"{type(exc).__name__}: {exc}"})
            return
        self.processed += 1
        self.result.emit({"id": request_id, "probabilities": probabilities,
                          "activations": activations, "image": image})


class InferenceThread(WorkerThread):
    """The inference worker in its own QThread, started at once."""

    def __init__(self, parent=None):
        super().__init__(InferenceWorker(), "inference", None, parent)
        self.start()
