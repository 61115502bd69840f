"""EvidenceWorker: which input pixels made the traced network decide (saliency, integrated
gradients, Grad-CAM, occlusion from :mod:`cnnviz.attribution`), for the Trace page.

Attribution registers hooks on the model (Grad-CAM) and runs backward passes: it works on its
own copy of the model, made in this thread, so the trace thread's forward passes are never
disturbed. The latest request wins."""

from __future__ import annotations

import copy

import numpy as np

from cnnviz.gui.workers.base import WorkerThread
from cnnviz.gui.workers.task_worker import ModelTaskWorker

METHODS = {
    "saliency": "Saliency",
    "integrated_gradients": "Integrated gradients",
    "grad_cam": "Grad-CAM (last convolution)",
    "occlusion": "Occlusion (7×7 window, stride 2)",
}


class EvidenceWorker(ModelTaskWorker):
    """Evidence maps ``[H, W]`` for one class; ``result`` carries plain numpy data."""

    known_errors = (ValueError,)

    def __init__(self):
        super().__init__()
        self._copy: tuple = (None, None)  # (the page's model, this thread's copy of it)

    def submit(self, request_id: int, method: str, image: np.ndarray, target: int) -> None:
        """Any thread: the map of ``method`` for class ``target`` on the pixel image."""
        super().submit(request_id, self._evidence, method, image, int(target))

    def _own_copy(self, model):
        if self._copy[0] is not model:
            self._copy = (model, copy.deepcopy(model).eval())
        return self._copy[1]

    def _evidence(self, method: str, image: np.ndarray, target: int):
        from cnnviz import attribution

        model, info = self.model()
        if model is None:
            return None
        mine = self._own_copy(model)
        if method == "occlusion":
            drops = attribution.occlusion(mine, image, target, info, window=7, stride=2)
            values = _spread(drops, image.shape[1:], 7, 2)
        else:
            values = getattr(attribution, method)(mine, image, target, info)
        return {"map": np.asarray(values, np.float32), "method": method, "target": target}


def _spread(drops: np.ndarray, shape, window: int, stride: int) -> np.ndarray:
    """Each pixel gets the mean probability drop of the occlusion windows that cover it."""
    total = np.zeros(shape, np.float64)
    count = np.zeros(shape, np.float64)
    for i in range(drops.shape[0]):
        for j in range(drops.shape[1]):
            top, left = i * stride, j * stride
            total[top : top + window, left : left + window] += drops[i, j]
            count[top : top + window, left : left + window] += 1
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


class EvidenceThread(WorkerThread):
    """The evidence worker in its own QThread, started at once."""

    def __init__(self, parent=None):
        super().__init__(EvidenceWorker(), "trace-evidence", None, parent)
        self.start()
