"""InferenceWorker: predictions for the Draw page in their own thread; the latest request
wins and stale ones are dropped, so drawing never waits for the network."""

from __future__ import annotations

import numpy as np

from cnnviz.core.inference import MNIST_INFO, predict
from cnnviz.core.inspect import ForwardError
from cnnviz.gui.workers.base import WorkerThread
from cnnviz.gui.workers.task_worker import ModelTaskWorker


class InferenceWorker(ModelTaskWorker):
    """Predictions; ``result`` carries plain numpy data."""

    known_errors = (ForwardError,)

    def set_model(self, model, info=MNIST_INFO) -> None:
        super().set_model(model, info)

    def submit(self, request_id: int, image28: np.ndarray, layers: list[str]) -> None:
        """Any thread: replace the pending request with this one."""
        super().submit(request_id, self._predict, image28, list(layers))

    def _predict(self, image: np.ndarray, layers: list[str]):
        model, info = self.model()
        if model is None:
            return None
        probabilities, activations = predict(model, image, layers, info)
        return {"probabilities": probabilities, "activations": activations, "image": image}


class InferenceThread(WorkerThread):
    """The inference worker in its own QThread, started at once."""

    def __init__(self, parent=None):
        super().__init__(InferenceWorker(), "inference", None, parent)
        self.start()
