"""TraceWorker: the whole forward pass of one image, traced in its own thread for the Trace
page; the latest drawing wins and stale requests are dropped."""

from __future__ import annotations

import time

import numpy as np

from cnnviz.core.explain import TraceError, trace_forward
from cnnviz.core.inference import MNIST_INFO
from cnnviz.core.inspect import ForwardError
from cnnviz.gui.workers.base import WorkerThread
from cnnviz.gui.workers.task_worker import ModelTaskWorker


class TraceWorker(ModelTaskWorker):
    """Traces; ``result`` carries a numpy-only Trace."""

    known_errors = (ForwardError, TraceError, ValueError)

    def set_model(self, model, info=MNIST_INFO) -> None:
        super().set_model(model, info)

    def submit(self, request_id: int, image: np.ndarray) -> None:
        """Any thread: trace ``image`` (pixels in [0, 1], ``[C, H, W]``), replacing the
        pending request."""
        super().submit(request_id, self._trace, image)

    def _trace(self, image: np.ndarray):
        model, info = self.model()
        if model is None:
            return None
        start = time.perf_counter()
        normalised = (np.asarray(image, np.float32) - info.mean) / info.std
        trace = trace_forward(model, normalised)
        return {"trace": trace, "image": image, "seconds": time.perf_counter() - start}


class TraceThread(WorkerThread):
    """The trace worker in its own QThread, started at once."""

    def __init__(self, parent=None):
        super().__init__(TraceWorker(), "trace", None, parent)
        self.start()
