"""The latest model choice wins on the Trace, Draw and One step pages: a training run's
snapshot (served at the run's end, after the Train page said "ended") or a weights file read
in the background that comes after another model was chosen is dropped, and the page is not
ready while the model chosen last is on its way."""

from pathlib import Path

import pytest

pytest.importorskip("torch")
import torch  # noqa: E402

from cnnviz.core.training import TrainConfig  # noqa: E402
from cnnviz.gui.pages.draw_page import DrawPage  # noqa: E402
from cnnviz.gui.pages.learn_page import LearnPage  # noqa: E402
from cnnviz.gui.pages.learn_sources import CHOICES  # noqa: E402
from cnnviz.gui.pages.trace_page import TracePage  # noqa: E402
from cnnviz.gui.pages.train_page import TrainPage  # noqa: E402
from cnnviz.gui.widgets.source_choice import DEFAULT, TRAINING_RUN  # noqa: E402

SCRIPT = Path(__file__).resolve().parents[1] / "core" / "model_files" / "lecture_cnn_script.py"


def choose(box, index: int) -> None:
    """Pick entry ``index`` of a Model box as the user does."""
    box.setCurrentIndex(index)
    box.activated.emit(index)


def shown(main_window, qtbot, kind, ready):
    page = main_window.show_page(kind)
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: ready(page), timeout=30000)
    return page


def test_the_default_model_chosen_while_the_run_s_snapshot_is_on_its_way_wins(
    qtbot, main_window, held_run_end
):
    """Trace and Draw ask for the training run as it ends (its last snapshot held in the
    training thread), then the default model is chosen: the snapshot that comes later is
    dropped on both pages, and neither says it is done while it is awaited."""
    release = held_run_end
    trace = shown(main_window, qtbot, TracePage, TracePage.traced)
    draw = shown(main_window, qtbot, DrawPage, DrawPage.settled)
    train = main_window.show_page(TrainPage)
    try:
        assert train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
        qtbot.waitUntil(lambda: train.ended, timeout=60000)
        assert trace.use_training_run() and draw.use_training_run()
        assert not trace.traced() and not draw.settled()  # the snapshot is on its way
        choose(trace.source_box, DEFAULT)
        choose(draw.source_box, DEFAULT)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not train.busy_text(), timeout=30000)  # the snapshots were served
    qtbot.wait(200)  # anything the late snapshots would have started has had its turn
    qtbot.waitUntil(lambda: trace.traced() and draw.settled(), timeout=30000)
    assert trace.source_index == DEFAULT and trace.source_box.currentIndex() == DEFAULT
    assert "training run" not in trace.model_label.text()
    assert draw.source_index == DEFAULT and draw.source_box.currentIndex() == DEFAULT
    assert "default model" in draw.model_label.text()
    train.shutdown()


@pytest.fixture
def opened(tmp_path):
    """A model opened from a file, as File → Open model does, and a weights file for it."""
    from cnnviz.models import load_model_file, register_user_model, unregister

    name = register_user_model(load_model_file(SCRIPT))
    torch.save(load_model_file(SCRIPT).build().state_dict(), tmp_path / "mnist_cnn.pt")
    yield name, tmp_path / "mnist_cnn.pt"
    unregister(name)


@pytest.mark.parametrize("kind", [TracePage, DrawPage])
def test_the_default_model_chosen_while_a_weights_file_is_read_wins(
    qtbot, main_window, opened, kind
):
    """A weights file asked for, then the default model chosen before it has been read (its
    answer is queued to the page, so it comes after the choice): the file is dropped."""
    ready = TracePage.traced if kind is TracePage else DrawPage.settled
    page = shown(main_window, qtbot, kind, ready)
    page.use_weights(*opened)
    assert not ready(page)  # the file is on its way
    choose(page.source_box, DEFAULT)
    qtbot.waitUntil(lambda: not page.weights.is_busy(), timeout=30000)  # read and answered
    qtbot.wait(200)
    qtbot.waitUntil(lambda: ready(page), timeout=30000)
    assert page.source_index == DEFAULT and page.source_box.currentIndex() == DEFAULT
    assert "weights" not in page.message.text() and "8,490" in page.model_label.text()


def test_one_step_a_fresh_net_chosen_while_a_weights_file_is_read_wins(qtbot, main_window, opened):
    learn = shown(main_window, qtbot, LearnPage, LearnPage.ready)
    learn.sources.use_weights(*opened)
    assert not learn.ready()  # the file is on its way
    choose(learn.model_box, CHOICES.index("fresh"))
    qtbot.waitUntil(lambda: not learn.sources.loader.is_busy(), timeout=30000)
    qtbot.wait(200)
    qtbot.waitUntil(learn.ready, timeout=30000)
    assert learn.controller.model == "fresh"
    assert learn.model_box.currentIndex() == CHOICES.index("fresh")


def test_the_training_run_asked_for_without_a_run_leaves_nothing_awaited(qtbot, main_window):
    """Without a run the choice is refused at once: the page is ready, its model stays."""
    trace = shown(main_window, qtbot, TracePage, TracePage.traced)
    assert not trace.use_training_run() and trace.traced()
    assert trace.source_index != TRAINING_RUN


def _use_training_run(page) -> bool:
    return (page.sources if isinstance(page, LearnPage) else page).use_training_run()


def _on_the_default_model(page) -> bool:
    if isinstance(page, LearnPage):
        trained = CHOICES.index("trained")
        return page.controller.model == "trained" and page.model_box.currentIndex() == trained
    return page.source_index == DEFAULT and page.source_box.currentIndex() == DEFAULT


@pytest.mark.parametrize("kind", [TracePage, DrawPage, LearnPage])
def test_a_lesson_on_the_default_model_opened_while_the_run_s_snapshot_is_on_its_way_wins(
    qtbot, main_window, held_run_end, kind
):
    """The training run asked for as it ends (its last snapshot held in the training thread),
    then a lesson on the default model opened: opening it is a new choice, so the snapshot that
    comes later is dropped, the lesson's model stays and the page says it is ready."""
    release = held_run_end
    ready = {TracePage: TracePage.traced, DrawPage: DrawPage.settled, LearnPage: LearnPage.ready}
    page = shown(main_window, qtbot, kind, ready[kind])
    saved = page.lesson_state()  # on the default model
    assert _on_the_default_model(page)
    train = main_window.show_page(TrainPage)
    try:
        assert train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
        qtbot.waitUntil(lambda: train.ended, timeout=60000)
        assert _use_training_run(page)
        assert not ready[kind](page)  # the snapshot is on its way
        page.restore_lesson(saved)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not train.busy_text(), timeout=30000)  # the snapshot was served
    qtbot.wait(200)  # anything the late snapshot would have started has had its turn
    qtbot.waitUntil(lambda: ready[kind](page) and not page.restoring(), timeout=30000)
    assert _on_the_default_model(page)
    assert "training run" not in page.model_label.text()
    assert page.lesson_state() == saved
    train.shutdown()


@pytest.fixture
def checkpoint(tmp_path):
    """A checkpoint of a short run of the simple network."""
    from cnnviz.core.training import Engine

    engine = Engine(
        TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu", snapshot_every=0)
    )
    engine.run()
    engine.save(tmp_path / "simple.pt")
    return tmp_path / "simple.pt"


@pytest.mark.parametrize("kind", [TracePage, DrawPage, LearnPage])
def test_a_lesson_on_the_default_model_opened_while_a_checkpoint_is_built_wins(
    qtbot, main_window, checkpoint, kind
):
    """A checkpoint chosen, then a lesson on the default model opened before the checkpoint's
    model is built: the lesson's model is the one in use once the page is ready."""
    ready = {TracePage: TracePage.traced, DrawPage: DrawPage.settled, LearnPage: LearnPage.ready}
    page = shown(main_window, qtbot, kind, ready[kind])
    saved = page.lesson_state()  # on the default model
    (page.sources if kind is LearnPage else page).use_checkpoint(checkpoint)
    page.restore_lesson(saved)
    qtbot.wait(200)
    qtbot.waitUntil(lambda: ready[kind](page) and not page.restoring(), timeout=30000)
    assert _on_the_default_model(page)
    assert "checkpoint" not in page.model_label.text()
    assert page.lesson_state() == saved
