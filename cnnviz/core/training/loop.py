"""The epoch loop: batches, the losses read back in groups, the test after each epoch."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import torch

from . import events as ev
from .stopping import StopRequested

if TYPE_CHECKING:
    from .engine import Engine


class EpochLoop:
    """Trains ``engine``'s set-up run from its epoch to the last, honouring pause, stop,
    learning-rate changes and snapshot requests between batches."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.epoch_seconds = 0.0

    def run(self) -> None:
        engine = self.engine
        while engine.epoch < engine.config.epochs:
            if not self.train_epoch(engine.epoch + 1):
                return
            engine.epoch += 1
            if not self.evaluate_epoch():
                return
            if engine.scheduler is not None:
                engine.scheduler.step()

    def _between_batches(self) -> bool:
        """Pause, stop, snapshots and a new learning rate; False once stopped."""
        engine = self.engine
        engine._wait_while_paused()
        if engine._stop.is_set():
            return False
        engine._serve_snapshots()
        lr = engine._take_pending_lr()
        if lr is not None:
            for group in engine._opt.param_groups:
                group["lr"] = lr
        return True

    def train_epoch(self, epoch: int) -> bool:
        engine, cfg = self.engine, self.engine.config
        data, steps, model = engine._train, engine.steps, engine._net
        probe, generator = engine.probe, engine.generator
        assert steps is not None and probe is not None, "the run is not set up"
        n, bs = len(data), cfg.batch_size
        batches = math.ceil(n / bs)
        order = torch.randperm(n, generator=generator, device=engine._dev)
        model.train()
        pending: list[torch.Tensor] = []
        last_snapshot = 0.0
        started = time.perf_counter()
        for b in range(batches):
            if not self._between_batches():
                return False
            idx = order[b * bs : (b + 1) * bs]
            pending.append(steps.step(data.normalise(data.images[idx]), data.labels[idx]))
            engine.step += 1
            if b % cfg.log_every == 0 or b == batches - 1:
                if not self.read_losses(pending, epoch, b, batches, started):
                    return False
                pending = []
            now = time.perf_counter()
            if (
                cfg.snapshot_every
                and engine.step % cfg.snapshot_every == 0
                and now - last_snapshot >= cfg.snapshot_seconds
            ):
                last_snapshot = now
                engine.bus.fire(ev.SNAPSHOT, probe.snapshot(engine.step, model))
        self.epoch_seconds = time.perf_counter() - started
        return True

    def read_losses(self, pending, epoch: int, b: int, batches: int, started: float) -> bool:
        """One host read for the losses since the last read; a NaN pauses the run."""
        engine, cfg = self.engine, self.engine.config
        values = torch.stack(pending).float().cpu().tolist()
        steps = list(range(engine.step - len(values) + 1, engine.step + 1))
        engine.history["steps"].extend(steps)
        engine.history["losses"].extend(values)
        n = len(engine._train)
        seen = min((b + 1) * cfg.batch_size, n)
        lr = engine._opt.param_groups[0]["lr"]
        engine.bus.fire(
            ev.LOSSES,
            {
                "epoch": epoch,
                "batch": b,
                "batches": batches,
                "samples": b * cfg.batch_size,
                "seen": seen,
                "total": n,
                "steps": steps,
                "losses": values,
                "loss": values[-1],
                "lr": lr,
                "log": b % cfg.log_every == 0,
                "samples_per_second": seen / max(time.perf_counter() - started, 1e-9),
            },
        )
        if all(math.isfinite(v) for v in values):
            return True
        engine.pause()
        engine.bus.fire(
            ev.PAUSED,
            {
                "reason": "nan",
                "message": "The loss became "
                f"{'NaN' if any(v != v for v in values) else 'infinite'} at epoch "
                f"{epoch}, batch {b + 1}: the weights blew up. The learning rate ({lr:g}) is "
                "probably too high — lower it (for example ten times) and start again.",
            },
        )
        engine._wait_while_paused()
        return not engine._stop.is_set()

    def evaluate_epoch(self) -> bool:
        """Evaluate and record the epoch; False (nothing recorded) when a stop cut it short."""
        engine = self.engine
        try:
            result = engine.evaluate()
        except StopRequested:
            return False
        seconds = self.epoch_seconds
        result.update(
            epoch=engine.epoch,
            train_seconds=seconds,
            step=engine.step,
            samples_per_second=len(engine._train) / seconds if seconds else 0.0,
        )
        engine.history["epochs"].append({k: v for k, v in result.items() if k != "confusion"})
        engine.bus.fire(ev.EPOCH_DONE, result)
        return True
