"""Evidence maps for the Trace page: which input pixels made the traced network decide
(saliency, integrated gradients, Grad-CAM, occlusion from :mod:`cnnviz.attribution`).

A job of the compute service, run in its thread on the model it owns (the traced one: its
trace and its evidence maps take turns there, so Grad-CAM's hooks, removed when it is done,
never meet a trace). The latest request wins."""

from __future__ import annotations

import numpy as np

from cnnviz.core.attribution_methods import METHODS as REGISTRY
from cnnviz.core.attribution_methods import by_name

# the Trace page's settings of each method; a 7×7 window at stride 2 gives a smooth map of a
# digit where stride 7 would give 16 blocks
OPTIONS: dict[str, dict] = {"occlusion": {"window": 7, "stride": 2}}
METHODS = {m.name: m.label_with(**OPTIONS.get(m.name, {})) for m in REGISTRY}


def evidence_job(model, info, method: str, image: np.ndarray, target: int) -> dict:
    """In the compute thread: the ``[H, W]`` map of ``method`` for class ``target`` on the pixel
    image (an occlusion's drops spread over the pixels each window hides)."""
    values = by_name(method).pixel_map(model, image, target, info, **OPTIONS.get(method, {}))
    return {"map": np.asarray(values, np.float32), "method": method, "target": int(target)}
