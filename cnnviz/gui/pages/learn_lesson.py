"""The One step page's lesson state, described for the one lesson validator
(:mod:`cnnviz.core.lesson_schema`): the model, the image, its label, the clicked gradient unit
and its step, the walk's step and the colour scale (the image and the unit said as the Trace
page says them); and how the page writes and takes it."""

from __future__ import annotations

import numpy as np

from cnnviz.core.lesson_pictures import encode_png, exact_state
from cnnviz.core.lesson_schema import (
    Check,
    Choice,
    Field,
    Schema,
    Whole,
)
from cnnviz.gui.pages.learn_controller import GRADIENT_SCALES, MODELS
from cnnviz.gui.pages.trace_lesson import INPUT_FIELD, UNIT_FIELD, row_and_column_together
from cnnviz.gui.widgets.source_choice import (
    CHECKPOINT,
    DEFAULT,
    OPENED,
    SOURCE_KEYS,
    TRAINING_RUN,
    check_source,
    source_state,
)


def check_model(value, what: str) -> tuple[str, str | None, str | None]:
    """(choice, path, opened model name) of a lesson's model: one of :data:`MODELS` by name,
    or a source as the Trace page writes it (never weights: a file's path, the training run)."""
    if isinstance(value, dict):
        index, path, name = check_source(value)
        return ("trained" if index == DEFAULT else SOURCE_KEYS[index]), path, name
    return Choice(MODELS).check(value, what), None, None


LEARN = Schema(
    (
        Field("model", Check(check_model), "trained", "its model"),
        INPUT_FIELD,
        Field("label", Whole(0, 9), 0, "its label"),
        UNIT_FIELD,
        Field("step", Whole(0, 10**6), 0, "its step"),
        Field("walk", Whole(0, 10**4), 0, "its step of the backward walk"),
        Field("scale", Choice(tuple(GRADIENT_SCALES)), "layer", "its colour scale"),
    ),
    rules=(row_and_column_together,),
)


def check_learn_lesson(state: dict) -> dict:
    """The parts of a One step lesson, checked (``ValueError`` naming the bad one)."""
    return LEARN.check(state)


def page_state(page) -> dict:
    """The page's model, image (a test image's number, or the drawing as PNG text with the
    exact image under it), label, clicked gradient unit and its step, the walk's step and
    the colour scale."""
    controller = page.controller
    if page.image_input.test_number() is not None:
        image: dict = {"test_image": page.image_input.test_number()}
    else:
        exact = controller.exact_input if not page.canvas.strokes else None
        image = {"canvas": encode_png(page.canvas.to_array()), "exact": exact_state(exact)}
    unit, step = controller.unit_state(page.arithmetic.step_bar.index)
    model = controller.model
    if model not in MODELS:  # the training run or a file: said as the Trace page says it
        model = source_state(SOURCE_KEYS.index(model), *controller.model_file)
    return {
        "model": model,
        "input": image,
        "label": controller.label,
        "unit": unit,
        "step": step,
        "walk": page.walk_bar.index,
        "scale": page.scale_box.currentData(),
    }


def restore(page, state: dict) -> None:
    """Take a lesson's model, image and label on ``page``, then its unit and steps once its
    gradients are in. ``ValueError``, nothing changed, for a malformed part; a model that then
    cannot be taken says so and the previous one stays."""
    lesson = check_learn_lesson(state)
    controller = page.controller
    image = lesson["input"]
    key, path, name = lesson["model"]
    in_use = (controller.model, *controller.model_file)
    # a choice still on its way (a snapshot, a weights file) would replace the lesson's model
    # when it comes: the lesson's model is a new choice, taken again
    awaited = page.sources.awaiting()
    reload = lesson["model"] != in_use or controller.loading or not controller.session.start
    reload = reload or awaited
    waits = ({"model"} if reload else set()) | ({"image"} if "test_image" in image else set())
    controller.expect_lesson(lesson, waits)
    page.scale_box.setCurrentIndex(page.scale_box.findData(lesson["scale"]))
    controller.set_label(lesson["label"], ask=False)  # a test image's keeps it too
    if "test_image" in image:
        page.image_input.show_test_number(image["test_image"])
        controller.show_test_image(image["test_image"])
    else:
        exact = image["exact"]
        controller.take_drawing(None if exact is None else exact.astype(np.float32) / 255)
        page.image_input.put_drawing(image["canvas"])
    if not reload:
        controller.request_backward()
    elif key in MODELS:
        page.sources.use_model(key)
    elif key == SOURCE_KEYS[TRAINING_RUN]:
        page.sources.use_training_run()  # none yet: the page says so and the model stays
    elif key == SOURCE_KEYS[CHECKPOINT]:
        page.sources.use_checkpoint(path)
    else:
        assert key == SOURCE_KEYS[OPENED]
        page.sources.use_weights(name, path)
