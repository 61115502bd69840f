"""ComputeQueue: the pages' model jobs, run one at a time by the one thread that owns their
models, the latest request of each kind winning.

Any thread submits ``(kind, request id, source, job, *args)``; the owner thread calls
:meth:`ComputeQueue.step` until it returns None. ``job(model, info, *args)`` runs with the
module built from ``source`` (a :class:`~cnnviz.core.model_source.ModelSource`, built once in
the owner thread and kept for the next jobs), or ``job(*args)`` when ``source`` is None.

- A request replaces the waiting request of the same kind (the stale one is never run).
- A job returns a dict of plain data (numpy arrays, numbers, text): it is what leaves the
  thread. An exception becomes an error text.
- A long job (accuracy against ε over a test set, top patches) is a generator: it yields
  ``(done, total)`` after each slice and returns its result. Between two slices the queue runs
  whatever short job waits, so a stroke or a click is answered meanwhile. Cancelling a kind, or
  submitting a new request of it, closes its long job at the next slice boundary.
"""

from __future__ import annotations

import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from cnnviz.core.model_source import ModelSource

MODELS_KEPT = 6  # built modules kept, the most recently used first (a few pages' models)


@dataclass(frozen=True)
class Outcome:
    """What one step produced for request ``request_id`` of ``kind``: its ``result``, its
    ``error`` text, or a long job's ``progress`` ``(done, total)`` (exactly one of them)."""

    kind: str
    request_id: int
    result: dict | None = None
    error: str = ""
    progress: tuple[int, int] | None = None

    @property
    def final(self) -> bool:
        return self.progress is None


@dataclass
class _Job:
    kind: str
    request_id: int
    source: ModelSource | None
    job: Callable
    args: tuple = field(default_factory=tuple)


def describe_error(exc: BaseException) -> str:
    """The text a page shows: a ValueError's (bad input, a model that does not fit: written
    for the user) alone; anything else with its type's name."""
    from cnnviz.core.inspect.failure import ForwardError

    if isinstance(exc, (ValueError, ForwardError)):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


class ComputeQueue:
    """Waiting requests (any thread) and the jobs in progress (the owner thread only)."""

    def __init__(self, models_kept: int = MODELS_KEPT):
        self._lock = threading.Lock()
        self._waiting: dict[str, _Job] = {}  # kind -> its latest request, oldest kind first
        self._cancelled: set[str] = set()
        self._long: OrderedDict[str, tuple[_Job, Generator[Any, Any, Any]]] = OrderedDict()
        self._models: OrderedDict[ModelSource, tuple[Any, Any]] = OrderedDict()
        self._models_kept = models_kept
        self.processed = 0  # requests run to an outcome
        self.dropped = 0  # requests replaced before they ran

    # -- any thread --------------------------------------------------------------------------
    def submit(
        self, kind: str, request_id: int, source: ModelSource | None, job: Callable, *args
    ) -> None:
        """Queue a request, replacing the waiting one of the same kind."""
        with self._lock:
            if self._waiting.pop(kind, None) is not None:
                self.dropped += 1
            self._waiting[kind] = _Job(kind, request_id, source, job, args)

    def cancel(self, kind: str | None = None) -> None:
        """Drop the waiting request of ``kind`` and stop its long job at the next slice
        boundary (``None``: every kind)."""
        with self._lock:
            kinds = set(self._waiting) | set(self._long) if kind is None else {kind}
            for name in kinds:
                if self._waiting.pop(name, None) is not None:
                    self.dropped += 1
            self._cancelled |= kinds

    def has_work(self) -> bool:
        with self._lock:
            return bool(self._waiting or self._long or self._cancelled)

    # -- the owner thread --------------------------------------------------------------------
    def step(self) -> Outcome | None:
        """Run one unit of work: a waiting request (or the first slice of a long one), else the
        next slice of a long job in progress. None when there was nothing to do."""
        with self._lock:
            cancelled, self._cancelled = self._cancelled, set()
            job = None
            if self._waiting:
                job = self._waiting.pop(next(iter(self._waiting)))
        for kind in cancelled:
            self._close(kind)
        if job is not None:
            self._close(job.kind)  # replaced by this request
            return self._start(job)
        if self._long:
            return self._advance(next(iter(self._long)))
        return None

    def forget_models(self) -> None:
        """Drop every built module (the owner thread, when it ends)."""
        self._models.clear()
        for kind in list(self._long):
            self._close(kind)

    def _model(self, source: ModelSource) -> tuple[Any, Any]:
        if source in self._models:
            self._models.move_to_end(source)
        else:
            self._models[source] = source.make()
            while len(self._models) > self._models_kept:
                self._models.popitem(last=False)
        return self._models[source]

    def _start(self, job: _Job) -> Outcome:
        try:
            if job.source is None:
                value = job.job(*job.args)
            else:
                model, info = self._model(job.source)
                value = job.job(model, info, *job.args)
        except Exception as exc:  # shown by the page, never raised into the event loop
            return self._finish(job, error=describe_error(exc))
        if inspect.isgenerator(value):
            self._long[job.kind] = (job, value)
            return self._advance(job.kind)
        return self._finish(job, result=value)

    def _advance(self, kind: str) -> Outcome:
        job, slices = self._long[kind]
        self._long.move_to_end(kind)  # long jobs of several kinds take turns
        try:
            done, total = next(slices)
        except StopIteration as stop:
            del self._long[kind]
            return self._finish(job, result=stop.value)
        except Exception as exc:
            del self._long[kind]
            return self._finish(job, error=describe_error(exc))
        return Outcome(kind, job.request_id, progress=(int(done), int(total)))

    def _finish(self, job: _Job, result: dict | None = None, error: str = "") -> Outcome:
        self.processed += 1
        return Outcome(job.kind, job.request_id, result=result, error=error)

    def _close(self, kind: str) -> None:
        entry = self._long.pop(kind, None)
        if entry is not None:
            entry[1].close()
