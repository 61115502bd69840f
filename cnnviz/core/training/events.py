"""Engine events and the handlers attached to them (ignite-style, with ``every=N``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

STARTED = "started"  # {model, device, device_name, train_size, test_size, params, epoch}
LOSSES = "losses"  # every log_every batches: {epoch, batch, batches, samples, total, steps, losses}
SNAPSHOT = "snapshot"  # throttled: {step, activations, branches, filters, grad_norms}
EPOCH_DONE = "epoch_done"  # {epoch, test_loss, correct, total, accuracy, confusion, ...}
PAUSED = "paused"  # {reason, message}
RESUMED = "resumed"
STOPPED = "stopped"  # {epoch, step}
FINISHED = "finished"  # {history}
FAILED = "failed"  # {message}
ALL = (STARTED, LOSSES, SNAPSHOT, EPOCH_DONE, PAUSED, RESUMED, STOPPED, FINISHED, FAILED)


class EventBus:
    """Handlers per event; ``every=N`` calls a handler on every N-th firing only."""

    def __init__(self):
        self._handlers: dict[str, list] = defaultdict(list)
        self._counts: dict[str, int] = defaultdict(int)

    def on(self, event: str, handler: Callable[[dict], None], every: int = 1) -> None:
        if event not in ALL:
            raise ValueError(f"unknown event {event!r}; events: {', '.join(ALL)}")
        self._handlers[event].append((handler, max(1, every)))

    def fire(self, event: str, payload: dict | None = None) -> None:
        self._counts[event] += 1
        n = self._counts[event]
        for handler, every in self._handlers[event]:
            if n % every == 0:
                handler(payload or {})
