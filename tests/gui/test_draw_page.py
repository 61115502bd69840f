"""Draw page: strokes with mouse events, live prediction, undo, clear, model sources."""

import numpy as np
import pytest

pytest.importorskip("torch")

from gui_helpers import drag  # noqa: E402

from cnnviz.core.training import Engine, TrainConfig  # noqa: E402

VERTICAL = [(0.5, 0.15), (0.5, 0.85)]


@pytest.fixture
def draw(main_window, qtbot):
    from cnnviz.gui.pages.draw_page import DrawPage

    page = main_window.show_page(DrawPage)
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.settled, timeout=10000)  # its model built and described
    return page


def settled(page):
    return page.settled()


def test_empty_canvas_has_no_prediction(draw):
    assert draw.canvas.is_empty()
    assert draw.bars.probabilities is None and draw.prediction.text() == "Draw a digit"


def test_a_vertical_line_is_a_one(qtbot, draw):
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert draw.bars.top() == 1 and draw.prediction.text().startswith("It is a 1")
    seen = draw.seen.image.image
    assert seen.shape == (28, 28) and seen.max() > 0.5
    assert draw.maps.image.image is not None  # conv1's feature maps of the drawing


def test_clear_resets_the_prediction(qtbot, draw):
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    qtbot.mouseClick(draw.clear_button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.LeftButton)
    assert draw.canvas.is_empty() and draw.bars.probabilities is None
    assert draw.prediction.text() == "Draw a digit"


def test_undo_restores_the_previous_stroke(qtbot, draw):
    drag(draw.canvas, VERTICAL)
    after_first = draw.canvas.to_array()
    drag(draw.canvas, [(0.2, 0.3), (0.8, 0.3)])
    assert not np.array_equal(draw.canvas.to_array(), after_first)
    draw.canvas.undo()
    assert np.array_equal(draw.canvas.to_array(), after_first)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert draw.bars.top() == 1


def test_eraser_removes_ink(draw):
    drag(draw.canvas, VERTICAL)
    draw.eraser.setChecked(True)
    draw.width_spin.setValue(60)
    drag(draw.canvas, VERTICAL)
    assert draw.canvas.is_empty()


def test_latest_request_wins(qtbot, draw):
    for _ in range(3):
        drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert draw.shown_id == draw.request_id
    client = draw.jobs.clients["prediction"]  # asked at most once per request, the latest answered
    assert client.answered_id == client.request_id <= draw.request_id
    assert draw.bars.top() == 1


def trained_checkpoint(tmp_path, model="simple", **kw):
    config = TrainConfig(
        model=model, epochs=1, limit_train=128, limit_test=64, device="cpu", snapshot_every=0, **kw
    )
    engine = Engine(config)
    engine.run()
    path = tmp_path / f"{model}.pt"
    engine.save(path)
    return path


def test_switching_the_model_updates_the_prediction(qtbot, draw, tmp_path):
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    before = draw.bars.probabilities.copy()
    assert draw.use_checkpoint(trained_checkpoint(tmp_path))
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)  # built, described, classified
    assert not np.allclose(draw.bars.probabilities, before)
    assert "checkpoint" in draw.model_label.text()


def test_inception_checkpoint_shows_the_branches(qtbot, draw, tmp_path):
    assert not draw.branch_panel.isVisibleTo(draw)
    assert draw.use_checkpoint(trained_checkpoint(tmp_path, "inception"))
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)  # built in the compute service
    assert draw.branch_panel.isVisibleTo(draw)
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert [v.title.text() for v in draw.branch_views] == [
        "1×1, 16 ch",
        "5×5, 24 ch",
        "3×3 double, 24 ch",
        "pool, 24 ch",
    ]


def test_bad_checkpoints_keep_the_previous_model(qtbot, tmp_path, draw):
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    model = draw.source
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"nonsense")
    assert not draw.use_checkpoint(bad)
    assert "Cannot use this checkpoint" in draw.message.text() and draw.source is model
    cifar = trained_checkpoint(tmp_path)
    from cnnviz.core.training import load_checkpoint, save_checkpoint

    data = load_checkpoint(cifar)
    data["input_shape"] = [3, 32, 32]
    save_checkpoint(cifar, {k: v for k, v in data.items() if k != "format"})
    assert draw.use_checkpoint(cifar)  # readable: built in the compute service, which refuses it
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert "Cannot use this checkpoint" in draw.message.text()
    assert "do not fit" in draw.message.text() and draw.source is model
    assert draw.source_box.currentIndex() == 0 and "default model" in draw.model_label.text()


def test_training_run_source_without_a_run(qtbot, draw):
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    model = draw.source
    assert not draw.use_training_run()
    assert "No training run yet" in draw.message.text() and draw.source is model


def test_training_run_source_uses_a_snapshot(qtbot, main_window, draw):
    from cnnviz.gui.pages.draw_page import DrawPage
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    train.start(TrainConfig(epochs=1, limit_train=256, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    main_window.show_page(DrawPage)
    assert draw.use_training_run()
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)  # between batches, then built
    assert draw.source_box.currentIndex() == 1 and not draw.message.isVisible()
    assert "current training run" in draw.model_label.text()
    train.shutdown()


def test_try_a_test_digit(qtbot, draw):
    draw.controller.rng = np.random.default_rng(3)
    label = draw.try_test_digit()
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert not draw.canvas.is_empty() and draw.bars.top() == label


def test_the_model_box_names_the_source_in_use(qtbot, main_window, draw, tmp_path):
    assert draw.source_box.currentIndex() == 0
    draw.source_box.setCurrentIndex(1)
    draw._on_source_chosen(1)  # no training run yet: back to the model in use
    assert draw.source_box.currentIndex() == 0 and "No training run yet" in draw.message.text()
    assert draw.use_checkpoint(trained_checkpoint(tmp_path))
    assert draw.source_box.currentIndex() == 2
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert draw.source_box.currentIndex() == 2 and "checkpoint" in draw.model_label.text()


# -- lesson files -------------------------------------------------------------------------------
def test_the_draw_page_round_trips_its_lesson(qtbot, draw, tmp_path):
    drag(draw.canvas, VERTICAL)
    draw.layer_box.setCurrentText("conv2")
    draw.why_tabs.setCurrentIndex(1)  # Why?
    draw.why_tabs.why.method_box.setCurrentIndex(1)
    saved = draw.lesson_state()
    assert saved["model"] == {"source": "default"} and saved["exact"] is None
    assert len(saved["canvas"]) < 4000  # a small PNG, not 78,400 numbers
    drawing = draw.canvas.to_array()

    assert draw.use_checkpoint(trained_checkpoint(tmp_path))  # change everything
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    draw.canvas.clear()
    draw.why_tabs.setCurrentIndex(0)
    draw.why_tabs.why.method_box.setCurrentIndex(0)
    assert draw.lesson_state() != saved
    draw.restore_lesson(saved)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)  # the default model, built again
    assert draw.lesson_state() == saved
    assert np.array_equal(draw.canvas.to_array(), drawing)
    assert draw.source_box.currentIndex() == 0 and "default model" in draw.model_label.text()
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)  # classified, in the worker
    assert draw.bars.top() == 1 and "conv2" in draw.maps.title.text()


def test_a_draw_lesson_keeps_a_checkpoint_and_an_exact_test_image(qtbot, draw, tmp_path):
    path = trained_checkpoint(tmp_path)
    assert draw.use_checkpoint(path)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    draw.controller.rng = np.random.default_rng(5)
    draw.try_test_digit()
    exact = draw.exact_input.copy()
    saved = draw.lesson_state()
    assert saved["model"] == {"source": "checkpoint", "path": str(path)}
    draw.restore_lesson({**saved, "model": {"source": "default"}, "exact": None})
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert draw.exact_input is None and draw.source_index == 0
    draw.restore_lesson(saved)
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert draw.lesson_state() == saved and draw.source_index == 2
    np.testing.assert_array_equal(draw.exact_input, exact)  # given to the network exactly
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    np.testing.assert_allclose(draw.seen.image.image, exact.mean(axis=0))


@pytest.mark.parametrize(
    "change, words",
    [
        ({"model": {"source": "checkpoint", "path": "/no/such/run.pt"}}, "no longer exists"),
        ({"model": {"source": "hologram"}}, "its model must be one of"),
        ({"model": {"source": "weights", "path": __file__, "model": "simple"}}, "opened"),
        ({"canvas": "###"}, "its drawing is damaged"),
        ({"exact": 3}, "its test image must be a PNG"),
        ({"tab": 9}, "its tab must be a whole number from 0 to 4"),
        ({"method": "astrology"}, "'astrology'"),
        ({"layer": 3}, "layer"),
    ],
)
def test_a_bad_draw_lesson_is_refused_and_the_page_stays(draw, change, words):
    drag(draw.canvas, VERTICAL)
    before = draw.lesson_state()
    with pytest.raises(ValueError, match=words):
        draw.restore_lesson({**before, **change})
    assert draw.lesson_state() == before


def test_a_checkpoint_that_cannot_be_used_is_refused(qtbot, draw, tmp_path):
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"nonsense")
    before = draw.lesson_state()
    model = draw.source
    with pytest.raises(ValueError, match="its checkpoint .* cannot be used"):
        draw.restore_lesson({**before, "model": {"source": "checkpoint", "path": str(bad)}})
    assert draw.lesson_state() == before and draw.source is model and not draw.switching()


def test_a_draw_lesson_on_the_training_run_before_any_run_keeps_the_model(qtbot, draw):
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    model = draw.source
    drag(draw.canvas, VERTICAL)
    state = {**draw.lesson_state(), "model": {"source": "training run"}}
    draw.canvas.clear()
    draw.restore_lesson(state)
    assert "No training run yet" in draw.message.text() and draw.source is model
    qtbot.waitUntil(lambda: settled(draw), timeout=10000)
    assert draw.bars.top() == 1  # the drawing is taken and classified


def test_a_page_made_without_a_window_runs_its_jobs_on_a_service_of_its_own(qtbot):
    """As a lesson exported from the command line builds it: no window lends a service."""
    from cnnviz.gui.pages.draw_page import DrawPage

    page = DrawPage()
    qtbot.addWidget(page)
    canvas = np.zeros((280, 280), np.uint8)
    canvas[40:240, 130:150] = 255
    from cnnviz.core.lesson_pictures import encode_png

    page.restore_lesson({"model": {"source": "default"}, "canvas": encode_png(canvas)})
    try:
        qtbot.waitUntil(page.settled, timeout=10000)
        assert page.bars.top() == 1 and "default model" in page.model_label.text()
    finally:
        page.shutdown()
        qtbot.waitUntil(lambda: not page.busy_text(), timeout=10000)
