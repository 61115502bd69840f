"""One step page: the Trace page's model choice — the Train page's run (its latest weights), a
checkpoint file — stepped on a module of the page's own; a model that cannot be stepped is
refused with a clear message and the last good state stays; a lesson keeps the choice."""

import numpy as np
import pytest

pytest.importorskip("torch")
import torch  # noqa: E402
from test_draw_page import trained_checkpoint  # noqa: E402

from cnnviz.core.inference import load_classifier  # noqa: E402
from cnnviz.core.models import build  # noqa: E402
from cnnviz.core.training import TrainConfig  # noqa: E402
from cnnviz.gui.pages.learn_page import LearnPage  # noqa: E402
from cnnviz.gui.pages.learn_sources import CHOICES  # noqa: E402
from cnnviz.gui.pages.train_page import TrainPage  # noqa: E402
from cnnviz.gui.widgets.source_choice import CHECKPOINT, DEFAULT, OPENED, TRAINING_RUN  # noqa: E402


@pytest.fixture
def learn(main_window, qtbot):
    page = main_window.show_page(LearnPage)
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.ready, timeout=30000)
    return page


def step(qtbot, page) -> None:
    """One step, then its new gradients (the test images measured too)."""
    steps = page.controller.session.steps
    page.take_step()
    qtbot.waitUntil(
        lambda: page.controller.session.steps == steps + 1 and page.ready() and page.measured(),
        timeout=30000,
    )


def assert_weights(session_state: dict, model) -> None:
    state = model.state_dict()
    assert set(session_state) == set(state)
    for name, value in state.items():
        np.testing.assert_array_equal(session_state[name], value.detach().numpy())


def test_the_train_page_s_run_is_stepped_from_its_latest_weights(qtbot, main_window, learn):
    assert not learn.sources.use_training_run()
    assert "No training run yet" in learn.message.text()
    assert learn.model_box.currentIndex() == DEFAULT and learn.ready()
    train = main_window.show_page(TrainPage)
    assert train.start(TrainConfig(epochs=1, limit_train=256, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    trained = {k: v.detach().clone() for k, v in train.engine.model.state_dict().items()}
    main_window.show_page(LearnPage)
    assert learn.sources.use_training_run()
    qtbot.waitUntil(
        lambda: "training run" in learn.model_label.text() and learn.ready(), timeout=30000
    )
    assert learn.model_box.currentIndex() == TRAINING_RUN
    assert_weights(learn.controller.session.start, train.engine.model)
    step(qtbot, learn)
    start, current = learn.controller.session.start, learn.controller.session.current
    assert not np.array_equal(start["conv1.weight"], current["conv1.weight"])
    # the Train page's model is not the one stepped: its weights stay as trained
    for name, value in train.engine.model.state_dict().items():
        assert torch.equal(value, trained[name])
    assert learn.lesson_state()["model"] == {"source": "training run"}
    train.shutdown()


def test_the_training_run_asked_for_as_it_ends_is_awaited_until_its_snapshot_is_in(
    qtbot, main_window, learn, held_run_end
):
    """The Train page says its run ended (the finish handled) while the training thread has
    yet to serve the snapshots waiting for its end: the run is still active, so the snapshot
    asked for then arrives later — and until it is in, the page is not ready (its label already
    names the training run: "Taking a snapshot of the training run…")."""
    release = held_run_end
    train = main_window.show_page(TrainPage)
    try:
        assert train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
        qtbot.waitUntil(lambda: train.ended, timeout=60000)
        main_window.show_page(LearnPage)
        assert learn.sources.use_training_run()  # the run is active still: asked, not served
        assert "training run" in learn.model_label.text() and not learn.ready()
        assert learn.model_box.currentIndex() == DEFAULT
    finally:
        release.set()
    qtbot.waitUntil(lambda: not train.busy_text(), timeout=30000)  # the training thread is done
    qtbot.waitUntil(
        lambda: "training run" in learn.model_label.text() and learn.ready(), timeout=30000
    )
    assert learn.model_box.currentIndex() == TRAINING_RUN
    assert_weights(learn.controller.session.start, train.engine.model)
    train.shutdown()


def test_a_model_chosen_while_the_snapshot_is_on_its_way_wins(
    qtbot, main_window, learn, held_run_end
):
    """The training run asked for, then a fresh net chosen before the run's snapshot is in:
    the snapshot that arrives later is dropped, and the fresh net stays."""
    release = held_run_end
    train = main_window.show_page(TrainPage)
    try:
        assert train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
        qtbot.waitUntil(lambda: train.ended, timeout=60000)
        main_window.show_page(LearnPage)
        assert learn.sources.use_training_run()
        fresh = CHOICES.index("fresh")
        learn.model_box.setCurrentIndex(fresh)
        learn.model_box.activated.emit(fresh)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not train.busy_text(), timeout=30000)  # the snapshot was served
    qtbot.waitUntil(learn.ready, timeout=30000)
    qtbot.wait(200)  # anything the late snapshot would have started has had its turn
    assert learn.controller.model == "fresh" and learn.model_box.currentIndex() == fresh
    assert learn.ready()
    train.shutdown()


def test_a_checkpoint_is_stepped_and_its_lesson_keeps_the_file(qtbot, main_window, learn, tmp_path):
    path = trained_checkpoint(tmp_path)
    learn.sources.use_checkpoint(path)
    qtbot.waitUntil(
        lambda: "checkpoint" in learn.model_label.text() and learn.ready(), timeout=30000
    )
    assert learn.model_box.currentIndex() == CHECKPOINT and not learn.message.isVisible()
    model, _ = load_classifier(path)
    assert_weights(learn.controller.session.start, model)
    step(qtbot, learn)
    assert "went from" in learn.result.text()
    state = learn.lesson_state()
    assert state["model"] == {"source": "checkpoint", "path": str(path)}  # never the weights
    # back to the shipped model, then the lesson takes the checkpoint again
    learn.restore_lesson({**state, "model": "trained"})
    qtbot.waitUntil(lambda: learn.ready() and learn.controller.model == "trained", timeout=30000)
    learn.restore_lesson(state)
    qtbot.waitUntil(lambda: learn.ready() and learn.controller.model == "checkpoint", timeout=30000)
    assert learn.model_box.currentIndex() == CHECKPOINT
    assert_weights(learn.controller.session.start, model)


def test_a_model_that_cannot_be_stepped_is_refused_and_the_last_state_stays(qtbot, learn, tmp_path):
    step(qtbot, learn)
    before = dict(learn.controller.session.current)
    text = learn.model_label.text()
    # a checkpoint of a net for 3×32×32 colour images: MNIST's digits do not fit it
    data = torch.load(trained_checkpoint(tmp_path), weights_only=True)
    colour = build("simple", in_channels=3, num_classes=10, input_size=32)
    data.update(model_state=colour.state_dict(), input_shape=[3, 32, 32])
    torch.save(data, tmp_path / "colour.pt")
    learn.sources.use_checkpoint(tmp_path / "colour.pt")
    qtbot.waitUntil(lambda: learn.message.isVisible() and learn.ready(), timeout=30000)
    message = learn.message.text()
    assert "Cannot use this model" in message and "The previous model stays" in message
    assert "MNIST's digits (1×28×28, 10 classes)" in message and "3×32×32" in message
    assert learn.model_box.currentIndex() == DEFAULT and learn.model_label.text() == text
    assert "8,490 parameters" in text and learn.controller.session.steps == 1
    for name, value in before.items():
        np.testing.assert_array_equal(learn.controller.session.current[name], value)
    step(qtbot, learn)  # the model that stayed still steps
    assert learn.controller.session.steps == 2
    assert "Cannot use this model" in learn.message.text()  # said until a model is taken
    learn.controller.use_model("fresh")
    qtbot.waitUntil(lambda: learn.ready() and learn.controller.model == "fresh", timeout=30000)
    assert not learn.message.isVisible()


def test_a_lesson_on_the_training_run_before_any_run_keeps_the_model(qtbot, learn):
    text = learn.model_label.text()
    learn.restore_lesson(
        {"model": {"source": "training run"}, "input": {"test_image": 1}, "label": 2}
    )
    qtbot.waitUntil(lambda: learn.ready() and not learn.restoring(), timeout=30000)
    assert "No training run yet" in learn.message.text()
    assert learn.model_box.currentIndex() == DEFAULT and learn.model_label.text() == text
    assert learn.controller.test_index == 1 and learn.controller.label == 2
    assert learn.test_spin.maximum() == 9999  # MNIST's 10,000 test images, from the data


def test_an_opened_model_is_stepped_with_its_weights_file(qtbot, learn, tmp_path):
    from pathlib import Path

    from cnnviz.models import load_model_file, register_user_model, unregister

    script = Path(__file__).resolve().parents[1] / "core" / "model_files" / "lecture_cnn_script.py"
    name = register_user_model(load_model_file(script))  # opened, as File → Open model does
    try:
        trained = load_model_file(script).build()
        torch.save(trained.state_dict(), tmp_path / "mnist_cnn.pt")
        learn.sources.use_weights(name, tmp_path / "mnist_cnn.pt")
        qtbot.waitUntil(
            lambda: learn.ready() and learn.controller.model == "weights", timeout=30000
        )
        assert learn.model_box.currentIndex() == OPENED and "8,490" in learn.model_label.text()
        assert_weights(learn.controller.session.start, trained)
        step(qtbot, learn)
        assert learn.lesson_state()["model"] == {
            "source": "weights",
            "path": str(tmp_path / "mnist_cnn.pt"),
            "model": name,
        }
    finally:
        unregister(name)
