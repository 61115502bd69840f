"""Evidence maps for the Trace page: which input pixels made the traced network decide
(saliency, integrated gradients, Grad-CAM, occlusion from :mod:`cnnviz.attribution`).

A job of the compute service, run in its thread on the model it owns (the traced one: its
trace and its evidence maps take turns there, so Grad-CAM's hooks, removed when it is done,
never meet a trace). The latest request wins."""

from __future__ import annotations

import numpy as np

METHODS = {
    "saliency": "Saliency",
    "integrated_gradients": "Integrated gradients",
    "grad_cam": "Grad-CAM (last convolution)",
    "occlusion": "Occlusion (7×7 window, stride 2)",
}


def evidence_job(model, info, method: str, image: np.ndarray, target: int) -> dict:
    """In the compute thread: the ``[H, W]`` map of ``method`` for class ``target`` on the pixel
    image (an occlusion's drops spread over the pixels each window hides)."""
    from cnnviz import attribution

    if method == "occlusion":
        drops = attribution.occlusion(model, image, target, info, window=7, stride=2)
        values = _spread(drops, image.shape[1:], 7, 2)
    else:
        values = getattr(attribution, method)(model, image, target, info)
    return {"map": np.asarray(values, np.float32), "method": method, "target": int(target)}


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
