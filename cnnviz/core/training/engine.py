"""The training engine: owns the loop, fires events, honours pause / resume / stop.

Data stay resident on the training device as uint8; a batch is an index into a shuffled
permutation, normalised on the device. The host reads the loss only every ``log_every``
batches (one sync for all of them).

Stop is honoured everywhere in a run: between the stages of the set-up (the dataset read
included), between batches, while paused, between test batches, and inside a batch too: a hook
on every layer (forward) and on every weight (backward) gives up a batch cut short by a stop.
A batch given up that way leaves the weights as the last whole batch left them.

The engine's collaborators each do one thing: :mod:`.setup` (data, model, optimiser),
:mod:`.loop` (the epochs), :mod:`.steps` (one training step), :mod:`.evaluation` (the test),
:mod:`.snapshots` (weights for other threads) and :mod:`.stopping` (stop hooks).
"""

from __future__ import annotations

import copy as copying
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

from cnnviz.core.data.loading import DatasetError
from cnnviz.core.data.mnist import TensorDataset
from cnnviz.core.denormals import denormals_flushed
from cnnviz.core.inspect.failure import explain_forward_failure

from . import events as ev
from .checkpoint import load_checkpoint, save_checkpoint
from .config import TrainConfig
from .devices import device_name, pick_device, use_cpu_threads
from .evaluation import evaluate
from .loop import EpochLoop
from .setup import set_up
from .snapshots import SnapshotCallback, SnapshotRequests, snapshot_source, take_or_none
from .stopping import StopHooks, StopRequested

if TYPE_CHECKING:
    from cnnviz.core.inference import InputContract
    from cnnviz.core.model_source import ModelSource

    from .cuda_graph import GraphedSteps
    from .probe import Probe
    from .steps import Steps

__all__ = ["Engine", "StopRequested", "device_name", "pick_device"]


class Engine:
    """One training run. ``run()`` blocks; call ``pause``/``resume``/``stop``/``set_lr`` from
    any thread. Attach handlers with ``engine.on(event, handler, every=N)``.

    ``model_factory``: a user's own model, as a callable that builds it (called in the
    training thread, which owns the model; snapshots build their copies with it too); by
    default the zoo's ``config.model``. ``train``/``test``: data sets given rather than read;
    ``checkpoint``: a checkpoint's contents to continue from."""

    def __init__(
        self,
        config: TrainConfig,
        model_factory: Callable[[], nn.Module] | None = None,
        train: TensorDataset | None = None,
        test: TensorDataset | None = None,
        checkpoint: dict | None = None,
    ):
        self.config = config.validate()
        self.bus = ev.EventBus()
        self.on = self.bus.on
        self._given_factory = model_factory
        self._given_data = (train, test)
        self._checkpoint = checkpoint
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._pending_lr: float | None = None
        self._snapshots = SnapshotRequests()
        self._stop_hooks = StopHooks(self._stop)
        self._started = False
        self.history: dict = {"steps": [], "losses": [], "epochs": []}
        self.epoch = 0
        self.step = 0
        self.model: nn.Module | None = None
        self.model_factory: Callable[[], nn.Module] | None = None  # set up with the model
        self.train_data: TensorDataset | None = None
        self.test_data: TensorDataset | None = None
        self.optimizer: torch.optim.Optimizer | None = None
        self.scheduler = None
        self.generator: torch.Generator | None = None  # the batches' order
        self.device: torch.device | None = None
        self.steps: Steps | None = None
        self.probe: Probe | None = None
        self.channels_last = False
        self.stopped = False
        self.failure: str | None = None
        self.graphed: GraphedSteps | None = None  # CUDA graphs of the steps, where they serve
        self.dataset_note = ""

    # -- control (any thread) -----------------------------------------------------------------
    def pause(self) -> None:
        """Ignored once a stop has been asked for (the stop wins)."""
        if not self._stop.is_set():
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    def set_lr(self, lr: float) -> None:
        """Takes effect at the next batch."""
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self._pending_lr = float(lr)

    def _take_pending_lr(self) -> float | None:
        lr, self._pending_lr = self._pending_lr, None
        return lr

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def request_snapshot(self, callback: SnapshotCallback) -> None:
        """Call ``callback(source)`` once with a :class:`ModelSource` of the model's weights
        (built on the CPU, in eval mode, by the thread that calls ``source.make()``), never
        half-way through an update: copied in the training thread at the next batch boundary
        (or while paused, or between test batches). Without an active run it is called at
        once, here; a run that ends first calls it at its end with the final weights. The
        source is None when there is no model (nothing built, a failed set-up)."""
        if not self._snapshots.add(callback):
            callback(take_or_none(self._snapshot))

    def input_contract(self) -> InputContract | None:
        """What the model being trained expects and answers (input shape, class names,
        normalisation, dataset), or None before the data are read."""
        from cnnviz.core.inference import InputContract

        data = self.train_data
        if data is None:
            return None
        return InputContract(data.shape, tuple(data.class_names), data.mean, data.std, data.name)

    # -- what set-up made (None before it) ---------------------------------------------------------
    @property
    def _net(self) -> nn.Module:
        assert self.model is not None, "the run is not set up"
        return self.model

    @property
    def _train(self) -> TensorDataset:
        assert self.train_data is not None, "the run is not set up"
        return self.train_data

    @property
    def _test(self) -> TensorDataset:
        assert self.test_data is not None, "the run is not set up"
        return self.test_data

    @property
    def _opt(self) -> torch.optim.Optimizer:
        assert self.optimizer is not None, "the run is not set up"
        return self.optimizer

    @property
    def _dev(self) -> torch.device:
        assert self.device is not None, "the run is not set up"
        return self.device

    # -- snapshots and stops (training thread) ----------------------------------------------------
    def _snapshot(self) -> ModelSource | None:
        if self.model is None or self.model_factory is None or not self._started:
            return None
        return snapshot_source(self.model_factory, self.model, self.input_contract())

    def _serve_snapshots(self, final: bool = False) -> None:
        self._snapshots.serve(self._snapshot, final)

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise StopRequested

    def _setup(self) -> None:
        """Data, model, optimiser, probe, checkpoint (see :func:`.setup.set_up`)."""
        set_up(self)

    # -- checkpoints ----------------------------------------------------------------------------
    @property
    def can_save(self) -> bool:
        """Set up far enough to be saved: a model and its optimiser (a run stopped early in
        its set-up has a model but nothing to continue from)."""
        return self.model is not None and self.optimizer is not None

    def request_checkpoint(self, callback: Callable[[dict], None]) -> None:
        """Call ``callback(payload)`` once with what a checkpoint holds, copied (tensors,
        optimiser, history) in the training thread at the next batch boundary or while
        paused, as a snapshot is: never half-way through an update, and never read from
        another thread while the run may go on. Without an active run, at once, here. The
        payload is None when it could not be copied."""
        take = lambda: self.checkpoint_payload(True)  # noqa: E731
        if not self._snapshots.add(callback, take):
            callback(take_or_none(take))

    def checkpoint_payload(self, copy: bool = False) -> dict:
        """What a checkpoint holds. ``copy``: tensors and history copied, so that another
        thread may write it while the run goes on (otherwise CPU tensors are shared)."""
        state = {k: v.detach().cpu() for k, v in self._net.state_dict().items()}
        optimizer, history = self._opt.state_dict(), self.history
        if copy:
            state = {k: v.clone() for k, v in state.items()}
            optimizer, history = copying.deepcopy(optimizer), copying.deepcopy(history)
        return {
            "model": self.config.model,
            "config": self.config.to_dict(),
            "model_state": state,
            "optimizer_state": optimizer,
            "history": history,
            "epoch": self.epoch,
            "step": self.step,
            "input_shape": list(self._train.shape),
            "class_names": list(self._train.class_names),
            "normalisation": [self._train.mean, self._train.std],
        }

    def save(self, path) -> None:
        """Write a checkpoint atomically (weights, optimiser, history, config, model name)."""
        save_checkpoint(path, self.checkpoint_payload())

    def _restore(self, data: dict) -> None:
        try:
            self._net.load_state_dict(data["model_state"])
            if "optimizer_state" in data:  # weights trained elsewhere start a new run
                self._opt.load_state_dict(data["optimizer_state"])
        except (RuntimeError, KeyError, ValueError) as exc:
            raise ValueError(
                f"the checkpoint does not fit this model: {str(exc).splitlines()[0][:200]}"
            ) from None
        self.history = data.get("history", self.history)
        self.epoch, self.step = int(data.get("epoch", 0)), int(data.get("step", 0))

    @classmethod
    def resume_from(cls, path, config: TrainConfig | None = None, **kwargs) -> Engine:
        """An engine that continues the run saved in ``path`` (its curves included)."""
        data = load_checkpoint(path, expect_model=config.model if config else None)
        config = config or TrainConfig.from_dict(data["config"])
        return cls(config, checkpoint=data, **kwargs)

    # -- the run --------------------------------------------------------------------------------
    def run(self) -> dict:
        """Train until the last epoch or a stop; returns the history."""
        # tiny gradients must not slow the CPU down: denormals flushed in this thread only
        with denormals_flushed():
            return self._run()

    def _run(self) -> dict:
        use_cpu_threads()
        self._snapshots.begin()
        try:
            try:
                self._setup()
                self._started = True
                self.bus.fire(ev.STARTED, self._started_payload())
                EpochLoop(self).run()
            except StopRequested:
                pass  # reported as a stop below
            if self._stop.is_set():
                self.stopped = True
                self.bus.fire(ev.STOPPED, {"epoch": self.epoch, "step": self.step})
            else:
                self.bus.fire(ev.FINISHED, {"history": self.history})
        except DatasetError as exc:
            self._fail(f"Cannot train on this dataset: {exc}")
        except torch.cuda.OutOfMemoryError:
            self._fail(
                f"The GPU ran out of memory with batch size {self.config.batch_size}. "
                "Try a smaller batch size (or a smaller model)."
            )
        except Exception as exc:  # reported to the user, never raised into a GUI thread
            self._fail(f"Training failed: {self._explain(exc)}")
        finally:
            self._stop_hooks.remove()
            self._serve_snapshots(final=True)
        return self.history

    def _explain(self, exc: Exception) -> str:
        """The layer that does not fit and the fix when the model fails on its input, else
        ``TypeName: text``."""
        if self.model is None or self.train_data is None:
            return f"{type(exc).__name__}: {exc}"
        with torch.inference_mode(False):
            return explain_forward_failure(self.model, self.train_data.shape, exc)

    def _fail(self, message: str) -> None:
        self.failure = message
        self.bus.fire(ev.FAILED, {"message": message})

    def _started_payload(self) -> dict:
        return {
            "model": self.config.model,
            "device": self._dev.type,
            "device_name": device_name(self._dev),
            "train_size": len(self._train),
            "test_size": len(self._test),
            "epoch": self.epoch,
            "params": sum(p.numel() for p in self._net.parameters()),
            "layers": self.probe.layer_names if self.probe is not None else [],
            "history": self.history,
            "dataset": self._train.name,
            "input_shape": list(self._train.shape),
            "class_names": list(self._train.class_names),
            "dataset_note": self.dataset_note,
        }

    def _wait_while_paused(self) -> None:
        if self._running.is_set():
            return
        while not self._running.wait(0.05):
            self._serve_snapshots()
        if not self._stop.is_set():
            self.bus.fire(ev.RESUMED, {})

    def _between_test_batches(self) -> None:
        if self._snapshots.active:
            self._serve_snapshots()
            self._check_stop()

    def evaluate(self) -> dict:
        """Test loss (mean cross-entropy), correct count, accuracy and confusion matrix.

        Inside a run, a stop between (or during) test batches raises :class:`StopRequested`;
        snapshot requests are served between test batches."""
        layout = self.steps.layout if self.steps is not None else (lambda x: x)
        return evaluate(
            self._net, self._test, self.config.test_batch_size, layout, self._between_test_batches
        )
