"""TrainController: the Train page's state and rules, without Qt.

What is running and whether it may be started, paused, saved or replaced by a lesson; the
curves of the run shown and the finished runs kept for comparison; which checkpoint Start
continues; the checkpoint files being written or read; what the progress line, the status
bar and the end of a run say; and when the live views are due a repaint. The page
(:class:`cnnviz.gui.pages.train_page.TrainPage`) shows what this decides and runs the engine
in its thread; this module imports no PySide6 or pyqtgraph and is tested without a display.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.core.training import CheckpointError, TrainConfig, load_checkpoint
from cnnviz.core.training.history import FinishedRuns, RunHistory
from cnnviz.core.training.log import train_line
from cnnviz.models import available

PLOT_SECONDS = 0.25  # the loss plot and progress redraw at most 4 times a second, the
MAPS_SECONDS = 0.4  # feature maps about 2.5: live to the eye, and training keeps the CPU
SNAPSHOT_EVERY = 5  # batches between the live views' probes (and MAPS_SECONDS at least)


def read_checkpoint(path) -> dict:
    """In a worker: a checkpoint whose model this cnnviz has (:class:`CheckpointError`)."""
    data = load_checkpoint(path)
    if data["model"] not in available():
        raise CheckpointError(f"its model {data['model']!r} is not available here")
    return data


@dataclass(frozen=True)
class FileDone:
    """A checkpoint file written or read: what the progress line says; for a file read,
    the settings and curves to show (Start continues it); ``close``: the window closes now
    (closing asked to save first)."""

    text: str
    config: TrainConfig | None = None
    history: dict | None = None
    close: bool = False


@dataclass(frozen=True)
class Progress:
    """What the progress bar, its line and the status bar say of a run under way."""

    done: int
    total: int
    line: str
    status: str


class TrainController:
    """The Train page's run: its engine (the last one started), its curves, its files.

    The page tells it what happened (``started``, ``losses``, ``epoch``, ``ended``...) and
    asks it what is allowed (``start_refusal``, ``save_refusal``...) and what to show."""

    def __init__(self):
        self.engine = None  # the last run's engine (for saving after it ends)
        self.ended = True  # the last run's end has been handled here
        self.unsaved = False  # the last run ended and has not been saved since
        self.checkpoint: dict | None = None  # loaded (or weights), continued on Start
        self.history = RunHistory()  # the curves of the run shown
        self.finished_runs = FinishedRuns()  # kept for comparison
        self.set_up = False  # the current run has set up (its probe exists)
        self.batches = 0  # per epoch, once the first progress report has told
        self.file_job: tuple[int, str, str] | None = None  # (id, "save"/"load", path)
        self._file_ids = 0
        self.close_after_save = False  # the window closes once the file in hand is written
        self.snapshot: dict | None = None  # the latest probe of the live views
        self.snapshots_shown = 0
        self.dirty_plot = self.dirty_snapshot = False
        self._plot_at = self._maps_at = 0.0
        self._progress: dict | None = None
        self._log_lines: list[str] = []

    # -- what is running --------------------------------------------------------------------------
    def is_running(self) -> bool:
        """A run has started and its end has not been handled yet."""
        return self.engine is not None and not self.ended

    @property
    def paused(self) -> bool:
        return self.is_running() and self.engine.paused

    @property
    def loading(self) -> bool:
        return self.file_job is not None and self.file_job[1] == "load"

    def can_save_now(self) -> bool:
        """The Save button: a run set up far enough, paused or over, and no file in hand."""
        return (
            self.engine is not None
            and self.engine.can_save
            and (self.paused or not self.is_running())
            and self.file_job is None
        )

    def start_refusal(self, thread_busy: bool) -> str | None:
        """Why Start cannot start now (``thread_busy``: the previous run's thread has not
        returned yet), or None."""
        if self.is_running():
            return ""  # nothing to say: the run goes on
        if thread_busy:
            return "The previous run is still finishing; try again in a moment."
        if self.loading:
            return "A checkpoint is being read: Start once it has loaded."
        return None

    def begin(self, config: TrainConfig) -> tuple[dict | None, bool]:
        """A run of ``config`` starts: the checkpoint it continues (a loaded one of the same
        model) and whether its curves start afresh."""
        checkpoint = self.checkpoint
        if checkpoint is None or checkpoint.get("model") != config.model:
            checkpoint = None
        fresh = checkpoint is None or bool(checkpoint.get("starting_weights"))
        if fresh:
            self.set_curves([], [], [], [])
        self.batches = 0
        self.checkpoint = None
        self.ended = False  # set when the run's last event has been handled here
        self.set_up = False
        return checkpoint, fresh

    def lesson_refusal(self, thread_busy: bool) -> str | None:
        """Why a lesson's settings cannot replace the form's now, or None."""
        if self.is_running() or thread_busy:
            return (
                "a training run is going on: stop it (or let it finish) before opening a "
                "lesson for the Train page; the run and its settings stay"
            )
        if self.loading:
            return "a checkpoint is being read for the Train page: try again then"
        return None

    def close_needs_asking(self) -> bool:
        """Closing would lose an unsaved run, or one under way that has trained."""
        return self.unsaved or (self.is_running() and bool(self.history.losses))

    # -- the run's events -------------------------------------------------------------------------
    def started(self, payload: dict) -> dict | None:
        """The run has set up; the history it continues (a checkpoint's), if any."""
        self.set_up = True
        history = payload.get("history") or {}
        return history if history.get("steps") else None

    def losses(self, payload: dict) -> None:
        """Keep the numbers; the views are repainted when :meth:`plot_due` says."""
        self.history.add_losses(payload["steps"], payload["losses"])
        self.dirty_plot = True
        if payload["log"]:
            self._log_lines.append(train_line(payload))
        self._progress = payload
        self.batches = payload["batches"]

    def epoch(self, result: dict) -> None:
        self.history.add_epoch(result)
        self.dirty_plot = True

    def probed(self, snapshot: dict) -> None:
        self.snapshot = snapshot
        self.dirty_snapshot = True

    def end(self, how: str) -> str | None:
        """The run ended ``how`` ("finished", "stopped", "failed"); the name it is kept
        under for comparison, or None (nothing to compare)."""
        name = self.finished_runs.add(self.engine.config.model, self.history, how)
        self.unsaved = bool(self.history.losses) and how != "failed"
        self.ended = True
        return name

    def ended_status(self, how: str, failure: str = "") -> str:
        model = self.engine.config.model
        if how == "failed":
            return f"Training {model} failed: {failure}"
        accs = self.history.accs
        tested = (
            f": test accuracy {100 * accs[-1]:.1f} % after {len(accs)} "
            f"epoch{'s' if len(accs) != 1 else ''}"
            if accs
            else " before its first test"
        )
        return f"Training {model} {how}{tested} — try it on the Draw page (Current training run)."

    # -- what the views show ----------------------------------------------------------------------
    def take_log_lines(self) -> str:
        """The log lines come since the last call, as one text ("" when none)."""
        lines, self._log_lines = self._log_lines, []
        return "\n".join(lines)

    def take_progress(self) -> Progress | None:
        """The progress since the last call, or None (nothing new, or no run)."""
        p, self._progress = self._progress, None
        if p is None or self.engine is None:
            return None
        config = self.engine.config
        epochs = config.epochs
        done = (p["epoch"] - 1) * p["batches"] + p["batch"] + 1
        total = epochs * p["batches"]
        rate = p["samples_per_second"]
        remaining = (total - done) * config.batch_size / max(rate, 1e-9)
        line = (
            f"Epoch {p['epoch']}/{epochs} · batch {p['batch'] + 1}/{p['batches']} · "
            f"{rate:,.0f} samples/s · ETA {int(remaining // 60)}:{int(remaining % 60):02d}"
        )
        where = f"epoch {p['epoch']} of {epochs}, batch {p['batch'] + 1} of {p['batches']}"
        if self.engine.paused:
            status = f"Training paused at {where}: Resume, or save a checkpoint."
        else:
            accs = self.history.accs
            tested = f" · test accuracy {100 * accs[-1]:.1f} %" if accs else ""
            status = f"Training {config.model}: {where} · loss {p['loss']:.3f}{tested}"
        return Progress(done, total, line, status)

    def total_steps(self) -> int | None:
        """Batches in the whole run, once the first progress report has told."""
        if self.engine is None or not self.batches:
            return None
        return self.engine.config.epochs * self.batches

    def plot_due(self, now: float, force: bool = False) -> bool:
        """The curves changed and the last redraw was PLOT_SECONDS ago (or ``force``)."""
        if not self.dirty_plot or not (force or now - self._plot_at >= PLOT_SECONDS):
            return False
        self.dirty_plot, self._plot_at = False, now
        return True

    def maps_due(self, now: float, force: bool = False) -> bool:
        """A new probe came and the last one was shown MAPS_SECONDS ago (or ``force``)."""
        if not self.dirty_snapshot or self.snapshot is None:
            return False
        if not (force or now - self._maps_at >= MAPS_SECONDS):
            return False
        self.dirty_snapshot, self._maps_at = False, now
        self.snapshots_shown += 1
        return True

    def set_curves(self, steps, losses, acc_steps, accs) -> None:
        self.history.set_curves(steps, losses, acc_steps, accs)
        self.dirty_plot = True

    def set_history(self, history: dict) -> dict | None:
        """Show a saved run's curves; its last epoch's result (for the figures), or None."""
        epochs = history.get("epochs", [])
        self.set_curves(
            history.get("steps", []),
            history.get("losses", []),
            [e["step"] for e in epochs],
            [e["accuracy"] for e in epochs],
        )
        return epochs[-1] if epochs else None

    def csv_text(self) -> str:
        """Per-batch loss, and test loss / accuracy at each epoch's last step."""
        epochs = self.engine.history.get("epochs", []) if self.engine is not None else []
        return self.history.to_csv_text(epochs)

    # -- checkpoint and weights files -------------------------------------------------------------
    def save_refusal(self) -> str | None:
        """Why the run cannot be saved now, or None."""
        if self.engine is None or not self.engine.can_save:
            return "Nothing to save yet: train first."
        if self.is_running() and not self.engine.paused:
            return "Pause (or stop) training before saving a checkpoint."
        return self.file_refusal()

    def file_refusal(self) -> str | None:
        """One checkpoint file at a time: why not another now, or None."""
        if self.file_job is not None:
            return f"A moment: {self.file_job[2]} is still being written or read."
        return None

    def begin_file_job(self, kind: str, path) -> int:
        """A checkpoint is to be written ("save") or read ("load"); its request id."""
        self._file_ids += 1
        self.file_job = (self._file_ids, kind, str(path))
        return self._file_ids

    def end_file_job(self, request_id: int) -> tuple[str, str] | None:
        """(kind, path) of the file job ``request_id`` now over; None for an older one."""
        if self.file_job is None or self.file_job[0] != request_id:
            return None
        _, kind, path = self.file_job
        self.file_job = None
        return kind, path

    def file_done(self, request_id: int, result) -> FileDone | None:
        """The file job ``request_id`` succeeded (``result``: a checkpoint read); None when
        it is not the job in hand."""
        ended = self.end_file_job(request_id)
        if ended is None:
            return None
        kind, path = ended
        if kind == "save":
            self.unsaved = False
            close, self.close_after_save = self.close_after_save, False
            return FileDone(f"Saved to {path}", close=close)
        self.checkpoint = result
        text = f"Loaded {result['model']} after epoch {result['epoch']}: Start continues it."
        config = TrainConfig.from_dict(result["config"])
        return FileDone(text, config, result.get("history", {}))

    def file_failed(self, request_id: int, message: str) -> str | None:
        """The file job ``request_id`` failed: what to say (None when it is not the job in
        hand). A checkpoint not written keeps the window open: the run is not saved."""
        ended = self.end_file_job(request_id)
        if ended is None:
            return None
        if ended[0] == "save":
            self.close_after_save = False
            return f"Could not save the checkpoint: {message}"
        return f"Cannot load the checkpoint: {message}"

    def weights_loaded(self, result: dict) -> str:
        """Start trains from weights read for a model opened from a file; what to say."""
        self.checkpoint = {
            "model": result["name"],
            "model_state": result["state"],
            "starting_weights": True,
        }
        return (
            f"Loaded the weights of {result['path']} onto {result['name']}: Start trains from them."
        )

    # -- snapshots for other pages ----------------------------------------------------------------
    def request_snapshot(self, callback) -> bool:
        """``callback(source)`` with a ModelSource of the run's weights (or None), from the
        training thread at its next batch boundary (at once when no run is active); False
        without a run."""
        if self.engine is None:
            return False
        self.engine.request_snapshot(callback)
        return True
