"""The Train page's controller, without Qt: what may start or be saved, what a run's events
leave, what the page says, which checkpoint Start continues, and when the views repaint."""

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from cnnviz.core.training import CheckpointError, Engine, TrainConfig, events  # noqa: E402
from cnnviz.gui.pages.train_controller import (  # noqa: E402
    MAPS_SECONDS,
    PLOT_SECONDS,
    TrainController,
    read_checkpoint,
)

ROOT = Path(__file__).resolve().parents[2]


def small(**kw):
    base = dict(epochs=1, limit_train=256, limit_test=64, snapshot_every=2, device="cpu")
    base.update(kw)
    return TrainConfig(**base)


def run_through(state: TrainController, config: TrainConfig) -> Engine:
    """A whole run of ``config`` whose events reach ``state`` as the page hands them on."""
    state.begin(config)
    engine = state.engine = Engine(config)
    engine.on(events.STARTED, state.started)
    engine.on(events.LOSSES, state.losses)
    engine.on(events.SNAPSHOT, state.probed)
    engine.on(events.EPOCH_DONE, state.epoch)
    engine.run()
    return engine


def test_the_controller_imports_no_qt():
    code = (
        "import sys, cnnviz.gui.pages.train_controller\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_a_run_leaves_its_curves_a_compared_run_and_something_unsaved():
    state = TrainController()
    assert not state.is_running() and state.start_refusal(thread_busy=False) is None
    engine = run_through(state, small(epochs=2))
    assert state.is_running()  # until the page has handled the run's end
    assert state.set_up and state.batches == 4 and state.total_steps() == 8
    assert state.history.steps == list(range(1, 9)) and len(state.history.accs) == 2
    assert state.dirty_plot and state.snapshot is not None
    progress = state.take_progress()
    assert (progress.done, progress.total) == (8, 8)
    assert progress.line.startswith("Epoch 2/2 · batch 4/4 · ")
    assert progress.status.startswith("Training simple: epoch 2 of 2, batch 4 of 4 · loss ")
    assert state.take_progress() is None  # nothing new since
    assert "Train Epoch: 1 [0/256 (0%)]" in state.take_log_lines()
    assert state.take_log_lines() == ""
    name = state.end("finished")
    assert name.startswith("1. simple (") and name.endswith(", finished)")
    assert state.finished_runs.names() == [name] and state.unsaved and not state.is_running()
    assert state.ended_status("finished").startswith("Training simple finished: test accuracy")
    assert "after 2 epochs" in state.ended_status("finished")
    assert state.csv_text() == state.history.to_csv_text(engine.history["epochs"])
    assert state.close_needs_asking()


def test_a_failed_run_is_neither_compared_nor_unsaved():
    state = TrainController()
    state.begin(small())
    state.engine = Engine(small(dataset="folder:/no/such/folder"))
    state.engine.run()
    assert state.end("failed") is None and not state.unsaved
    assert state.ended_status("failed", "no images") == "Training simple failed: no images"
    assert state.ended_status("stopped").endswith(
        "stopped before its first test — try it on the Draw page (Current training run)."
    )


def test_start_save_and_lesson_rules():
    state = TrainController()
    assert state.save_refusal() == "Nothing to save yet: train first."
    assert state.start_refusal(thread_busy=True) == (
        "The previous run is still finishing; try again in a moment."
    )
    request = state.begin_file_job("load", "/tmp/run.pt")
    assert state.loading and not state.can_save_now()
    assert state.start_refusal(False) == "A checkpoint is being read: Start once it has loaded."
    assert "a checkpoint is being read" in state.lesson_refusal(False)
    assert state.file_refusal() == "A moment: /tmp/run.pt is still being written or read."
    assert state.file_failed(request + 1, "late") is None  # not the job in hand
    assert state.file_failed(request, "garbage") == "Cannot load the checkpoint: garbage"
    assert state.file_job is None and state.start_refusal(False) is None
    engine = Engine(small(epochs=50))
    state.begin(engine.config)
    state.engine = engine
    assert state.start_refusal(False) == ""  # running: nothing to say, nothing started
    assert "a training run is going on" in state.lesson_refusal(False)
    assert state.save_refusal() == "Nothing to save yet: train first."  # not set up yet
    assert not state.close_needs_asking()  # running, but nothing trained yet


def test_saving_clears_unsaved_and_may_close_the_window(tmp_path):
    state = TrainController()
    run_through(state, small())
    state.end("stopped")
    assert state.save_refusal() is None and state.can_save_now()
    first = state.begin_file_job("save", tmp_path / "a.pt")
    assert not state.can_save_now()
    done = state.file_done(first, None)
    assert done.text == f"Saved to {tmp_path / 'a.pt'}" and not done.close
    assert not state.unsaved and done.config is None
    second = state.begin_file_job("save", tmp_path / "b.pt")
    state.close_after_save = True
    assert state.file_done(second - 1, None) is None  # an older answer changes nothing
    assert state.file_done(second, None).close and not state.close_after_save
    third = state.begin_file_job("save", "/proc/no/run.pt")
    state.close_after_save = True
    assert state.file_failed(third, "denied") == "Could not save the checkpoint: denied"
    assert not state.close_after_save  # the window stays: the run is not saved


def test_a_checkpoint_read_is_what_start_continues(tmp_path):
    state = TrainController()
    engine = run_through(state, small())
    path = tmp_path / "run.pt"
    engine.save(path)
    data = read_checkpoint(path)
    request = state.begin_file_job("load", path)
    done = state.file_done(request, data)
    assert done.text == "Loaded simple after epoch 1: Start continues it."
    assert done.config == engine.config and done.history["steps"] == list(range(1, 5))
    assert state.checkpoint is data
    assert state.set_history(done.history) == done.history["epochs"][-1]
    assert state.history.steps == list(range(1, 5)) and len(state.history.accs) == 1
    continued, fresh = state.begin(small(epochs=2))
    assert continued is data and not fresh and state.checkpoint is None
    assert state.history.steps == list(range(1, 5))  # the curves go on from there
    state.checkpoint = data
    other, fresh = state.begin(small(model="deeper"))
    assert other is None and fresh and state.history.steps == []  # another model: afresh
    bad = dict(data, model="hologram")
    torch.save(bad, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError):
        read_checkpoint(tmp_path / "bad.pt")


def test_weights_trained_elsewhere_start_a_fresh_run():
    state = TrainController()
    said = state.weights_loaded({"name": "mine", "state": {"w": 1}, "path": "w.pt"})
    assert said == "Loaded the weights of w.pt onto mine: Start trains from them."
    state.set_curves([1, 2], [0.5, 0.4], [], [])
    checkpoint, fresh = state.begin(small(model="mine"))
    assert checkpoint["model_state"] == {"w": 1} and fresh and state.history.steps == []


def test_repaints_are_due_no_more_often_than_the_eye_needs():
    state = TrainController()
    assert not state.plot_due(100.0) and not state.maps_due(100.0)  # nothing changed
    state.set_curves([1], [0.5], [], [])
    assert state.plot_due(100.0) and not state.plot_due(100.0)
    state.set_curves([1, 2], [0.5, 0.4], [], [])
    assert not state.plot_due(100.0 + PLOT_SECONDS / 2)
    assert state.plot_due(100.0 + PLOT_SECONDS / 2, force=True)
    state.probed({"step": 1})
    assert state.maps_due(100.0) and state.snapshots_shown == 1
    state.probed({"step": 2})
    assert not state.maps_due(100.0 + MAPS_SECONDS / 2)
    assert state.maps_due(100.0 + MAPS_SECONDS) and state.snapshots_shown == 2


def test_a_snapshot_of_the_run_is_a_model_source():
    state = TrainController()
    assert not state.request_snapshot(lambda source: None)  # no run
    engine = run_through(state, small())
    got = []
    assert state.request_snapshot(got.append)
    (source,) = got
    model, info = source.make()
    assert model is not engine.model and info == engine.input_contract()
    for key, value in engine.model.state_dict().items():
        assert torch.equal(model.state_dict()[key], value.cpu())
