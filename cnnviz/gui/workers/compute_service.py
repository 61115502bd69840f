"""ComputeService: the one thread that owns the pages' models and runs their jobs.

The Draw, Trace and Architecture pages (and the Train page's confusion gallery) never hold a
torch module: they hand a :class:`~cnnviz.core.model_source.ModelSource` and a job to this
service, which builds the module in its own thread, keeps it there, and sends back plain data.
The queue and its rules (the latest request of a kind wins, long jobs in slices, cancel) are
:class:`~cnnviz.core.compute_queue.ComputeQueue`'s; this module only moves its outcomes onto
Qt signals. Each page talks to it through a :class:`ComputeClient` per kind of job.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from cnnviz.core.compute_queue import ComputeQueue, Outcome
from cnnviz.core.model_source import ModelSource
from cnnviz.gui.workers.base import WorkerThread


def one_torch_thread() -> None:
    """In the compute thread, once, before its first job: PyTorch's operations run on this
    thread alone. Its jobs are one image or a slice of a test set; with an OpenMP team of two
    (the default on 2 cores) a stroke waited for the team's second thread, which runs at the
    worker's lower priority: on a busy 2-core machine a stroke → bars took p50 394 ms, p95 644
    ms, and 1 thread brings it back to the old helper's figures (bench_draw.py). A thread
    started later begins with the count set last: a training run sets its own, read before this
    one is set (CPU_THREADS)."""
    import torch

    from cnnviz.core.training.devices import CPU_THREADS  # noqa: F401 - read before the 1 below

    torch.get_num_threads()  # the thread's first reading, or it would undo the setting later
    torch.set_num_threads(1)


class ComputeWorker(QObject):
    """Lives in the service's thread: one step of the queue per turn of its event loop (so
    that a quit is seen between two jobs or two slices), and ``outcome`` for each."""

    outcome = Signal(object)  # an Outcome
    _wake = Signal()

    def __init__(self):
        super().__init__()
        self.queue = ComputeQueue()
        self._wake.connect(self._turn, Qt.QueuedConnection)
        self._threads_set = False

    def wake(self) -> None:
        """Any thread: there is work (a turn is queued in the worker's thread)."""
        self._wake.emit()

    @Slot()
    def _turn(self) -> None:
        if not self._threads_set:
            self._threads_set = True
            one_torch_thread()
        outcome = self.queue.step()
        if outcome is not None:
            self.outcome.emit(outcome)
        if self.queue.has_work():
            self._wake.emit()


class ComputeService(WorkerThread):
    """The compute thread, started at once; :meth:`stop` cancels every job and ends it after
    the job or slice in hand (the window waits for it, saying so)."""

    def __init__(self, parent=None):
        super().__init__(ComputeWorker(), "compute", None, parent)
        self.thread.finished.connect(self.worker.queue.forget_models, Qt.DirectConnection)
        self._kinds = itertools.count(1)
        self.start()

    def submit(
        self, kind: str, request_id: int, source: ModelSource | None, job: Callable, *args
    ) -> None:
        self.worker.queue.submit(kind, request_id, source, job, *args)
        self.worker.wake()

    def cancel(self, kind: str) -> None:
        self.worker.queue.cancel(kind)
        self.worker.wake()

    def request_stop(self) -> None:
        self.worker.queue.cancel()

    def new_kind(self, name: str) -> str:
        """A kind of job no other client uses (``name`` plus a number)."""
        return f"{name}-{next(self._kinds)}"


class ComputeClient(QObject):
    """One kind of job of one page or panel. Each :meth:`submit` is a new request (the latest
    wins: an older request's outcome is not emitted); ``result`` carries ``{"id", ...}`` — the
    job's dict — or ``{"id", "error"}``; ``progress`` carries ``(id, done, total)``."""

    result = Signal(dict)
    progress = Signal(int, int, int)

    def __init__(self, service: ComputeService, name: str, parent=None):
        super().__init__(parent)
        self.service = service
        self.kind = service.new_kind(name)
        self.request_id = 0  # the latest request
        self.answered_id = 0  # the latest request whose final outcome came back
        service.worker.outcome.connect(self._on_outcome, Qt.QueuedConnection)

    def submit(self, source: ModelSource | None, job: Callable, *args) -> int:
        """Run ``job(model, info, *args)`` on ``source``'s model (``job(*args)`` without a
        source); returns the request id."""
        self.request_id += 1
        self.service.submit(self.kind, self.request_id, source, job, *args)
        return self.request_id

    def cancel(self) -> None:
        """Stop the request in hand (its outcome is not emitted)."""
        self.answered_id = self.request_id
        self.service.cancel(self.kind)

    def waiting(self) -> bool:
        """Whether the latest request has not been answered yet."""
        return self.answered_id < self.request_id

    def _on_outcome(self, outcome: Outcome) -> None:
        if outcome.kind != self.kind or outcome.request_id != self.request_id:
            return  # another client's, or stale
        if self.answered_id >= outcome.request_id:
            return  # cancelled
        if outcome.progress is not None:
            self.progress.emit(outcome.request_id, *outcome.progress)
            return
        self.answered_id = outcome.request_id
        if outcome.error:
            self.result.emit({"id": outcome.request_id, "error": outcome.error})
        elif outcome.result is not None:
            self.result.emit({"id": outcome.request_id, **outcome.result})
