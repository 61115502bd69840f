"""TrainWorker and TrainRun: the engine in a QThread, its events as queued Qt signals.

Only plain data crosses threads (floats, dicts, numpy copies); no tensor, module or widget.
Stop and pause are flags the engine checks between batches; the thread is never terminated.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from cnnviz.core.training import Engine, TrainConfig, events
from cnnviz.gui.workers.base import WorkerThread


class TrainWorker(QObject):
    """Runs one :class:`Engine` in whatever thread it was moved to."""

    started = Signal(dict)
    losses = Signal(dict)
    snapshot = Signal(dict)
    epoch_done = Signal(dict)
    paused = Signal(dict)
    resumed = Signal()
    stopped = Signal(dict)
    finished = Signal(dict)
    failed = Signal(dict)
    done = Signal()  # always the last signal, whatever happened

    def __init__(self, config: TrainConfig, checkpoint: dict | None = None):
        super().__init__()  # no parent: it is moved to its own thread
        self.engine = Engine(config, checkpoint=checkpoint)
        for event, signal in (
            (events.STARTED, self.started),
            (events.LOSSES, self.losses),
            (events.SNAPSHOT, self.snapshot),
            (events.EPOCH_DONE, self.epoch_done),
            (events.PAUSED, self.paused),
            (events.STOPPED, self.stopped),
            (events.FINISHED, self.finished),
            (events.FAILED, self.failed),
        ):
            self.engine.on(event, signal.emit)
        self.engine.on(events.RESUMED, lambda _p: self.resumed.emit())

    @Slot()
    def run(self) -> None:
        try:
            self.engine.run()
        finally:
            self.done.emit()


class TrainRun(WorkerThread):
    """A training worker in its own QThread; ``request_stop`` stops the engine."""

    def __init__(self, config: TrainConfig, checkpoint: dict | None = None, parent=None):
        worker = TrainWorker(config, checkpoint)
        super().__init__(worker, f"train-{config.model}", worker.run, parent)
        self.config = config
        # direct: quit() is thread-safe, and the GUI thread may be the one waiting for it
        worker.done.connect(self.thread.quit, Qt.DirectConnection)

    @property
    def engine(self) -> Engine:
        return self.worker.engine

    def request_stop(self) -> None:
        self.engine.stop()
