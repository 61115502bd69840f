"""TrainPage: train a model of the zoo in the background and watch it learn, live."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from cnnviz.core.model_source import ModelSource
from cnnviz.core.training import CheckpointError, TrainConfig, load_checkpoint
from cnnviz.core.training.checkpoint import save_checkpoint as write_checkpoint
from cnnviz.core.training.history import FinishedRuns, RunHistory
from cnnviz.core.training.log import test_line, train_line
from cnnviz.gui import theme
from cnnviz.gui.datasets import MNIST, DatasetChoice, choice_for
from cnnviz.gui.pages.base import Page, PageContext
from cnnviz.gui.pages.train_form import TrainForm
from cnnviz.gui.widgets.column_toggle import ColumnToggle
from cnnviz.gui.widgets.scroll_column import ScrollColumn
from cnnviz.gui.widgets.train_views import TrainViews
from cnnviz.gui.workers.task_worker import TaskThread
from cnnviz.gui.workers.train_worker import TrainRun
from cnnviz.gui.workers.weights_loader import WeightsLoader
from cnnviz.models import available, info

REPAINT_MS = 33  # the timer's period: never more than ~30 repaints a second
PLOT_SECONDS = 0.25  # the loss plot and progress redraw at most 4 times a second, the
MAPS_SECONDS = 0.4  # feature maps about 2.5: live to the eye, and training keeps the CPU


def lesson_dataset(name: str, options: dict) -> DatasetChoice:
    """The dataset a lesson names, if it can be used here without a download; ``ValueError``
    saying why not otherwise."""
    from cnnviz.core.data import catalog
    from cnnviz.gui.dataset_controller import DatasetController

    if name in catalog.DATASETS:
        info = catalog.info(name)
        if not DatasetController.available(name):
            raise ValueError(
                f"it trains on {info.title}, which is not on this computer yet: choose "
                f"{info.title} in the Data menu to download it ({info.size_text()}), then open "
                "the lesson again"
            )
        return choice_for(name)
    if not name.startswith(catalog.FOLDER_PREFIX):
        raise ValueError(
            f"the dataset must be one of {', '.join(catalog.DATASETS)} or folder:<path>, "
            f"not {name!r}"
        )
    try:
        return choice_for(name, options)
    except (ValueError, OSError, TypeError, KeyError) as exc:
        raise ValueError(f"its image folder cannot be used: {exc}") from None


def _read_checkpoint(path) -> dict:
    """In the worker: a checkpoint whose model this cnnviz has (:class:`CheckpointError`)."""
    data = load_checkpoint(path)
    if data["model"] not in available():
        raise CheckpointError(f"its model {data['model']!r} is not available here")
    return data


class SnapshotBridge(QObject):
    """Hands a model snapshot taken in the training thread to a callback in the GUI thread."""

    ready = Signal(object, object)  # callback, (model, contract) or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ready.connect(lambda callback, snapshot: callback(snapshot), Qt.QueuedConnection)

    def deliver(self, callback, snapshot) -> None:
        if QThread.currentThread() is self.thread():
            callback(snapshot)  # the run is not active: taken at once, in this thread
        else:
            self.ready.emit(callback, snapshot)


class TrainPage(Page):
    """Controls on the left, live views on the right; the engine runs in a QThread."""

    title = "Train"
    status_hint = "Press Start: the loss, the feature maps and the accuracy update live."
    uses_dataset = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run: TrainRun | None = None
        self.ended = True
        self.unsaved = False  # the last run ended and has not been saved since
        self.engine = None  # the last run's engine (for saving after it ends)
        self.checkpoint: dict | None = None  # loaded, to continue on Start
        self.history = RunHistory()  # the curves of the run shown (Qt-free, in the core)
        self.finished_runs = FinishedRuns()  # kept for comparison
        self.snapshot: dict | None = None
        self.snapshots_shown = 0
        self._dirty_plot = self._dirty_snapshot = False
        self._plot_at = self._maps_at = 0.0
        self._progress: dict | None = None
        self._batches = 0
        self._log_lines: list[str] = []
        self.dataset: DatasetChoice = MNIST
        self.set_up = False  # the current run has set up (its probe exists)
        self.snapshots = SnapshotBridge(self)
        self.files: TaskThread | None = None  # writes and reads checkpoints, made on first use
        self.file_job: tuple[int, str, str] | None = None  # (id, "save"/"load", path) in hand
        self._file_ids = 0
        self._close_after_save = False
        self.views = TrainViews()
        self._build_controls()
        layout = QHBoxLayout(self)
        self.controls_scroll = ScrollColumn(self.controls, least=330, most=440)
        self.controls_toggle = ColumnToggle(self.controls_scroll, "TrainPage")
        self.views.figures.layout().addWidget(self.controls_toggle)
        layout.addWidget(self.controls_scroll)
        layout.addWidget(self.views, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REPAINT_MS)
        self.timer.timeout.connect(self.repaint_views)
        self.timer.start()
        self.views.layer_box.currentTextChanged.connect(self._on_layer_chosen)
        self.views.block_chosen.connect(self._on_block_chosen)
        self.views.runs.itemChanged.connect(self._on_runs_ticked)
        self.views.confusion.cellClicked.connect(self.open_confusion_cell)
        self.views.gallery.open_image.connect(self._open_in_draw)
        self.views.gallery.trace_image.connect(self._open_in_trace)
        self._sync_buttons()

    # -- controls -------------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.form = TrainForm()
        self.form.dataset_requested.connect(self._choose)
        self.form.offer.weights_requested.connect(self.weights_dialog)
        self.weights = WeightsLoader(self)
        self.weights.loaded.connect(self._on_weights_loaded)
        self.weights.failed.connect(self._on_weights_failed)
        self.device_label = QLabel("Device: —")
        self.device_label.setWordWrap(True)
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Start training (or continue a loaded checkpoint)")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Pause / resume between batches")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current batch")
        self.save_button = QPushButton("Save checkpoint…")
        self.save_button.setToolTip(
            "Save weights, optimizer, curves and settings (when paused or finished)"
        )
        self.load_button = QPushButton("Load checkpoint…")
        self.load_button.setToolTip("Load a checkpoint; Start continues it")
        buttons = QGridLayout()
        for i, b in enumerate((self.start_button, self.pause_button, self.stop_button)):
            buttons.addWidget(b, 0, i)
        buttons.addWidget(self.save_button, 1, 0, 1, 2)
        buttons.addWidget(self.load_button, 2, 0, 1, 2)
        self.progress = QProgressBar()
        self.progress_label = QLabel("Not started")
        self.progress_label.setWordWrap(True)
        self.progress_label.setFixedHeight(self.progress_label.fontMetrics().lineSpacing() * 3)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        self.message.hide()
        self.controls = QGroupBox("Run")

        box = QVBoxLayout(self.controls)
        box.addWidget(self.form)
        box.addWidget(self.device_label)
        box.addLayout(buttons)
        box.addWidget(self.progress)
        box.addWidget(self.progress_label)
        box.addWidget(self.message)
        box.addStretch(1)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.save_button.clicked.connect(self.save_dialog)
        self.load_button.clicked.connect(self.load_dialog)
        self.form.lr.valueChanged.connect(self._on_lr_changed)

    def config(self) -> TrainConfig:
        return self.form.config(snapshot_every=5, snapshot_seconds=MAPS_SECONDS)

    def set_config(self, cfg: TrainConfig) -> None:
        self.form.set_config(cfg)

    # -- the dataset ----------------------------------------------------------------------------
    def set_dataset(self, choice: DatasetChoice) -> None:
        """Follow the dataset chosen here, in the Data menu or restored from the settings."""
        self.dataset = choice
        self.form.set_dataset(choice)
        self.controls_scroll.fit()

    def _choose(self, name: str, options: dict | None = None) -> bool:
        """Ask the dataset controller (every page follows it) to make ``name`` the dataset."""
        chosen = self.context.datasets.choose(name, options)
        self.form.refresh_dataset_items()  # back to the current choice when nothing changed
        return chosen

    def folder_options(self) -> dict:
        return self.form.folder_options()

    # -- running --------------------------------------------------------------------------------
    def is_running(self) -> bool:
        """A run has started and its end has not been handled yet."""
        return self.run is not None and not self.ended

    def start(self, config: TrainConfig | None = None) -> bool:
        """Start a run from the controls (or ``config``); a loaded checkpoint continues."""
        if self.is_running():
            return False
        if self.run is not None and self.run.is_running():
            self.show_message("The previous run is still finishing; try again in a moment.")
            return False
        if self.file_job is not None and self.file_job[1] == "load":
            self.show_message("A checkpoint is being read: Start once it has loaded.")
            return False
        config = config or self.config()
        try:
            config.validate()
        except ValueError as exc:
            self.show_message(str(exc))
            return False
        self.show_message("")
        checkpoint = (
            self.checkpoint
            if self.checkpoint and self.checkpoint.get("model") == config.model
            else None
        )
        if checkpoint is None or checkpoint.get("starting_weights"):
            self._set_curves([], [], [], [])
            self.views.log.clear()
            self.views.figures.set_result(None)
        self._batches = 0
        self.views.loss_plot.reset_view()
        self.checkpoint = None
        self.ended = False  # set when the run's last event has been handled here
        self.set_up = False
        self.run = TrainRun(config, checkpoint)
        self.engine = self.run.engine
        worker = self.run.worker
        # Bound methods of this page (a GUI-thread object): queued, run in the GUI thread.
        # (A lambda would run in the worker's thread.)
        for signal, slot in (
            (worker.started, self._on_started),
            (worker.losses, self._on_losses),
            (worker.snapshot, self._on_snapshot),
            (worker.epoch_done, self._on_epoch),
            (worker.paused, self._on_paused),
            (worker.resumed, self._on_resumed),
            (worker.stopped, self._on_stopped),
            (worker.finished, self._on_finished),
            (worker.failed, self._on_failed),
            (worker.done, self._on_done),
        ):
            signal.connect(slot, Qt.QueuedConnection)
        self._started_at = time.perf_counter()
        self.run.start()
        self.progress_label.setText("Loading data and model…")
        self.set_status(f"Training {config.model}: loading the data and the model…")
        self._sync_buttons(running=True)
        return True

    def toggle_pause(self) -> None:
        if not self.is_running():
            return
        if self.engine.paused:
            self.engine.resume()
            self.progress_label.setText("Resumed")
            self.set_status(f"Training {self.engine.config.model}: resumed…")
        else:
            self.engine.pause()
            self.progress_label.setText("Paused — Resume to continue, or save a checkpoint")
            self.set_status("Training paused: Resume to continue, or save a checkpoint.")
        self._sync_buttons()

    def stop(self) -> None:
        if self.is_running():
            self.engine.stop()
            self.progress_label.setText("Stopping after this batch…")
            self.set_status("Stopping the training run after this batch…")

    def attach(self, context: PageContext) -> None:
        super().attach(context)
        context.datasets.message.connect(self.show_message)
        self.views.gallery.use_service(context.compute)

    def request_model_snapshot(self, callback) -> bool:
        """``callback(source)`` with a copy of the model being trained (a ModelSource), taken
        between two batches (at once when the run is not active); False without a run."""
        engine = self.engine
        if engine is None:
            return False

        def taken(model):
            snapshot = None
            if model is not None:  # a copy made for this hand-over: the service's from now on
                contract = engine.input_contract()
                snapshot = ModelSource(
                    "a snapshot of the current training run", lambda: (model, contract)
                )
            self.snapshots.deliver(callback, snapshot)

        engine.request_snapshot(taken)
        return True

    def can_close(self, confirm) -> bool:
        """Ask before losing an unsaved (or running) run; "save" stops it and saves."""
        running = self.is_running() and bool(self.losses)
        if not (self.unsaved or running):
            return True
        choice = confirm()
        if choice == "cancel":
            return False
        if choice == "save":
            if running:  # finish the batch in progress, then the weights hold still
                self.progress_label.setText("Stopping after this batch, to save…")
                self.run.shutdown()
                self.unsaved = True
            self.save_dialog()
            if self.file_job is not None and self.file_job[1] == "save":
                self._close_after_save = True  # the window closes once it is written
                return False
            return not self.unsaved
        return True

    # -- lesson files -----------------------------------------------------------------------------
    def lesson_state(self) -> dict:
        """The whole form: dataset, model, seed, epochs, batch size, optimizer and the rest
        (the run itself, its curves and weights, are a checkpoint's business)."""
        return self.form.lesson_state()

    def restore_lesson(self, state: dict) -> None:
        """Show a lesson's settings; never starts a run. Refused (``ValueError``, nothing
        changed) while a run goes on, for a setting the form cannot show, or a dataset that
        is not on this computer (it is never downloaded unasked)."""
        if self.is_running() or (self.run is not None and self.run.is_running()):
            raise ValueError(
                "a training run is going on: stop it (or let it finish) before opening a "
                "lesson for the Train page; the run and its settings stay"
            )
        if self.file_job is not None and self.file_job[1] == "load":
            raise ValueError("a checkpoint is being read for the Train page: try again then")
        values = self.form.check_lesson(state)
        choice = lesson_dataset(values["dataset"], values["dataset_options"])
        if choice != self.dataset:
            datasets = self.context.datasets
            if datasets is None:  # a page on its own (no window): it follows the lesson
                self.set_dataset(choice)
            elif not datasets.choose(choice.name, dict(choice.options)):
                raise ValueError(f"the dataset {choice.title} cannot be chosen now")
        self.form.apply_lesson(values)
        self.checkpoint = None  # a loaded checkpoint belongs to the settings it came with
        self.show_message("")
        self.progress_label.setText(
            f"Settings from the lesson: Start trains {values['model']} on {choice.title}."
        )

    def lesson_title(self) -> str:
        return f"Train: {self.form.model_box.currentText()} on {self.dataset.title}"

    def figures(self):
        return [
            ("loss and accuracy plot", self.views.loss_plot),
            ("feature maps", self.views.features),
        ]

    def shutdown(self) -> None:
        """For closing the window: ask the run to stop (the window waits for it, saying so)
        — never terminate the thread."""
        if self.run is not None:
            self.run.stop()
        self.weights.shutdown()
        if self.files is not None:
            self.files.stop()  # after the file in hand: a checkpoint is never half-written
        self.timer.stop()
        self.views.gallery.shutdown()
        # Take the compared runs' curves out through pyqtgraph before Qt deletes the scene:
        # left to the scene's destructor they crashed the process at exit.
        self.views.loss_plot.set_overlays({})

    def busy_text(self) -> str:
        if self.run is not None and self.run.is_running():
            return "stopping the training run after the current batch"
        if self.views.gallery.is_busy():
            return "finishing a search of the test images"
        if self.files is not None and self.files.is_running():
            return "finishing writing or reading a checkpoint"
        return "finishing reading a weights file" if self.weights.thread_running() else ""

    def showEvent(self, event):  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.form.refresh_models()  # models opened on the Architecture page since

    # -- weights trained elsewhere ------------------------------------------------------------
    def load_weights_file(self, path) -> bool:
        """Read weights for the chosen model (opened from a file) in the background; Start
        then trains from them. False, with a message, when the model was not opened."""
        if self.is_running():
            return False
        name = self.form.model_box.currentText()
        if self.form.opened_model() is None:
            self.show_message(
                "Weights trained elsewhere go onto a model opened from a file (File → Open "
                "model…): choose it in Model first."
            )
            return False
        self.progress_label.setText(f"Reading the weights of {path}…")
        self.weights.load(name, path)
        return True

    def _on_weights_loaded(self, result: dict) -> None:
        self.checkpoint = {
            "model": result["name"],
            "model_state": result["state"],
            "starting_weights": True,
        }
        self.show_message("")
        self.progress_label.setText(
            f"Loaded the weights of {result['path']} onto {result['name']}: Start trains from them."
        )

    def _on_weights_failed(self, text: str) -> None:
        self.progress_label.setText("The weights were not loaded; nothing changed.")
        self.show_message(f"Cannot start from these weights: {text}.")

    def weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Start from weights", "", "PyTorch weights (*.pt *.pth *.bin);;All files (*)"
        )
        if path:
            self.load_weights_file(path)

    def open_confusion_cell(self, true: int, predicted: int) -> None:
        """The test images of a confusion-matrix cell, found with a snapshot of the run."""
        engine, gallery = self.engine, self.views.gallery
        data = None if engine is None else engine.test_data
        names = data.class_names if data is not None else ()
        if data is None or not self.request_model_snapshot(
            lambda snapshot: gallery.show_cell(true, predicted, snapshot, data, names)
        ):
            gallery.show_cell(true, predicted, None, None, names)

    def _open_in_draw(self, image, _label: int, snapshot):
        draw = self.context.show_page("Draw")
        if draw is not None:
            draw.show_test_image(image, snapshot)
        return draw

    def _open_in_trace(self, image, label: int, snapshot) -> None:
        """On the Draw page with the run's model, then traced ("Trace this drawing")."""
        draw = self._open_in_draw(image, label, snapshot)
        if draw is not None:
            draw.trace_drawing()

    def _on_lr_changed(self, value: float) -> None:
        if self.is_running():
            self.engine.set_lr(value)

    def _sync_buttons(self, *_args, running: bool | None = None) -> None:
        running = self.is_running() if running is None else running
        paused = running and self.engine is not None and self.engine.paused
        loading = self.file_job is not None and self.file_job[1] == "load"
        self.start_button.setEnabled(not running and not loading)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stop_button.setEnabled(running)
        filing = self.file_job is not None
        self.save_button.setEnabled(
            self.engine is not None
            and self.engine.can_save
            and (paused or not running)
            and not filing
        )
        self.form.set_running(running)
        self.load_button.setEnabled(not running and not filing)

    # -- engine events (queued, in the GUI thread) ----------------------------------------------
    def _on_started(self, p: dict) -> None:
        self.device_label.setText(f"Device: <b>{p['device_name']}</b>")
        if p.get("class_names"):
            self.views.class_names = tuple(p["class_names"])
        shape = "×".join(map(str, p.get("input_shape", ())))
        self.views.log.appendPlainText(
            f"{p['model']} on {p.get('dataset', 'MNIST')} ({shape}, "
            f"{len(p.get('class_names', ()))} classes): {p['train_size']:,} training and "
            f"{p['test_size']:,} test images"
            + (f"\n{p['dataset_note']}" if p.get("dataset_note") else "")
        )
        self.views.layer_box.blockSignals(True)
        self.views.layer_box.clear()
        self.views.layer_box.addItems(p["layers"])
        self.views.layer_box.blockSignals(False)
        self.set_up = True
        blocks = list(self.engine.probe.blocks)
        self.views.set_inception(blocks)
        self.engine.probe.choose(p["layers"][:1], blocks[0] if blocks else None)
        opened = info(p["model"]).opened if p["model"] in available() else None
        for text in opened.warnings if opened is not None else ():
            self.views.log.appendPlainText(
                f"Warning from {Path(opened.path).name}, {text} "
                "(shown once; not raised, training goes on)"
            )
        history = p.get("history") or {}
        if history.get("steps"):  # continuing a checkpoint: the curves go on from there
            self._set_history(history)

    def _on_losses(self, p: dict) -> None:
        """Keep the numbers; the widgets are updated by the repaint timer."""
        self.history.add_losses(p["steps"], p["losses"])
        self._dirty_plot = True
        if p["log"]:
            self._log_lines.append(train_line(p))
        self._progress = p
        self._batches = p["batches"]

    def _show_progress(self) -> None:
        p, self._progress = self._progress, None
        if self._log_lines:
            self.views.log.appendPlainText("\n".join(self._log_lines))
            self._log_lines = []
        if p is None or self.engine is None:
            return
        epochs = self.engine.config.epochs
        done = (p["epoch"] - 1) * p["batches"] + p["batch"] + 1
        total = epochs * p["batches"]
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        rate = p["samples_per_second"]
        remaining = (total - done) * self.engine.config.batch_size / max(rate, 1e-9)
        self.progress_label.setText(
            f"Epoch {p['epoch']}/{epochs} · batch {p['batch'] + 1}/{p['batches']} · "
            f"{rate:,.0f} samples/s · ETA {int(remaining // 60)}:{int(remaining % 60):02d}"
        )
        where = f"epoch {p['epoch']} of {epochs}, batch {p['batch'] + 1} of {p['batches']}"
        if self.engine.paused:
            self.set_status(f"Training paused at {where}: Resume, or save a checkpoint.")
        else:
            tested = f" · test accuracy {100 * self.accs[-1]:.1f} %" if self.accs else ""
            self.set_status(
                f"Training {self.engine.config.model}: {where} · loss {p['loss']:.3f}{tested}"
            )

    def _on_snapshot(self, snap: dict) -> None:
        self.snapshot = snap
        self._dirty_snapshot = True

    def _on_epoch(self, r: dict) -> None:
        self.history.add_epoch(r)
        self._dirty_plot = True
        self._show_progress()
        self.views.log.appendPlainText(f"\n{test_line(r)}\n")
        self.views.figures.set_result(r)
        self.views.show_confusion(r["confusion"], self.engine.test_data.class_names)

    def _on_paused(self, p: dict) -> None:
        self.show_message(p["message"])
        self.set_status(f"Training paused: {p['message']}")
        self._sync_buttons()

    def _on_ended(self, how: str) -> None:
        self.repaint_views(force=True)
        name = self.finished_runs.add(self.engine.config.model, self.history, how)
        if name is not None:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            self.views.runs.addItem(item)
        self.progress_label.setText(f"Training {how}.")
        self.set_status(self._ended_status(how))
        self.unsaved = bool(self.losses) and how != "failed"
        self.ended = True
        self._sync_buttons(running=False)

    def _ended_status(self, how: str) -> str:
        model = self.engine.config.model
        if how == "failed":
            return f"Training {model} failed: {self.message.text()}"
        epochs = len(self.accs)
        tested = (
            f": test accuracy {100 * self.accs[-1]:.1f} % after {epochs} "
            f"epoch{'s' if epochs != 1 else ''}"
            if self.accs
            else " before its first test"
        )
        return f"Training {model} {how}{tested} — try it on the Draw page (Current training run)."

    def _total_steps(self) -> int | None:
        """Batches in the whole run, once the first progress report has told."""
        if self.engine is None or not self._batches:
            return None
        return self.engine.config.epochs * self._batches

    @property
    def steps(self) -> list[int]:
        return self.history.steps

    @property
    def losses(self) -> list[float]:
        return self.history.losses

    @property
    def accs(self) -> list[float]:
        return self.history.accs

    def _set_curves(self, steps, losses, acc_steps, accs) -> None:
        self.history.set_curves(steps, losses, acc_steps, accs)
        self._dirty_plot = True

    def _set_history(self, history: dict) -> None:
        epochs = history.get("epochs", [])
        self.views.figures.set_result(epochs[-1] if epochs else None)
        self._set_curves(
            history.get("steps", []),
            history.get("losses", []),
            [e["step"] for e in epochs],
            [e["accuracy"] for e in epochs],
        )

    def _current(self) -> bool:
        """True when the signal being handled comes from the current run's worker."""
        return self.run is not None and self.sender() is self.run.worker

    def _on_resumed(self) -> None:
        self._sync_buttons()

    def _on_stopped(self, _p: dict) -> None:
        if self._current():
            self._on_ended("stopped")

    def _on_finished(self, _p: dict) -> None:
        if self._current():
            self._on_ended("finished")

    def _on_failed(self, p: dict) -> None:
        if self._current():
            self.show_message(p["message"])
            self._on_ended("failed")

    def _on_done(self) -> None:
        if self._current():  # a late signal of an earlier run changes nothing
            self.ended = True  # whatever happened, the engine has returned
            self._sync_buttons()

    def repaint_views(self, force: bool = False) -> None:
        """Called by the timer: redraw what changed, no more often than the eye needs."""
        now = time.perf_counter()
        if self._dirty_plot and (force or now - self._plot_at >= PLOT_SECONDS):
            self._dirty_plot = False
            self._plot_at = now
            self._show_progress()
            h = self.history
            self.views.loss_plot.set_run(
                h.steps, h.losses, h.smoothed, h.acc_steps, h.accs, self._total_steps()
            )
        if (
            self._dirty_snapshot
            and self.snapshot is not None
            and (force or now - self._maps_at >= MAPS_SECONDS)
        ):
            self._dirty_snapshot = False
            self._maps_at = now
            self.views.show_snapshot(self.snapshot)
            self.snapshots_shown += 1

    def _on_layer_chosen(self, name: str) -> None:
        if self.set_up and name:  # before set-up the run has no probe; it starts on layer 1
            self.engine.probe.choose([name], None)

    def _on_block_chosen(self, name: str) -> None:
        if self.set_up and name:
            self.engine.probe.choose(None, name)

    def _on_runs_ticked(self, _item=None) -> None:
        items = [self.views.runs.item(i) for i in range(self.views.runs.count())]
        ticked = [item.text() for item in items if item.checkState() == Qt.Checked]
        self.views.loss_plot.set_overlays(self.finished_runs.selected(ticked))

    # -- checkpoints ----------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def save_checkpoint(self, path) -> bool:
        """Start writing a checkpoint in a worker (a copy of the weights: the run may resume
        meanwhile); False, with a message, when there is nothing to save or a checkpoint is
        still being written or read. ``unsaved`` clears once the file is written."""
        if self.engine is None or not self.engine.can_save:
            self.show_message("Nothing to save yet: train first.")
            return False
        if self.is_running() and not self.engine.paused:
            self.show_message("Pause (or stop) training before saving a checkpoint.")
            return False
        if self.file_job is not None:
            self.show_message(f"A moment: {self.file_job[2]} is still being written or read.")
            return False
        self._file_task("save", path, write_checkpoint, path, self.engine.checkpoint_payload(True))
        self.progress_label.setText(f"Saving to {path}…")
        return True

    def load_checkpoint_file(self, path) -> bool:
        """Start reading a checkpoint to continue (in a worker); a bad file says why and
        changes nothing. False when another checkpoint is still being written or read."""
        if self.file_job is not None:
            self.show_message(f"A moment: {self.file_job[2]} is still being written or read.")
            return False
        self._file_task("load", path, _read_checkpoint, path)
        self.progress_label.setText(f"Reading {Path(path).name}…")
        return True

    def _file_task(self, kind: str, path, job, *args) -> None:
        if self.files is None:
            self.files = TaskThread("checkpoint-files", self)
            self.files.worker.done.connect(self._on_file_done, Qt.QueuedConnection)
            self.files.worker.failed.connect(self._on_file_failed, Qt.QueuedConnection)
        self._file_ids += 1
        self.file_job = (self._file_ids, kind, str(path))
        self._sync_buttons()
        self.files.worker.submit(self._file_ids, job, *args)

    def _end_file_job(self, request_id: int) -> tuple[str, str] | None:
        if self.file_job is None or self.file_job[0] != request_id:
            return None
        _, kind, path = self.file_job
        self.file_job = None
        self._sync_buttons()
        return kind, path

    def _on_file_done(self, request_id: int, result) -> None:
        ended = self._end_file_job(request_id)
        if ended is None:
            return
        kind, path = ended
        if kind == "save":
            self.progress_label.setText(f"Saved to {path}")
            self.unsaved = False
            if self._close_after_save:  # saved as closing asked: close now
                self._close_after_save = False
                QTimer.singleShot(0, self.window().close)
            return
        data = result
        self.checkpoint = data
        self.set_config(TrainConfig.from_dict(data["config"]))
        self._set_history(data.get("history", {}))
        self.show_message("")
        loaded = f"Loaded {data['model']} after epoch {data['epoch']}: Start continues it."
        self.progress_label.setText(loaded)
        self.set_status(loaded)

    def _on_file_failed(self, request_id: int, message: str) -> None:
        ended = self._end_file_job(request_id)
        if ended is None:
            return
        kind, path = ended
        self.progress_label.setText("")
        if kind == "save":
            self._close_after_save = False  # the window stays: the run is not saved
            self.show_message(f"Could not save the checkpoint: {message}")
        else:
            self.show_message(f"Cannot load the checkpoint: {message}")

    # -- settings, look, export -------------------------------------------------------------------
    def save_settings(self, settings) -> None:
        self.form.save_settings(settings)
        self.controls_toggle.save(settings)

    def apply_look(self, zoom: float, presenter: bool) -> None:
        self.views.loss_plot.set_presenter(presenter)
        self.controls_toggle.set_presenter(presenter)
        self.controls_scroll.rescale(zoom * (1.35 if presenter else 1.0))

    def export_csv(self, path) -> None:
        """Per-batch loss, and test loss / accuracy at each epoch's last step (atomic)."""
        from cnnviz.core.files import write_text_atomically

        epochs = self.engine.history.get("epochs", []) if self.engine is not None else []
        write_text_atomically(path, self.history.to_csv_text(epochs))

    def export_csv_dialog(self) -> None:
        if not self.losses:
            self.show_message("Nothing to export yet: train first.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export metrics", "cnnviz-metrics.csv", "CSV files (*.csv)"
        )
        if path:
            try:
                self.export_csv(path)
            except OSError as exc:
                self.show_message(f"Could not export: {exc}")

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save checkpoint", "cnnviz-run.pt", "Checkpoints (*.pt)"
        )
        if path:
            self.save_checkpoint(path)

    def load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load checkpoint", "", "Checkpoints (*.pt)")
        if path:
            self.load_checkpoint_file(path)
