"""The Trace page's lesson state, described for the one lesson validator
(:mod:`cnnviz.core.lesson_schema`): the model's source, the input, the clicked unit, its step,
the colour scale and the evidence map."""

from __future__ import annotations

from cnnviz.core.attribution_methods import names as evidence_methods
from cnnviz.core.lesson_pictures import check_exact, decode_png
from cnnviz.core.lesson_schema import (
    Check,
    Choice,
    Field,
    Items,
    Optional,
    Schema,
    Text,
    Variants,
    Whole,
)
from cnnviz.gui.widgets.draw_canvas import SIDE
from cnnviz.gui.widgets.source_choice import check_source
from cnnviz.gui.widgets.trace_overview import SCALES

UNIT = "its unit must be [layer, channel, row, column]"


def _drawing(text, what: str):
    canvas = decode_png(text, what)
    if canvas.shape != (SIDE, SIDE):
        raise ValueError(f"{what} must be {SIDE}×{SIDE} grey pixels")
    return canvas


def row_and_column_together(values: dict) -> None:
    """A lesson's rule: its unit has a row and a column, or neither (a vector's entry)."""
    unit = values["unit"]
    if unit is not None and (unit[2] is None) != (unit[3] is None):
        raise ValueError("its unit needs both a row and a column, or neither")


TEST_IMAGE = Schema((Field("test_image", Whole(0, 9999), what="its test image"),))
DRAWING = Schema(
    (
        Field("canvas", Check(_drawing), what="its drawing"),
        Field("exact", Check(lambda text, _what: check_exact(text))),
    )
)
POSITION = Optional(Whole(0, 10**4))
# the input and the clicked unit, said the same way by the Trace and One step pages' lessons
INPUT_FIELD = Field(
    "input",
    Variants(
        {"test_image": TEST_IMAGE, "canvas": DRAWING},
        "its input must be a test image's number or a drawing",
    ),
    {"test_image": 0},
)
UNIT_FIELD = Field(
    "unit",
    Optional(
        Items(
            (
                (Text(UNIT), "its unit's layer"),
                (Whole(0, 10**6), "its unit's channel"),
                (POSITION, "its unit's row and column"),
                (POSITION, "its unit's row and column"),
            ),
            UNIT,
        )
    ),
)
TRACE = Schema(
    (
        Field("model", Check(lambda source, _what: check_source(source)), {"source": "default"}),
        INPUT_FIELD,
        UNIT_FIELD,
        Field("step", Whole(0, 10**6), 0, "its step"),
        Field("scale", Choice(SCALES), "layer", "its colour scale"),
        Field("evidence", Choice(("", *evidence_methods())), "", "its evidence map"),
    ),
    rules=(row_and_column_together,),
)


def check_trace_lesson(state: dict) -> dict:
    """The parts of a Trace lesson, checked (``ValueError`` naming the bad one); the model's
    source as (index, path, opened model name)."""
    values = TRACE.check(state)
    return {"source": values.pop("model"), **values}
