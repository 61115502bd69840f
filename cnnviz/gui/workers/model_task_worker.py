"""ModelTaskThread: attribution maps, adversarial digits and accuracy curves in their own
thread, on the worker's own copy of the model. The latest request wins; a long job reports
progress and stops when asked."""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtCore import Signal
from torch import nn

from cnnviz.core.inference import MNIST_INFO, InputContract
from cnnviz.gui.workers.base import WorkerThread
from cnnviz.gui.workers.task_worker import ModelTaskWorker


class CopyingModelWorker(ModelTaskWorker):
    """Runs ``job(model, info, control, *args)`` for the latest request on this worker's own
    copy of the model, where ``control`` has ``progress(done, total)`` and ``should_stop()``;
    ``result`` carries ``{"id", ...}`` (plain numpy data) or ``{"id", "error"}``."""

    progress = Signal(int, int, int)  # request id, done, total
    known_errors = (ValueError,)

    def __init__(self):
        super().__init__()
        self._original = None  # the model handed over (``_model``: this worker's copy)
        self._info: InputContract = MNIST_INFO
        self._submitted = 0  # jobs submitted so far (each gets the next number)
        self._cancelled = 0  # the jobs up to this number are asked to stop

    def set_model(self, model, info: InputContract = MNIST_INFO) -> None:
        """Any thread: use ``model`` from the next job on — a copy, made in this worker's
        thread: hooks and gradients here must not meet the Draw page's predictions running
        on the original in theirs."""
        with self._model_lock:
            self._original, self._model, self._info = model, None, info

    def _own_model(self):
        """This worker's copy of the model in use (made at the first job after set_model)."""
        with self._model_lock:
            original, model, info = self._original, self._model, self._info
        if model is None and original is not None:
            model = copy_without_hooks(original)
            with self._model_lock:
                if self._original is original:  # not replaced meanwhile
                    self._model = model
        return model, info

    def cancel(self) -> None:
        """Any thread: ask every job submitted so far to stop at its next check: the one in
        hand, and one waiting that has not started yet (a Cancel pressed before the worker
        took the job up was lost: the job cleared it as it started, and ran to its end). A
        job submitted later is not asked."""
        with self._lock:
            self._cancelled = self._submitted

    def submit(self, request_id: int, job: Callable, *args) -> None:
        with self._lock:
            self._submitted += 1
            number = self._submitted
        super().submit(request_id, self._run, request_id, number, job, *args)

    def _run(self, request_id: int, number: int, job: Callable, *args):
        model, info = self._own_model()
        if model is None:
            return None
        control = _Control(self, request_id, number)
        if getattr(job, "every_core", False):  # a job over a whole test set
            from cnnviz.core.compute_threads import on_every_core

            return on_every_core(job, model, info, control, *args)
        return job(model, info, control, *args)


def copy_without_hooks(model: nn.Module, tries: int = 5) -> nn.Module:
    """A deep copy of ``model`` in eval mode, with no forward hooks. The original may be in
    use in another thread, whose predictions add and remove hooks for a moment: a copy that
    met such a change is made again, and hooks copied with it are dropped."""
    for attempt in range(tries):
        try:
            own = copy.deepcopy(model)
            break
        except RuntimeError:  # a dictionary of hooks changed while it was copied
            if attempt == tries - 1:
                raise
    for module in own.modules():
        module._forward_hooks.clear()
        module._forward_pre_hooks.clear()
    return own.eval()


class _Control:
    """What a job may ask of its worker: report progress, and whether to stop."""

    def __init__(self, worker: CopyingModelWorker, request_id: int, number: int):
        self._worker, self._id, self._number = worker, request_id, number

    def progress(self, done: int, total: int) -> None:
        self._worker.progress.emit(self._id, int(done), int(total))

    def should_stop(self) -> bool:
        return self._worker._cancelled >= self._number


class ModelTaskThread(WorkerThread):
    """A :class:`CopyingModelWorker` in its own QThread, started at once; stopping it cancels
    the job in hand."""

    def __init__(self, name: str, parent=None):
        super().__init__(CopyingModelWorker(), name, None, parent)
        self.start()

    def request_stop(self) -> None:
        self.worker.cancel()
