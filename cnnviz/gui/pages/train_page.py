"""TrainPage: train a model of the zoo in the background and watch it learn, live.

The run's state and rules are the Qt-free :class:`TrainController` (``self.state``); this
page shows them, runs the engine in its QThread and writes or reads checkpoint files in a
worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout

from cnnviz.core.training import TrainConfig
from cnnviz.core.training.checkpoint import save_checkpoint as write_checkpoint
from cnnviz.gui.data.datasets import MNIST, DatasetChoice, choice_for
from cnnviz.gui.pages import DRAW
from cnnviz.gui.pages.base import Page, PageContext
from cnnviz.gui.pages.train_controller import (
    MAPS_SECONDS,
    SNAPSHOT_EVERY,
    TrainController,
    read_checkpoint,
)
from cnnviz.gui.pages.train_form import TrainForm
from cnnviz.gui.pages.train_live import LiveRun
from cnnviz.gui.widgets.column_toggle import ColumnToggle
from cnnviz.gui.widgets.run_controls import RunControls
from cnnviz.gui.widgets.scroll_column import ScrollColumn
from cnnviz.gui.widgets.train_views import TrainViews
from cnnviz.gui.widgets.weights_dialogs import ask_before_unpickling
from cnnviz.gui.workers.task_worker import TaskThread
from cnnviz.gui.workers.train_worker import TrainRun
from cnnviz.gui.workers.weights_loader import WeightsLoader


def lesson_dataset(name: str, options: dict) -> DatasetChoice:
    """The dataset a lesson names, if it can be used here without a download; ``ValueError``
    saying why not otherwise."""
    from cnnviz.core.data import catalog
    from cnnviz.gui.data.dataset_controller import DatasetController

    if name in catalog.DATASETS:
        data = catalog.info(name)
        if not DatasetController.available(name):
            raise ValueError(
                f"it trains on {data.title}, which is not on this computer yet: choose "
                f"{data.title} in the Data menu to download it ({data.size_text()}), then open "
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


class SnapshotBridge(QObject):
    """Hands what the training thread copied at a batch boundary (a snapshot's ModelSource
    or None, a checkpoint's payload) to a callback in the GUI thread."""

    ready = Signal(object, object)  # callback, what was copied

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ready.connect(lambda callback, source: callback(source), Qt.QueuedConnection)

    def deliver(self, callback, source) -> None:
        if QThread.currentThread() is self.thread():
            callback(source)  # the run is not active: taken at once, in this thread
        else:
            self.ready.emit(callback, source)


def _state(name: str, doc: str) -> property:
    return property(lambda page: getattr(page.state, name), doc=doc)


class TrainPage(Page):
    """Controls on the left, live views on the right; the engine runs in a QThread."""

    status_hint = "Press Start: the loss, the feature maps and the accuracy update live."
    uses_dataset = True

    engine = _state("engine", "The last run's engine (for saving after it ends).")
    ended = _state("ended", "The last run's end has been handled here.")
    unsaved = _state("unsaved", "The last run ended and has not been saved since.")
    checkpoint = _state("checkpoint", "Loaded (or weights): what Start continues.")
    file_job = _state("file_job", "(id, 'save' or 'load', path) of the file in hand.")
    history = _state("history", "The curves of the run shown.")
    snapshots_shown = _state("snapshots_shown", "Probes of the live views shown so far.")
    steps = property(lambda page: page.state.history.steps)
    losses = property(lambda page: page.state.history.losses)
    accs = property(lambda page: page.state.history.accs)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = TrainController()
        self.run: TrainRun | None = None
        self.dataset: DatasetChoice = MNIST
        self.snapshots = SnapshotBridge(self)
        self.files: TaskThread | None = None  # writes and reads checkpoints, made on first use
        self.form = TrainForm()
        self.controls = RunControls(self.form)
        for name in ("device_label", "progress", "progress_label", "message"):
            setattr(self, name, getattr(self.controls, name))
        for name in ("start", "pause", "stop", "save", "load"):
            setattr(self, f"{name}_button", getattr(self.controls, f"{name}_button"))
        self.weights = WeightsLoader(self, ask_before_unpickling)
        self.views = TrainViews()
        layout = QHBoxLayout(self)
        self.controls_scroll = ScrollColumn(self.controls, least=330, most=440)
        self.controls_toggle = ColumnToggle(self.controls_scroll, "TrainPage")
        self.views.figures.layout().addWidget(self.controls_toggle)
        layout.addWidget(self.controls_scroll)
        layout.addWidget(self.views, 1)
        self.live = LiveRun(self.state, self.views, self.controls, self)
        self.live.status.connect(self.set_status)
        self.live.message.connect(self.show_message)
        self.live.changed.connect(self._sync_buttons)
        self._connect()
        self._sync_buttons()

    def _connect(self) -> None:
        for signal, slot in (
            (self.form.dataset_requested, self._choose),
            (self.form.offer.weights_requested, self.weights_dialog),
            (self.form.lr.valueChanged, self._on_lr_changed),
            (self.weights.loaded, self._on_weights_loaded),
            (self.weights.failed, self._on_weights_failed),
            (self.start_button.clicked, self.start),
            (self.pause_button.clicked, self.toggle_pause),
            (self.stop_button.clicked, self.stop),
            (self.save_button.clicked, self.save_dialog),
            (self.load_button.clicked, self.load_dialog),
            (self.views.confusion.cellClicked, self.open_confusion_cell),
            (self.views.gallery.open_image, self._open_in_draw),
            (self.views.gallery.trace_image, self._open_in_trace),
        ):
            signal.connect(slot)

    def config(self) -> TrainConfig:
        return self.form.config(snapshot_every=SNAPSHOT_EVERY, snapshot_seconds=MAPS_SECONDS)

    def set_config(self, cfg: TrainConfig) -> None:
        self.form.set_config(cfg)

    # -- the dataset ------------------------------------------------------------------------------
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

    # -- running ----------------------------------------------------------------------------------
    def is_running(self) -> bool:
        """A run has started and its end has not been handled yet."""
        return self.state.is_running()

    def _thread_busy(self) -> bool:
        return self.run is not None and self.run.is_running()

    def start(self, config: TrainConfig | None = None) -> bool:
        """Start a run from the controls (or ``config``); a loaded checkpoint continues."""
        refusal = self.state.start_refusal(self._thread_busy())
        if refusal is not None:
            if refusal:
                self.show_message(refusal)
            return False
        config = config or self.config()
        try:
            config.validate()
        except ValueError as exc:
            self.show_message(str(exc))
            return False
        self.show_message("")
        self.run = self.live.begin(config, *self.state.begin(config))
        self._sync_buttons()
        return True

    def toggle_pause(self) -> None:
        if self.is_running():
            self.live.toggle_pause()
            self._sync_buttons()

    def stop(self) -> None:
        if self.is_running():
            self.live.stop()

    def attach(self, context: PageContext) -> None:
        super().attach(context)
        context.datasets.message.connect(self.show_message)
        self.views.gallery.use_service(context.compute)

    def request_model_snapshot(self, callback) -> bool:
        """``callback(source)`` in the GUI thread with a ModelSource of the weights being
        trained (copied between two batches, at once when the run is not active), or None
        when the run has no model; False without a run."""
        return self.state.request_snapshot(lambda source: self.snapshots.deliver(callback, source))

    def can_close(self, confirm) -> bool:
        """Ask before losing an unsaved (or running) run; "save" stops it and saves."""
        running = self.is_running() and bool(self.losses)
        if not self.state.close_needs_asking():
            return True
        choice = confirm()
        if choice == "cancel":
            return False
        if choice == "save":
            if running:  # finish the batch in progress, then the weights hold still
                self.progress_label.setText("Stopping after this batch, to save…")
                self.run.shutdown()
                self.state.unsaved = True
            self.save_dialog()
            if self.file_job is not None and self.file_job[1] == "save":
                self.state.close_after_save = True  # the window closes once it is written
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
        refusal = self.state.lesson_refusal(self._thread_busy())
        if refusal is not None:
            raise ValueError(refusal)
        values = self.form.check_lesson(state)
        choice = lesson_dataset(values["dataset"], values["dataset_options"])
        if choice != self.dataset:
            datasets = self.context.datasets
            if datasets is None:  # a page on its own (no window): it follows the lesson
                self.set_dataset(choice)
            elif not datasets.choose(choice.name, dict(choice.options)):
                raise ValueError(f"the dataset {choice.title} cannot be chosen now")
        self.form.apply_lesson(values)
        self.state.checkpoint = None  # a loaded checkpoint belongs to the settings it came with
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
        self.live.timer.stop()
        self.views.gallery.shutdown()
        # Take the compared runs' curves out through pyqtgraph before Qt deletes the scene:
        # left to the scene's destructor they crashed the process at exit.
        self.views.loss_plot.set_overlays({})

    def busy_text(self) -> str:
        if self._thread_busy():
            return "stopping the training run after the current batch"
        if self.views.gallery.is_busy():
            return "finishing a search of the test images"
        if self.files is not None and self.files.is_running():
            return "finishing writing or reading a checkpoint"
        return "finishing reading a weights file" if self.weights.thread_running() else ""

    def showEvent(self, event):  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.form.refresh_models()  # models opened on the Architecture page since

    # -- weights trained elsewhere ----------------------------------------------------------------
    def load_weights_file(self, path) -> bool:
        """Read weights for the chosen model (opened from a file) in the background; Start
        then trains from them. False, with a message, when the model was not opened."""
        if self.is_running():
            return False
        if self.form.opened_model() is None:
            self.show_message(
                "Weights trained elsewhere go onto a model opened from a file (File → Open "
                "model…): choose it in Model first."
            )
            return False
        self.progress_label.setText(f"Reading the weights of {path}…")
        self.weights.load(self.form.model_box.currentText(), path)
        return True

    def _on_weights_loaded(self, result: dict) -> None:
        self.show_message("")
        self.progress_label.setText(self.state.weights_loaded(result))

    def _on_weights_failed(self, text: str) -> None:
        self.progress_label.setText("The weights were not loaded; nothing changed.")
        self.show_message(f"Cannot start from these weights: {text}.")

    def weights_dialog(self) -> None:
        kinds = "PyTorch weights (*.pt *.pth *.bin);;All files (*)"
        path = self._ask_path("Start from weights", "", kinds, save=False)
        if path:
            self.load_weights_file(path)

    # -- the run's model on other pages -----------------------------------------------------------
    def open_confusion_cell(self, true: int, predicted: int) -> None:
        """The test images of a confusion-matrix cell, found with a snapshot of the run."""
        engine, gallery = self.engine, self.views.gallery
        data = None if engine is None else engine.test_data
        names = data.class_names if data is not None else ()
        if data is None or not self.request_model_snapshot(
            lambda source: gallery.show_cell(true, predicted, source, data, names)
        ):
            gallery.show_cell(true, predicted, None, None, names)

    def _open_in_draw(self, image, _label: int, source):
        """``image`` on the Draw page, with the run's model (``source``, a ModelSource)."""
        draw = self.context.show_page(DRAW)
        if draw is not None:
            draw.show_test_image(image, source)
        return draw

    def _open_in_trace(self, image, label: int, source) -> None:
        """On the Draw page with the run's model, then traced ("Trace this drawing")."""
        draw = self._open_in_draw(image, label, source)
        if draw is not None:
            draw.trace_drawing()

    def _on_lr_changed(self, value: float) -> None:
        if self.is_running():
            self.engine.set_lr(value)

    def _sync_buttons(self, *_args) -> None:
        state = self.state
        running = state.is_running()
        self.controls.set_state(
            running, state.paused, state.loading, state.file_job is not None, state.can_save_now()
        )
        self.form.set_running(running)

    def _set_curves(self, steps, losses, acc_steps, accs) -> None:
        self.state.set_curves(steps, losses, acc_steps, accs)

    def repaint_views(self, force: bool = False) -> None:
        """Redraw what changed (the timer calls it, no more often than the eye needs)."""
        self.live.repaint(force)

    # -- checkpoints ------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.controls.show_message(text)

    def save_checkpoint(self, path) -> bool:
        """Start writing a checkpoint in a worker (a copy of the weights: the run may resume
        meanwhile); False, with a message, when there is nothing to save or a checkpoint is
        still being written or read. ``unsaved`` clears once the file is written."""
        refusal = self.state.save_refusal()
        if refusal is not None:
            self.show_message(refusal)
            return False
        self.progress_label.setText(f"Saving to {path}…")
        # in hand from now on (a second Save is refused); the weights are copied by the
        # training thread at its next boundary or its end, which may follow "ended" here
        request_id = self._begin_file_job("save", path)
        self.engine.request_checkpoint(
            lambda payload: self.snapshots.deliver(
                lambda copy: self._write_checkpoint(request_id, path, copy), payload
            )
        )
        return True

    def _write_checkpoint(self, request_id: int, path, payload: dict | None) -> None:
        if payload is None:  # the training thread could not copy the run
            return self._on_file_failed(request_id, "the training run could not copy its weights")
        self.files.worker.submit(request_id, write_checkpoint, path, payload)

    def load_checkpoint_file(self, path) -> bool:
        """Start reading a checkpoint to continue (in a worker); a bad file says why and
        changes nothing. False when another checkpoint is still being written or read."""
        refusal = self.state.file_refusal()
        if refusal is not None:
            self.show_message(refusal)
            return False
        request_id = self._begin_file_job("load", path)  # makes the worker the first time
        self.files.worker.submit(request_id, read_checkpoint, path)
        self.progress_label.setText(f"Reading {Path(path).name}…")
        return True

    def _begin_file_job(self, kind: str, path) -> int:
        """A checkpoint file in hand from now on: its request id (the worker made if need be)."""
        if self.files is None:
            self.files = TaskThread("checkpoint-files", self)
            self.files.worker.done.connect(self._on_file_done, Qt.QueuedConnection)
            self.files.worker.failed.connect(self._on_file_failed, Qt.QueuedConnection)
        request_id = self.state.begin_file_job(kind, path)
        self._sync_buttons()
        return request_id

    def _on_file_done(self, request_id: int, result) -> None:
        done = self.state.file_done(request_id, result)
        if done is None:
            return  # the answer to an older request
        self._sync_buttons()
        self.progress_label.setText(done.text)
        if done.close:  # saved as closing asked: close now
            QTimer.singleShot(0, self.window().close)
        if done.config is not None:  # a checkpoint read: Start continues it
            self.set_config(done.config)
            self.live.show_history(done.history)
            self.show_message("")
            self.set_status(done.text)

    def _on_file_failed(self, request_id: int, message: str) -> None:
        text = self.state.file_failed(request_id, message)
        if text is not None:
            self._sync_buttons()
            self.progress_label.setText("")
            self.show_message(text)

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

        write_text_atomically(path, self.state.csv_text())

    def _ask_path(self, title: str, default: str, kinds: str, save: bool = True) -> str:
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        return ask(self, title, default, kinds)[0]

    def export_csv_dialog(self) -> None:
        if not self.losses:
            self.show_message("Nothing to export yet: train first.")
            return
        path = self._ask_path("Export metrics", "cnnviz-metrics.csv", "CSV files (*.csv)")
        if path:
            try:
                self.export_csv(path)
            except OSError as exc:
                self.show_message(f"Could not export: {exc}")

    def save_dialog(self) -> None:
        path = self._ask_path("Save checkpoint", "cnnviz-run.pt", "Checkpoints (*.pt)")
        if path:
            self.save_checkpoint(path)

    def load_dialog(self) -> None:
        path = self._ask_path("Load checkpoint", "", "Checkpoints (*.pt)", save=False)
        if path:
            self.load_checkpoint_file(path)
