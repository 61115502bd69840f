"""Snapshots of a run for other threads: its weights, copied at a batch boundary.

A module belongs to one thread (DESIGN.md, "one owner per model"): the training thread copies
the weights (``copy_state``) between two batches and hands out a :class:`ModelSource` that
builds a fresh module of the same architecture, with those weights, in the thread that asks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch

from cnnviz.core.model_source import ModelSource, copy_state, weights_source

SnapshotCallback = Callable[["ModelSource | None"], None]
DESCRIPTION = "a snapshot of the current training run"


def snapshot_source(factory: Callable, model, info) -> ModelSource:
    """``model``'s weights now, as a source that builds them onto ``factory()``; in the
    model's own thread, between two uses of it."""
    # Outside inference mode (evaluation runs in it): the copies are ordinary tensors that a
    # model built from them can be trained on.
    with torch.inference_mode(False):
        state = copy_state(model)
    return weights_source(factory, state, info, DESCRIPTION)


class SnapshotRequests:
    """Callbacks waiting for the next batch boundary of an active run, each with what it
    is given there (a snapshot's source by default; a checkpoint's payload)."""

    def __init__(self):
        self._lock = threading.Lock()  # guards the two below
        self._active = False  # the run is between its start and its end
        self._waiting: list[tuple[Callable, Callable | None]] = []

    @property
    def active(self) -> bool:
        return self._active

    def begin(self) -> None:
        with self._lock:
            self._active = True

    def add(self, callback: Callable, take: Callable | None = None) -> bool:
        """Keep ``callback`` for the next boundary, to be called with ``take()`` there (None:
        the snapshot :meth:`serve` is given); False when no run is active (the caller serves
        it at once)."""
        with self._lock:
            if self._active:
                self._waiting.append((callback, take))
            return self._active

    def serve(self, take: Callable[[], ModelSource | None], final: bool = False) -> None:
        """Call the waiting callbacks, each with its own ``take()`` or this one; ``final``:
        the run is ending (no more boundaries), later requests are served at once by
        :meth:`add`'s caller."""
        if not final and not self._waiting:  # the common case, without the lock
            return
        with self._lock:
            if final:
                self._active = False
            waiting, self._waiting = self._waiting, []
        for callback, own in waiting:
            callback(take_or_none(own or take))


def take_or_none(take: Callable):
    """``take()``, or None when it fails: every waiting callback is answered (None means "no
    copy": a snapshot refused, a checkpoint not saved), so no page waits for ever and a failing
    copy never keeps the run's end from the callbacks after it."""
    try:
        return take()
    except Exception:  # noqa: BLE001 - said by the caller, which gets None
        return None
