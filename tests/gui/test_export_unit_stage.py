"""The Trace and One step pages export their stage, not the page: a Trace frame is the clicked
unit's arithmetic (its title, the step's grids, the step's words), a One step frame is the
backward walk (the network's gradients, the walk's layer outlined, what the step says); no
settings column, step bar, scroll bar or button; in every look."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QScrollBar,
    QWidget,
)

from cnnviz.cli import main as cli_main
from cnnviz.core.lesson import Lesson, load_lesson, save_lesson
from cnnviz.gui.export.animation_export import AnimationExport, image_to_rgb, wait_for_retired
from cnnviz.gui.widgets.step_bar import StepBar
from cnnviz.gui.widgets.trace_overview import SELECTED as FIELD_COLOUR

ROOT = Path(__file__).resolve().parents[2]
TRACE_LESSON = ROOT / "docs" / "pictures" / "trace-conv2.cnnviz"  # conv2, a 5×5 kernel
ONE_STEP = {"input": {"test_image": 0}, "label": 3, "walk": 0}  # the 7, taught as a 3


def staged(qtbot, page_class, lesson, size) -> AnimationExport:
    """An export of ``lesson`` with its stage laid out (its page's model loaded first)."""
    job = AnimationExport(page_class, lesson, "unused.gif", size)
    job.begin()
    qtbot.waitUntil(lambda: not job.page.restoring(), timeout=60000)
    job.lay_out()
    return job


def settings_on(stage) -> list[QWidget]:
    """What a page's settings, step bar and scroll bars are made of, shown on the stage."""
    kinds = (StepBar, QAbstractButton, QComboBox, QAbstractSpinBox, QScrollBar)
    return [w for w in stage.findChildren(QWidget) if isinstance(w, kinds) and w.isVisible()]


def box_of(frame: np.ndarray, colour) -> tuple[int, int]:
    """Width and height of the bounding box of the pixels of ``colour`` (a QColor)."""
    target = np.array([colour.red(), colour.green(), colour.blue()])
    rows, cols = np.nonzero(np.abs(frame.astype(int) - target).max(axis=2) <= 12)
    assert rows.size, f"no pixel of {colour.name()} in the frame"
    return cols.max() - cols.min() + 1, rows.max() - rows.min() + 1


def test_a_trace_frame_is_the_units_arithmetic_filling_the_frame(qtbot):
    from cnnviz.gui.pages.trace_page import TracePage

    job = staged(qtbot, TracePage, load_lesson(TRACE_LESSON), (1280, 800))
    try:
        stage, panel = job.stage, job.page.arithmetic
        assert stage.size().toTuple() == (1280, 800)
        assert stage.labels == [panel.heading, panel.step_title, panel.text, panel.field]
        assert stage.board.grids() == panel.grids()
        picture = panel.picture  # the traced image, the unit's field outlined
        assert picture is not None and picture.parentWidget() is stage.board
        field = panel.explanation.receptive_field
        assert picture.pixels == field.pixels == (10, 4, 24, 18)
        assert settings_on(stage) == []
        assert job.page.overview not in stage.findChildren(QWidget)
        steps = panel.explanation.steps
        assert job.page.step_count() == len(steps) > 1
        for index, step in enumerate(steps):
            job.page.go_to_step(index)
            image = job.grab()
            assert (image.width(), image.height()) == (1280, 800)
            assert panel.text.text() == step.text  # the page's own step, never recomputed
            shown = [g for g in stage.board.grids() if g.isVisible()]
            assert len(shown) == (step.window is not None) + (step.kernel is not None) + (
                step.products is not None
            )
            for grid in shown:
                view = grid.view
                columns, rows = grid.model.columnCount(), grid.model.rowCount()
                # measured on the laid-out view: the input and three 5×5 grids side by side
                assert view.width() / columns >= 50 and view.height() / rows >= 50
                corner = view.mapTo(stage, view.rect().bottomRight())
                assert stage.rect().contains(corner)
            for label in stage.labels:
                assert stage.rect().contains(label.geometry())
            # the field's outline, measured in the frame: 14 of the image's 28 pixels
            outline = box_of(image_to_rgb(image), FIELD_COLOUR)
            side = picture.width() * 14 / 28
            assert abs(outline[0] - side) <= 2 and abs(outline[1] - side) <= 2
            assert picture.width() >= 200  # at 1280×800
    finally:
        job._dispose()
        assert wait_for_retired()  # the page copy's compute thread has stopped


def test_a_one_step_frame_is_the_backward_walk_with_the_whole_network(qtbot):
    from cnnviz.gui.pages.learn_page import LearnPage

    lesson = Lesson("One step", ONE_STEP, title="Backward")
    job = staged(qtbot, LearnPage, lesson, (1280, 800))
    try:
        stage, page = job.stage, job.page
        assert stage.size().toTuple() == (1280, 800)
        assert stage.board is page.overview
        assert stage.labels == [page.walk_text, page.prediction]
        assert settings_on(stage) == []
        assert page.arithmetic not in stage.findChildren(QWidget)
        assert page.step_count() == 9  # the loss back to conv1
        texts = set()
        for index in range(page.step_count()):
            page.go_to_step(index)
            image = job.grab()
            assert (image.width(), image.height()) == (1280, 800)
            overview = page.overview
            whole = overview.mapFromScene(overview.sceneRect()).boundingRect()
            assert overview.viewport().rect().adjusted(-1, -1, 1, 1).contains(whole)
            assert whole.width() >= 0.9 * overview.viewport().width()  # and fills the width
            texts.add(page.walk_text.text())
        assert len(texts) == 9  # each step says its own layer
    finally:
        job._dispose()
        assert wait_for_retired()  # the page copy's compute thread has stopped


@pytest.mark.parametrize(
    "look, dark", [("light", False), ("dark", True), ("presenter", False), ("presenter-dark", True)]
)
def test_the_trace_exports_in_every_look(tmp_path, look, dark):
    out = tmp_path / "frames"
    args = ["export", str(TRACE_LESSON), "-o", f"{out}/", "--size", "640x400", "--no-title"]
    assert cli_main([*args, "--look", look]) == 0
    frames = sorted(out.iterdir())
    assert len(frames) == 11
    with Image.open(frames[0]) as png:
        frame = np.asarray(png.convert("RGB"))
    assert frame.shape == (400, 640, 3)
    corner = frame[2, 2].astype(int)
    assert (corner.max() < 60) if dark else (corner.min() == 255)


@pytest.mark.parametrize("look, dark", [("light", False), ("presenter-dark", True)])
def test_one_step_exports_in_a_light_and_a_dark_look(tmp_path, look, dark):
    save_lesson(tmp_path / "one.cnnviz", Lesson("One step", ONE_STEP, title="Backward"))
    out = tmp_path / "walk.gif"
    args = ["export", str(tmp_path / "one.cnnviz"), "-o", str(out), "--size", "640x400"]
    assert cli_main([*args, "--look", look]) == 0
    with Image.open(out) as gif:
        assert (gif.n_frames, gif.size) == (1 + 9, (640, 400))
        gif.seek(1)
        corner = np.asarray(gif.convert("RGB"))[2, 2].astype(int)
    assert (corner.max() < 60) if dark else (corner.min() > 240)  # (a GIF's palette)
