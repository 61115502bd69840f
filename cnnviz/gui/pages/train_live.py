"""LiveRun: a training run shown as it goes, on the Train page's views.

The engine's events arrive as queued signals of the run's worker, in the GUI thread; the
numbers go to the page's :class:`TrainController`, and a timer repaints what changed no more
often than the eye needs (the controller says when). Signals of an earlier run that arrive
late change nothing.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidgetItem

from cnnviz.core.training import TrainConfig
from cnnviz.core.training.log import test_line
from cnnviz.gui.pages.train_controller import TrainController
from cnnviz.gui.widgets.run_controls import RunControls
from cnnviz.gui.widgets.train_views import TrainViews
from cnnviz.gui.workers.train_worker import TrainRun
from cnnviz.models import available, info

REPAINT_MS = 33  # the timer's period: never more than ~30 repaints a second


class LiveRun(QObject):
    """Feeds ``state`` from the watched run's events and repaints ``views`` and the
    progress of ``controls``. ``status``: a line for the status bar; ``message``: an error
    to show; ``changed``: the run's state changed (the page's buttons follow)."""

    status = Signal(str)
    message = Signal(str)
    changed = Signal()

    def __init__(self, state: TrainController, views: TrainViews, controls: RunControls, parent):
        super().__init__(parent)
        self.state, self.views, self.controls = state, views, controls
        self.run: TrainRun | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(REPAINT_MS)
        self.timer.timeout.connect(self.repaint)
        self.timer.start()
        views.layer_box.currentTextChanged.connect(self._on_layer_chosen)
        views.block_chosen.connect(self._on_block_chosen)
        views.runs.itemChanged.connect(self._on_runs_ticked)

    def begin(self, config: TrainConfig, checkpoint: dict | None, fresh: bool) -> TrainRun:
        """Start a run of ``config`` (continuing ``checkpoint``) and show it from now on
        (the runs before it are heard no more); ``fresh``: its curves start afresh."""
        if fresh:
            self.views.log.clear()
            self.views.figures.set_result(None)
        self.views.loss_plot.reset_view()
        self.run = run = TrainRun(config, checkpoint)
        self.state.engine = run.engine
        self._watch(run)
        run.start()
        self.controls.progress_label.setText("Loading data and model…")
        self.status.emit(f"Training {config.model}: loading the data and the model…")
        return run

    def toggle_pause(self) -> None:
        """Pause the run under way, or resume it."""
        engine, say = self._engine, self.controls.progress_label.setText
        if engine.paused:
            engine.resume()
            say("Resumed")
            self.status.emit(f"Training {engine.config.model}: resumed…")
        else:
            engine.pause()
            say("Paused — Resume to continue, or save a checkpoint")
            self.status.emit("Training paused: Resume to continue, or save a checkpoint.")

    def stop(self) -> None:
        """Stop the run under way after its batch in hand."""
        self._engine.stop()
        self.controls.progress_label.setText("Stopping after this batch…")
        self.status.emit("Stopping the training run after this batch…")

    def _watch(self, run: TrainRun) -> None:
        worker = run.worker
        # Bound methods of this GUI-thread QObject: queued, run in the GUI thread. (A lambda,
        # or a method of an object that is no QObject, would run in the worker's thread.)
        for signal, slot in (
            (worker.started, self._on_started),
            (worker.losses, self._on_losses),
            (worker.snapshot, self._on_snapshot),
            (worker.epoch_done, self._on_epoch),
            (worker.paused, self._on_paused),
            (worker.resumed, self.changed),
            (worker.stopped, self._on_stopped),
            (worker.finished, self._on_finished),
            (worker.failed, self._on_failed),
            (worker.done, self._on_done),
        ):
            signal.connect(slot, Qt.QueuedConnection)

    @property
    def _engine(self):
        return self.state.engine

    def _current(self) -> bool:
        """True when the signal being handled comes from the watched run's worker."""
        return self.run is not None and self.sender() is self.run.worker

    def _on_started(self, p: dict) -> None:
        self.controls.device_label.setText(f"Device: <b>{p['device_name']}</b>")
        views = self.views
        if p.get("class_names"):
            views.class_names = tuple(p["class_names"])
        shape = "×".join(map(str, p.get("input_shape", ())))
        views.log.appendPlainText(
            f"{p['model']} on {p.get('dataset', 'MNIST')} ({shape}, "
            f"{len(p.get('class_names', ()))} classes): {p['train_size']:,} training and "
            f"{p['test_size']:,} test images"
            + (f"\n{p['dataset_note']}" if p.get("dataset_note") else "")
        )
        views.layer_box.blockSignals(True)
        views.layer_box.clear()
        views.layer_box.addItems(p["layers"])
        views.layer_box.blockSignals(False)
        history = self.state.started(p)
        blocks = list(self._engine.probe.blocks)
        views.set_inception(blocks)
        self._engine.probe.choose(p["layers"][:1], blocks[0] if blocks else None)
        opened = info(p["model"]).opened if p["model"] in available() else None
        for text in opened.warnings if opened is not None else ():
            views.log.appendPlainText(
                f"Warning from {Path(opened.path).name}, {text} "
                "(shown once; not raised, training goes on)"
            )
        if history is not None:  # continuing a checkpoint: the curves go on from there
            self.show_history(history)

    def _on_losses(self, p: dict) -> None:
        self.state.losses(p)  # the widgets follow when the repaint timer says

    def _on_snapshot(self, snapshot: dict) -> None:
        self.state.probed(snapshot)

    def show_history(self, history: dict) -> None:
        """A saved run's curves and its last epoch's figures."""
        self.views.figures.set_result(self.state.set_history(history))

    def _show_progress(self) -> None:
        lines = self.state.take_log_lines()
        if lines:
            self.views.log.appendPlainText(lines)
        progress = self.state.take_progress()
        if progress is not None:
            self.controls.show_progress(progress.done, progress.total, progress.line)
            self.status.emit(progress.status)

    def _on_epoch(self, r: dict) -> None:
        self.state.epoch(r)
        self._show_progress()
        self.views.log.appendPlainText(f"\n{test_line(r)}\n")
        self.views.figures.set_result(r)
        self.views.show_confusion(r["confusion"], self._engine.test_data.class_names)

    def _on_paused(self, p: dict) -> None:
        self.message.emit(p["message"])
        self.status.emit(f"Training paused: {p['message']}")
        self.changed.emit()

    def _ended(self, how: str, failure: str = "") -> None:
        self.repaint(force=True)
        name = self.state.end(how)
        if name is not None:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            self.views.runs.addItem(item)
        self.controls.progress_label.setText(f"Training {how}.")
        self.status.emit(self.state.ended_status(how, failure))
        self.changed.emit()

    def _on_stopped(self, _p: dict) -> None:
        if self._current():
            self._ended("stopped")

    def _on_finished(self, _p: dict) -> None:
        if self._current():
            self._ended("finished")

    def _on_failed(self, p: dict) -> None:
        if self._current():
            self.message.emit(p["message"])
            self._ended("failed", p["message"])

    def _on_done(self) -> None:
        if self._current():  # a late signal of an earlier run changes nothing
            self.state.ended = True  # whatever happened, the engine has returned
            self.changed.emit()

    def repaint(self, force: bool = False) -> None:
        """Called by the timer: redraw what changed, no more often than the eye needs."""
        now, state = time.perf_counter(), self.state
        if state.plot_due(now, force):
            self._show_progress()
            h = state.history
            self.views.loss_plot.set_run(
                h.steps, h.losses, h.smoothed, h.acc_steps, h.accs, state.total_steps()
            )
        if state.maps_due(now, force):
            self.views.show_snapshot(state.snapshot)

    def _on_layer_chosen(self, name: str) -> None:
        if self.state.set_up and name:  # before set-up the run has no probe; it starts on layer 1
            self._engine.probe.choose([name], None)

    def _on_block_chosen(self, name: str) -> None:
        if self.state.set_up and name:
            self._engine.probe.choose(None, name)

    def _on_runs_ticked(self, _item=None) -> None:
        items = [self.views.runs.item(i) for i in range(self.views.runs.count())]
        ticked = [item.text() for item in items if item.checkState() == Qt.Checked]
        self.views.loss_plot.set_overlays(self.state.finished_runs.selected(ticked))
