"""The One step page's lesson state, described for the one lesson validator
(:mod:`cnnviz.core.lesson_schema`): the model, the image, its label, the clicked gradient unit
and its step, the walk's step and the colour scale (the image and the unit said as the Trace
page says them); and how the page writes and takes it."""

from __future__ import annotations

import numpy as np

from cnnviz.core.lesson_pictures import encode_png, exact_state
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


def page_state(page) -> dict:
    """The page's model, image (a test image's number, or the drawing as PNG text with the
    exact image under it), label, clicked gradient unit and its step, the walk's step and
    the colour scale."""
    controller = page.controller
    if page.test_spin.value() >= 0:
        image: dict = {"test_image": page.test_spin.value()}
    else:
        exact = controller.exact_input if not page.canvas.strokes else None
        image = {"canvas": encode_png(page.canvas.to_array()), "exact": exact_state(exact)}
    unit, step = controller.unit_state(page.arithmetic.step_bar.index)
    return {
        "model": controller.model,
        "input": image,
        "label": controller.label,
        "unit": unit,
        "step": step,
        "walk": page.walk_bar.index,
        "scale": page.scale_box.currentData(),
    }


def restore(page, state: dict) -> None:
    """Take a lesson's model, image and label on ``page``, then its unit and steps once its
    gradients are in. ``ValueError``, nothing changed, for a malformed part."""
    lesson = check_learn_lesson(state)
    controller = page.controller
    image = lesson["input"]
    reload = lesson["model"] != controller.model or not controller.session.start
    waits = ({"model"} if reload else set()) | ({"image"} if "test_image" in image else set())
    controller.expect_lesson(lesson, waits)
    page.scale_box.setCurrentIndex(page.scale_box.findData(lesson["scale"]))
    page.model_box.setCurrentIndex(page.model_box.findData(lesson["model"]))
    controller.set_label(lesson["label"], ask=False)  # a test image's keeps it too
    if "test_image" in image:
        page.test_spin.blockSignals(True)
        page.test_spin.setValue(image["test_image"])
        page.test_spin.blockSignals(False)
        controller.show_test_image(image["test_image"])
    else:
        exact = image["exact"]
        controller.take_drawing(None if exact is None else exact.astype(np.float32) / 255)
        page.show_drawing_in_spin()
        page.canvas.blockSignals(True)
        page.canvas.set_background(image["canvas"])
        page.canvas.blockSignals(False)
    if reload:
        controller.use_model(lesson["model"])
    else:
        controller.request_backward()
