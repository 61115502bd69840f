"""The Trace page's lesson state, checked: the model's source, the input, the clicked unit, its
step, the colour scale and the evidence map."""

from __future__ import annotations

from cnnviz.core.lesson import whole
from cnnviz.core.lesson_pictures import check_exact, decode_png
from cnnviz.gui.widgets.draw_canvas import SIDE
from cnnviz.gui.widgets.model_source_box import check_source
from cnnviz.gui.widgets.trace_overview import SCALES
from cnnviz.gui.workers.evidence_worker import METHODS


def check_trace_lesson(state: dict) -> dict:
    """The parts of a Trace lesson, checked (``ValueError`` naming the bad one)."""
    image = state.get("input", {"test_image": 0})
    if isinstance(image, dict) and "test_image" in image:
        image = {"test_image": whole(image["test_image"], "its test image", 0, 9999)}
    elif isinstance(image, dict) and "canvas" in image:
        canvas = decode_png(image["canvas"], "its drawing")
        if canvas.shape != (SIDE, SIDE):
            raise ValueError(f"its drawing must be {SIDE}×{SIDE} grey pixels")
        image = {"canvas": canvas, "exact": check_exact(image.get("exact"))}
    else:
        raise ValueError("its input must be a test image's number or a drawing")
    unit = state.get("unit")
    if unit is not None:
        if not (isinstance(unit, list) and len(unit) == 4 and isinstance(unit[0], str)):
            raise ValueError("its unit must be [layer, channel, row, column]")
        label, channel, row, col = unit
        channel = whole(channel, "its unit's channel", 0, 10**6)
        if (row is None) != (col is None):
            raise ValueError("its unit needs both a row and a column, or neither")
        if row is not None:
            row, col = (whole(v, "its unit's row and column", 0, 10**4) for v in (row, col))
        unit = [label, channel, row, col]
    scale, evidence = state.get("scale", "layer"), state.get("evidence", "")
    if scale not in SCALES:
        raise ValueError(f"its colour scale must be one of {', '.join(SCALES)}, not {scale!r}")
    if evidence != "" and evidence not in METHODS:
        raise ValueError(f"its evidence map {evidence!r} is not one cnnviz has")
    return {
        "source": check_source(state.get("model", {"source": "default"})),
        "input": image,
        "unit": unit,
        "step": whole(state.get("step", 0), "its step", 0, 10**6),
        "scale": scale,
        "evidence": evidence,
    }
