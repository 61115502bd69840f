"""The One step page's lesson state, described for the one lesson validator
(:mod:`cnnviz.core.lesson_schema`): the model, the image, its label, the clicked gradient unit
and its step, the walk's step and the colour scale. The image and the unit are said as the
Trace page says them."""

from __future__ import annotations

from cnnviz.core.lesson_schema import Choice, Field, Items, Optional, Schema, Text, Variants, Whole
from cnnviz.gui.pages.learn_controller import GRADIENT_SCALES, MODELS
from cnnviz.gui.pages.trace_lesson import DRAWING, POSITION, TEST_IMAGE, UNIT


def _row_and_column_together(values: dict) -> None:
    unit = values["unit"]
    if unit is not None and (unit[2] is None) != (unit[3] is None):
        raise ValueError("its unit needs both a row and a column, or neither")


LEARN = Schema(
    (
        Field("model", Choice(MODELS), "trained", "its model"),
        Field(
            "input",
            Variants(
                {"test_image": TEST_IMAGE, "canvas": DRAWING},
                "its input must be a test image's number or a drawing",
            ),
            {"test_image": 0},
        ),
        Field("label", Whole(0, 9), 0, "its label"),
        Field(
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
        ),
        Field("step", Whole(0, 10**6), 0, "its step"),
        Field("walk", Whole(0, 10**4), 0, "its step of the backward walk"),
        Field("scale", Choice(tuple(GRADIENT_SCALES)), "layer", "its colour scale"),
    ),
    rules=(_row_and_column_together,),
)


def check_learn_lesson(state: dict) -> dict:
    """The parts of a One step lesson, checked (``ValueError`` naming the bad one)."""
    return LEARN.check(state)
