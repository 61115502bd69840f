"""A run's curves, Qt-free: per-batch losses with their smoothing, test results per epoch, the
CSV export, and the finished runs kept for comparison (what the Train page shows and saves)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import numpy as np

CSV_HEADER = ("step", "loss", "epoch", "test_loss", "test_accuracy")
Curves = tuple[list[int], list[float], list[int], list[float]]  # steps, losses, acc_steps, accs


class Smoother:
    """Exponential moving average, extended point by point (no recomputation per repaint)."""

    def __init__(self, alpha: float = 0.05):
        self.alpha = alpha
        self.values: list[float] = []

    def extend(self, losses) -> None:
        acc = self.values[-1] if self.values else None
        for v in losses:
            if not np.isfinite(v):
                self.values.append(acc if acc is not None else np.nan)
                continue
            acc = v if acc is None else self.alpha * v + (1 - self.alpha) * acc
            self.values.append(acc)


def smooth(values, alpha: float = 0.05) -> np.ndarray:
    """The exponential moving average of ``values`` as a float array."""
    smoother = Smoother(alpha)
    smoother.extend(values)
    return np.asarray(smoother.values, float)


class RunHistory:
    """One run's curves: ``steps``/``losses`` per batch (and ``smoothed``), ``acc_steps``/
    ``accs`` per epoch, and the epochs' test results (epoch, step, test_loss, accuracy)."""

    def __init__(self, alpha: float = 0.05):
        self.alpha = alpha
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.acc_steps: list[int] = []
        self.accs: list[float] = []
        self.epochs: list[dict] = []
        self._smoother = Smoother(alpha)

    @property
    def smoothed(self) -> list[float]:
        return self._smoother.values

    def __bool__(self) -> bool:
        """True once there is a loss to show or export."""
        return bool(self.losses)

    def add_losses(self, steps: Iterable[int], losses: Iterable[float]) -> None:
        """Losses of some batches (an engine LOSSES payload's ``steps`` and ``losses``)."""
        losses = list(losses)
        self.steps.extend(steps)
        self.losses.extend(losses)
        self._smoother.extend(losses)

    def add_epoch(self, result: dict) -> None:
        """An epoch's test result (an engine EPOCH_DONE payload: step, accuracy, ...)."""
        self.acc_steps.append(result["step"])
        self.accs.append(result["accuracy"])
        self.epochs.append({k: v for k, v in result.items() if k != "confusion"})

    def set_curves(self, steps, losses, acc_steps, accs) -> None:
        """Replace the curves (the epochs' other test figures are dropped)."""
        self.steps, self.losses = list(steps), list(losses)
        self._smoother = Smoother(self.alpha)
        self._smoother.extend(self.losses)
        self.acc_steps, self.accs = list(acc_steps), list(accs)
        self.epochs = [{"step": s, "accuracy": a} for s, a in zip(self.acc_steps, self.accs)]

    @classmethod
    def from_engine_history(cls, history: dict, alpha: float = 0.05) -> RunHistory:
        """The curves of an engine's (or a checkpoint's) ``history`` dict."""
        run = cls(alpha)
        run.add_losses(history.get("steps", []), history.get("losses", []))
        for epoch in history.get("epochs", []):
            run.add_epoch(epoch)
        return run

    def curves(self) -> Curves:
        """Copies of (steps, losses, acc_steps, accs)."""
        return list(self.steps), list(self.losses), list(self.acc_steps), list(self.accs)

    def last_accuracy_text(self) -> str:
        return f"{100 * self.accs[-1]:.2f}%" if self.accs else "no test yet"

    def to_csv_text(self, epochs: Iterable[dict] | None = None) -> str:
        """Per-batch loss, and test loss / accuracy at each epoch's last step: the Train
        page's metrics export. ``epochs`` (test results with step, epoch, test_loss, accuracy)
        default to those added here."""
        by_step = {e["step"]: e for e in (self.epochs if epochs is None else epochs)}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        for step, loss in zip(self.steps, self.losses):
            e = by_step.get(step)
            writer.writerow(
                [
                    step,
                    f"{loss:.6f}",
                    e["epoch"] if e else "",
                    f"{e['test_loss']:.6f}" if e else "",
                    f"{e['accuracy']:.6f}" if e else "",
                ]
            )
        return buffer.getvalue()


class FinishedRuns:
    """Finished runs kept for comparison, by name ("2. resnet (91.30%, stopped)"), in order."""

    def __init__(self):
        self._runs: dict[str, Curves] = {}

    def __len__(self) -> int:
        return len(self._runs)

    def __contains__(self, name: object) -> bool:
        return name in self._runs

    def __getitem__(self, name: str) -> Curves:
        return self._runs[name]

    def names(self) -> list[str]:
        return list(self._runs)

    def add(self, model: str, run: RunHistory, how: str) -> str | None:
        """Keep ``run`` of ``model`` that ended ``how`` ("finished", "stopped", "failed");
        returns its name, or None when there is nothing to compare (no loss, or failed)."""
        if not run or how == "failed":
            return None
        name = f"{len(self._runs) + 1}. {model} ({run.last_accuracy_text()}, {how})"
        self._runs[name] = run.curves()
        return name

    def selected(self, names: Iterable[str]) -> dict[str, Curves]:
        """name → (steps, losses, acc_steps, accs) for the ``names`` kept here (LossPlot's
        overlays)."""
        return {name: self._runs[name] for name in names if name in self._runs}
