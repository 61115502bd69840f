"""Train page: live curves and feature maps, pause/resume/stop, clean close, Inception view."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("pyqtgraph")

from cnnviz.core.training import TrainConfig  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def quick(**kw):
    base = dict(
        model="simple",
        epochs=1,
        limit_train=1280,
        limit_test=300,
        snapshot_every=2,
        snapshot_seconds=0.0,
        device="cpu",
    )
    base.update(kw)
    return TrainConfig(**base)


@pytest.fixture
def train(main_window, qtbot):
    from cnnviz.gui.pages.train_page import TrainPage

    page = main_window.show_page(TrainPage)
    yield page
    page.shutdown()


def test_training_updates_the_curve_and_the_feature_maps(qtbot, train):
    assert train.start(quick(epochs=2))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    xs, ys = train.views.loss_plot.raw.getData()
    assert len(xs) == 40 and np.all(np.isfinite(ys))
    _, accs = train.views.loss_plot.accuracy.getData()
    assert len(accs) == 2 and accs[-1] > 30
    assert train.snapshots_shown >= 2
    image = train.views.features.image.image
    assert image is not None and image.shape[0] > 24  # the mosaic of conv1's 10 channels
    assert "CPU" in train.device_label.text()
    log = train.views.log.toPlainText()
    assert "Train Epoch: 1 [0/1280 (0%)]\tLoss:" in log and "Test set: Average loss:" in log
    assert train.views.confusion.item(0, 0) is not None
    assert train.views.runs.count() == 1 and train.start_button.isEnabled()
    train.views.enlarge(3)
    assert train.views.enlarged.image.image.shape == (24, 24)
    assert "Channel 4" in train.views.enlarged.title.text()


def test_choosing_a_layer_changes_the_live_feature_maps(qtbot, train):
    train.start(quick(epochs=20))
    qtbot.waitUntil(lambda: train.snapshots_shown > 0, timeout=30000)
    train.views.layer_box.setCurrentText("conv2")
    qtbot.waitUntil(lambda: "conv2" in train.views.features.title.text(), timeout=10000)
    assert "20 channels of 8×8" in train.views.features.title.text()
    train.stop()
    qtbot.waitUntil(lambda: train.ended, timeout=5000)


def test_loss_plot_stays_fast_for_100k_points(train):
    plot = train.views.loss_plot
    steps = np.arange(1, 100_001)
    losses = np.abs(np.sin(steps / 500.0)) + 0.1
    start = time.perf_counter()
    train._set_curves(steps, losses, [50_000, 100_000], [0.9, 0.95])
    train.repaint_views()
    plot.repaint()
    elapsed = time.perf_counter() - start
    assert plot.raw.getData()[0].size <= 100_000  # downsampled for display
    assert len(train.history.smoothed) == 100_000
    assert elapsed < 5.0  # generous: the figure that matters is in the benchmark


def test_pause_resume_and_stop_quickly(qtbot, train):
    train.start(quick(epochs=50))
    qtbot.waitUntil(lambda: len(train.losses) > 0, timeout=30000)
    train.toggle_pause()
    qtbot.waitUntil(lambda: train.pause_button.text() == "Resume", timeout=2000)
    qtbot.wait(300)
    at_pause = train.engine.step
    qtbot.wait(300)
    assert train.engine.step == at_pause and train.save_button.isEnabled()
    train.toggle_pause()
    qtbot.waitUntil(lambda: train.engine.step > at_pause + 3, timeout=10000)
    pressed = time.perf_counter()
    train.stop()
    qtbot.waitUntil(lambda: train.ended, timeout=5000)
    assert time.perf_counter() - pressed < 2.0
    assert "stopped" in train.progress_label.text()


def start_next(qtbot, train, config) -> None:
    """Start a run once the previous one's thread has finished: its last event ends the run
    here a moment before its thread returns, and a Start meanwhile is refused (the page says
    "The previous run is still finishing"), which a test must not take for a second run."""
    qtbot.waitUntil(lambda: train.run is None or not train.run.is_running(), timeout=10000)
    assert train.start(config)


def test_inception_branches_only_for_inception(qtbot, train):
    views = train.views
    train.start(quick(limit_train=192))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert not views.tabs.isTabEnabled(views.tabs.indexOf(views.branch_page))
    assert views.tabs.currentWidget() is views.filters  # the first tab with something to show
    start_next(qtbot, train, quick(model="inception", limit_train=192))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert views.tabs.isTabEnabled(views.tabs.indexOf(views.branch_page))
    assert views.tabs.currentWidget() is views.branch_page
    assert [views.block_box.itemText(i) for i in range(views.block_box.count())] == [
        "incept1",
        "incept2",
    ]
    assert [v.title.text() for v in views.branches] == [
        "1×1, 16 ch",
        "5×5, 24 ch",
        "3×3 double, 24 ch",
        "pool, 24 ch",
    ]
    assert all(v.image.image is not None for v in views.branches)


def test_the_branch_and_gradient_tabs_are_built_a_turn_after_the_views_and_given_what_they_have(
    qtbot,
):
    """TrainViews builds its Inception-branch and gradient tabs on later turns of the event
    loop (with the views they held the Train page's build for about 20 ms more), or at once
    when their tab is shown or a widget of theirs is asked for, with the blocks set before
    they existed. Their tabs keep their place, title and state."""
    from cnnviz.gui.widgets.train_views import TrainViews

    titles = ["Inception branches", "Filters", "Gradients", "Confusion", "Log", "Compare runs"]
    made = []

    def views() -> TrainViews:
        made.append(TrainViews())
        qtbot.addWidget(made[-1])
        return made[-1]

    try:
        shown, chosen = views(), []
        shown.block_chosen.connect(chosen.append)
        assert shown._built == {}
        shown.set_inception(["incept1", "incept2"])  # given before the tab exists
        shown.tabs.setCurrentIndex(2)  # the gradients: built now, in their tab
        assert set(shown._built) == {"gradients"}
        assert shown.tabs.currentWidget() is shown.grad_plot
        qtbot.waitUntil(lambda: len(shown._built) == 2)
        assert shown.tabs.currentIndex() == 2
        assert [shown.tabs.tabText(i) for i in range(shown.tabs.count())] == titles
        assert shown.tabs.isTabEnabled(0) and shown.tabs.widget(0) is shown.branch_page
        box = shown.block_box
        assert [box.itemText(i) for i in range(box.count())] == ["incept1", "incept2"]
        box.setCurrentIndex(1)
        assert chosen == ["incept2"]  # the page hears the choice through the views' signal
        shown.set_inception([])  # a model without blocks: the built tab says so
        assert not shown.tabs.isTabEnabled(0) and box.count() == 0
        assert shown.no_branches.isVisibleTo(shown.branch_page)

        untouched = views()
        untouched.set_inception([])
        qtbot.waitUntil(lambda: len(untouched._built) == 2)
        assert not untouched.tabs.isTabEnabled(0)  # disabled before it was built, and after
        assert untouched.tabs.widget(0) is untouched.branch_page
    finally:
        for each in made:
            each.gallery.shutdown()  # its worker thread (the page does this when it closes)


def test_nan_pauses_with_a_message(qtbot, train):
    train.start(quick(lr=1e6, momentum=0.9, epochs=3, log_every=1))
    qtbot.waitUntil(lambda: train.message.isVisible(), timeout=30000)
    assert "learning rate" in train.message.text() and "too high" in train.message.text()
    assert train.engine.paused
    train.stop()
    qtbot.waitUntil(lambda: train.ended, timeout=5000)


def test_bad_settings_are_refused(train):
    assert not train.start(quick(momentum=0, nesterov=True))
    assert "nesterov" in train.message.text()
    assert not train.is_running()


def test_checkpoint_save_load_continue(qtbot, train, tmp_path):
    train.start(quick())
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    path = tmp_path / "run.pt"
    assert train.save_checkpoint(path)  # written in a worker: the buttons wait for it
    assert not train.save_button.isEnabled() and not train.load_button.isEnabled()
    assert not train.save_checkpoint(tmp_path / "again.pt")  # one file at a time, said so
    assert "still being written" in train.message.text()
    qtbot.waitUntil(lambda: train.file_job is None, timeout=20000)
    assert path.is_file() and not train.unsaved and train.save_button.isEnabled()
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage")
    before = list(train.losses)
    assert train.load_checkpoint_file(bad)
    assert not train.start_button.isEnabled() and not train.start(quick())  # still reading
    qtbot.waitUntil(lambda: train.file_job is None, timeout=20000)
    assert "Cannot load the checkpoint" in train.message.text() and train.losses == before
    assert train.checkpoint is None and train.start_button.isEnabled()
    assert train.load_checkpoint_file(path)
    qtbot.waitUntil(lambda: train.file_job is None, timeout=20000)
    assert "Start continues it" in train.progress_label.text()
    assert train.start(quick(epochs=2))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert train.steps[:20] == before_steps(before) and train.steps[-1] == 40
    assert len(train.accs) == 2


def test_a_checkpoint_that_cannot_be_written_says_why_and_stays_unsaved(qtbot, train):
    train.start(quick())
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert train.unsaved and train.save_checkpoint("/proc/no-such-dir/run.pt")
    qtbot.waitUntil(lambda: train.file_job is None, timeout=20000)
    assert "Could not save the checkpoint" in train.message.text() and train.unsaved


def test_a_run_that_cannot_copy_its_checkpoint_says_so_and_frees_save(
    qtbot, train, monkeypatch, tmp_path
):
    train.start(quick())
    qtbot.waitUntil(lambda: train.ended and not train.busy_text(), timeout=60000)

    def broken(self, copy=False):
        raise RuntimeError("cannot copy")

    monkeypatch.setattr(type(train.engine), "checkpoint_payload", broken)
    assert train.save_checkpoint(tmp_path / "run.pt")
    qtbot.waitUntil(lambda: train.file_job is None, timeout=20000)
    assert "could not copy its weights" in train.message.text() and train.unsaved
    assert not (tmp_path / "run.pt").exists() and train.save_button.isEnabled()


def test_a_checkpoint_read_before_any_save_is_read(qtbot, train, tmp_path):
    """The page's file worker is made by whichever comes first: here a read, no save before."""
    bad = tmp_path / "garbage.pt"
    bad.write_bytes(b"garbage")
    assert train.files is None and train.load_checkpoint_file(bad)
    qtbot.waitUntil(lambda: train.file_job is None, timeout=20000)
    assert "Cannot load the checkpoint" in train.message.text()


def test_a_save_asked_as_the_run_ends_is_in_hand_until_written(
    qtbot, train, held_run_end, tmp_path
):
    """ "Ended" is handled here before the training thread serves what waits for the run's end:
    a save asked for then is in hand at once (a second is refused), and is written once the
    thread has copied the weights."""
    release = held_run_end
    try:
        train.start(quick())
        qtbot.waitUntil(lambda: train.ended, timeout=60000)
        assert train.save_checkpoint(tmp_path / "run.pt")
        assert train.file_job is not None  # in hand, though the weights are not copied yet
        assert not train.save_checkpoint(tmp_path / "again.pt")
    finally:
        release.set()
    qtbot.waitUntil(lambda: train.file_job is None, timeout=20000)
    assert (tmp_path / "run.pt").exists() and not (tmp_path / "again.pt").exists()
    assert not train.unsaved


def before_steps(losses):
    return list(range(1, len(losses) + 1))


def test_compare_runs_overlay(qtbot, train):
    for model in ("simple", "simple"):
        start_next(qtbot, train, quick(model=model, limit_train=256))
        qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert train.views.runs.count() == 2
    from PySide6.QtCore import Qt

    for i in range(2):
        train.views.runs.item(i).setCheckState(Qt.Checked)
    assert len(train.views.loss_plot.overlays) == 2


def test_closing_the_window_mid_training_stops_cleanly():
    code = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from cnnviz.gui.app import create_app\n"
        "from cnnviz.gui.window.main_window import MainWindow\n"
        "from cnnviz.core.training import TrainConfig\n"
        "from cnnviz.gui.pages.train_page import TrainPage\n"
        "app = create_app(); w = MainWindow(); w.show()\n"
        "w.confirm_discard = lambda: 'discard'\n"
        "page = w.show_page(TrainPage)\n"
        "page.start(TrainConfig(epochs=20, limit_train=6400, device='cpu'))\n"
        "def close_when_busy():\n"
        "    if len(page.losses) > 20:\n"
        "        w.close()  # the app quits when the window has closed\n"
        "    else:\n"
        "        QTimer.singleShot(50, close_when_busy)\n"
        "QTimer.singleShot(50, close_when_busy)\n"
        "sys.exit(app.exec())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert "Destroyed while thread is still running" not in out.stderr


# -- lesson files -------------------------------------------------------------------------------
def test_the_train_page_round_trips_its_lesson(main_window, train, tmp_path):
    from fake_data import make_folder

    folder = make_folder(tmp_path / "shapes", ["circle", "square"], n=2)
    form = train.form
    assert main_window.datasets.choose(f"folder:{folder}", {"size": 20, "channels": 3})
    form.model_box.setCurrentText("deeper")
    for spin, value in (
        (form.epochs, 3),
        (form.batch, 17),
        (form.lr, 0.125),
        (form.momentum, 0.9),
        (form.weight_decay, 0.0005),
        (form.seed, 42),
        (form.limit_train, 500),
        (form.probe, 12),
    ):
        spin.setValue(value)
    form.optimizer.setCurrentText("sgd")
    form.nesterov.setChecked(True)
    form.device.setCurrentText("cpu")
    saved = train.lesson_state()
    assert saved["dataset"] == f"folder:{folder}" and saved["model"] == "deeper"
    assert train.lesson_title() == "Train: deeper on shapes"

    assert main_window.datasets.choose("mnist")  # change everything
    form.model_box.setCurrentText("simple")
    for spin in (form.epochs, form.batch, form.seed, form.limit_train, form.probe):
        spin.setValue(spin.minimum())
    form.nesterov.setChecked(False)
    form.optimizer.setCurrentText("adam")
    form.device.setCurrentText("auto")
    assert train.lesson_state() != saved

    train.restore_lesson(saved)
    assert train.lesson_state() == saved
    assert main_window.datasets.choice.name == f"folder:{folder}"  # every page follows it
    config = train.config()  # what Start would train with
    assert {key: getattr(config, key) for key in saved} == saved
    assert not train.is_running() and train.run is None  # restoring never starts a run
    assert "Start trains deeper on shapes" in train.progress_label.text()


@pytest.mark.parametrize(
    "change, words",
    [
        ({"model": "hologram"}, "no model called 'hologram'"),
        ({"epochs": 0}, "number of epochs must be a whole number from 1 to 500, not 0"),
        ({"batch_size": "64"}, "batch size"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of"),
        ({"lr": -1}, "learning rate must be a number from"),
        ({"momentum": float("nan")}, "momentum is not a number"),
        ({"nesterov": "yes"}, "Nesterov must be true or false"),
        ({"seed": 2.5}, "seed"),
        ({"device": "tpu"}, "'tpu'"),
        ({"limit_train": 70000}, "training images"),
        ({"probe_index": -3}, "probe image"),
        ({"nesterov": True, "optimizer": "adam"}, "nesterov needs SGD"),
        ({"dataset": "imagenet"}, "'imagenet'"),
        ({"dataset": "folder:/no/such/folder"}, "image folder cannot be used"),
        ({"dataset_options": [28]}, "dataset options"),
    ],
)
def test_a_bad_train_lesson_is_refused_and_the_form_stays(train, change, words):
    before = train.lesson_state()
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        train.restore_lesson({**before, **change})
    assert train.lesson_state() == before


def test_a_lesson_on_a_dataset_not_downloaded_is_refused_without_downloading(
    monkeypatch, main_window, train, tmp_path
):
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(tmp_path / "empty"))
    asked = []
    main_window.datasets.confirm_download = lambda info: asked.append(info) or False
    before = train.lesson_state()
    with pytest.raises(ValueError, match="CIFAR-10, which is not on this computer yet"):
        train.restore_lesson({**before, "dataset": "cifar10"})
    assert train.lesson_state() == before and asked == []
    assert main_window.lesson_files.apply(
        __import__("cnnviz.core.lesson", fromlist=["Lesson"]).Lesson(
            "Train", {**before, "dataset": "cifar10"}
        )
    ).startswith("The lesson cannot be opened: it trains on CIFAR-10")
    assert not (tmp_path / "empty").exists()


def test_a_lesson_opened_during_a_run_is_refused_and_the_run_goes_on(qtbot, train):
    before = train.lesson_state()
    assert train.start(quick(epochs=50))
    qtbot.waitUntil(lambda: len(train.losses) > 0, timeout=30000)
    with pytest.raises(ValueError, match="a training run is going on"):
        train.restore_lesson({**before, "lr": 0.5, "model": "deeper"})
    assert train.lesson_state() == before and train.engine.config.lr == quick().lr
    steps = train.engine.step
    qtbot.waitUntil(lambda: train.engine.step > steps, timeout=10000)  # still training
    train.stop()
    qtbot.waitUntil(lambda: train.ended, timeout=5000)
