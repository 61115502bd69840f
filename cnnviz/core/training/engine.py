"""The training engine: owns the loop, fires events, honours pause / resume / stop.

Data stay resident on the training device as uint8; a batch is an index into a shuffled
permutation, normalised on the device. The host reads the loss only every ``log_every``
batches (one sync for all of them).

Stop is honoured everywhere in a run: between the stages of the set-up (the dataset read
included), between batches, while paused, between test batches, and inside a batch too: a hook
on every layer (forward) and on every weight (backward) gives up a batch cut short by a stop.
A batch given up that way leaves the weights as the last whole batch left them.
"""

from __future__ import annotations

import copy
import importlib
import math
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.core.compute_threads import DEFAULT as COMPUTE_THREADS
from cnnviz.core.compute_threads import for_training
from cnnviz.core.data.loading import DatasetError, LoadCancelled, open_dataset
from cnnviz.core.data.mnist import TensorDataset
from cnnviz.core.inspect.failure import explain_forward_failure
from cnnviz.core.models import build
from cnnviz.core.models import info as zoo_entry
from cnnviz.core.training.cuda_graph import GraphedSteps

from . import events as ev
from .checkpoint import load_checkpoint, save_checkpoint
from .config import TrainConfig
from .probe import Probe

if TYPE_CHECKING:
    from cnnviz.core.inference import InputContract

SnapshotCallback = Callable[["nn.Module | None"], None]


class StopRequested(Exception):
    """Raised inside the training thread where a stop cuts a stage or a batch short."""


def pick_device(choice: str = "auto") -> torch.device:
    """``auto``: CUDA, then Apple MPS, then CPU; an unavailable choice is an error."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if choice == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (choice == "cuda" and not cuda) or (choice == "mps" and not mps):
        raise ValueError(f"device {choice!r} is not available on this machine")
    return torch.device(choice)


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({COMPUTE_THREADS} threads)"


class Engine:
    """One training run. ``run()`` blocks; call ``pause``/``resume``/``stop``/``set_lr`` from
    any thread. Attach handlers with ``engine.on(event, handler, every=N)``."""

    def __init__(
        self,
        config: TrainConfig,
        model: nn.Module | None = None,
        train: TensorDataset | None = None,
        test: TensorDataset | None = None,
        checkpoint: dict | None = None,
    ):
        self.config = config.validate()
        self.bus = ev.EventBus()
        self.on = self.bus.on
        self._model_override = model
        self._train_data, self._test_data = train, test
        self._checkpoint = checkpoint
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._pending_lr: float | None = None
        self._lock = threading.Lock()  # guards the two below
        self._active = False  # run() is between its start and its end
        self._snapshot_requests: list[SnapshotCallback] = []
        self._stop_hooks: list = []
        self._stop_hook_ids: set[int] = set()
        self._started = False
        self.history: dict = {"steps": [], "losses": [], "epochs": []}
        self.epoch = 0
        self.step = 0
        self.model: nn.Module | None = None
        self.train_data: TensorDataset | None = None
        self.test_data: TensorDataset | None = None
        self.optimizer: torch.optim.Optimizer | None = None
        self.device: torch.device | None = None
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

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def request_snapshot(self, callback: SnapshotCallback) -> None:
        """Call ``callback(model_copy)`` once with a deep copy of the model (on the CPU, in eval
        mode) that is never half-way through an update: made in the training thread at the
        next batch boundary (or while paused, or between test batches). Without an active
        run it is called at once, here; a run that ends first calls it at its end with the
        final model. The copy is None when there is no model (nothing built, a failed set-up).
        """
        with self._lock:
            if self._active:
                self._snapshot_requests.append(callback)
                return
        callback(self._model_copy())

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

    # -- snapshots and stop hooks (training thread) ----------------------------------------------
    def _model_copy(self) -> nn.Module | None:
        if self.model is None or not self._started:
            return None
        # Outside inference mode (evaluation runs in it) so that the copy can be trained on.
        with torch.inference_mode(False), torch.no_grad():
            model = copy.deepcopy(self.model)
        for module in model.modules():  # the stop hooks stay with the engine's model
            for hook_id in self._stop_hook_ids:
                module._forward_pre_hooks.pop(hook_id, None)
        return model.cpu().eval()

    def _serve_snapshots(self, final: bool = False) -> None:
        """Serve the waiting requests; ``final``: the run is ending (no more boundaries),
        later requests are served at once by the caller."""
        if not final and not self._snapshot_requests:  # the common case, without the lock
            return
        with self._lock:
            if final:
                self._active = False
            requests, self._snapshot_requests = self._snapshot_requests, []
        for callback in requests:
            callback(self._model_copy())

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise StopRequested

    def _import_stoppably(self, name: str) -> None:
        """Import ``name`` in a helper thread while this one keeps checking for a stop (an
        import cannot be interrupted; a stopped run leaves it to finish on its own)."""
        if name in sys.modules:
            return
        done = threading.Event()

        def work() -> None:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the real use imports it again and reports
                pass
            finally:
                done.set()

        threading.Thread(target=work, name=f"import {name}", daemon=True).start()
        while not done.wait(0.02):
            self._check_stop()

    def _add_stop_hooks(self, model: nn.Module) -> None:
        """A forward pre-hook on every module and a gradient hook on every weight raise
        :class:`StopRequested` once stop is asked, so a long batch ends within a layer."""
        stop = self._stop

        def before_forward(_module, _args):
            if stop.is_set():
                raise StopRequested

        def on_gradient(_grad):
            if stop.is_set():
                raise StopRequested

        for module in model.modules():
            handle = module.register_forward_pre_hook(before_forward)
            self._stop_hooks.append(handle)
            self._stop_hook_ids.add(handle.id)
        for parameter in model.parameters():
            if parameter.requires_grad:
                self._stop_hooks.append(parameter.register_hook(on_gradient))

    def _remove_stop_hooks(self) -> None:
        for handle in self._stop_hooks:
            handle.remove()
        self._stop_hooks = []

    # -- set-up ---------------------------------------------------------------------------------
    def _setup(self) -> None:
        """Data, model, optimiser, probe, checkpoint; a stop between any two of them (or
        during the dataset read) raises :class:`StopRequested`."""
        cfg, check = self.config, self._check_stop
        torch.manual_seed(cfg.seed)
        self.device = device = pick_device(cfg.device)
        train, test = self._train_data, self._test_data
        self.dataset_note = ""
        check()
        if train is None or test is None:
            try:
                train, test, self.dataset_note = open_dataset(
                    cfg.dataset, cfg.data_dir, cfg.dataset_options, should_stop=self._stop.is_set
                )
            except LoadCancelled:
                raise StopRequested from None
            except (OSError, ValueError) as exc:
                raise DatasetError(str(exc)) from None
        check()
        self.train_data = train_data = train.subset(cfg.limit_train).to(device)
        check()
        self.test_data = test.subset(cfg.limit_test).to(device)
        check()
        c, h, _ = train_data.shape
        self.model = model = self._model_override or build(
            cfg.model,
            in_channels=c,
            num_classes=len(train.class_names),
            input_size=h,
            **cfg.model_options,
        )
        check()
        model.to(device)
        # channels_last speeds up convolutions and pooling on CPU and GPU alike; a user's own
        # model may flatten with .view(), which needs the default layout, so it keeps it.
        self.channels_last = (
            cfg.channels_last
            and self._model_override is None
            and not zoo_entry(cfg.model).source_path
        )
        if self.channels_last:
            model.to(memory_format=torch.channels_last)
        check()
        self._import_stoppably("torch._dynamo")  # the first optimiser imports it: 1–2 s
        self.optimizer = self._make_optimizer()
        self.scheduler = self._make_scheduler()
        self.scaler = torch.amp.GradScaler(device.type, enabled=cfg.amp and device.type == "cuda")
        if (
            cfg.cuda_graphs
            and device.type == "cuda"
            and not self.scaler.is_enabled()
            and cfg.optimizer == "sgd"
            and self._model_override is None
            and not zoo_entry(cfg.model).source_path
        ):
            self.graphed = GraphedSteps(self.optimizer, self._loss, self._train_batch)
        self.generator = torch.Generator(device=device).manual_seed(cfg.seed)
        check()
        self.probe = Probe(model, self.test_data, cfg.probe_index)
        check()
        if self._checkpoint is not None:
            self._restore(self._checkpoint)
            check()
        self._add_stop_hooks(model)

    def _make_optimizer(self):
        cfg, params = self.config, self._net.parameters()
        if cfg.optimizer == "sgd":
            return torch.optim.SGD(
                params,
                lr=cfg.lr,
                momentum=cfg.momentum,
                nesterov=cfg.nesterov,
                weight_decay=cfg.weight_decay,
            )
        cls = torch.optim.Adam if cfg.optimizer == "adam" else torch.optim.AdamW
        return cls(params, lr=cfg.lr, weight_decay=cfg.weight_decay)

    def _make_scheduler(self):
        cfg = self.config
        if cfg.schedule == "step":
            return torch.optim.lr_scheduler.StepLR(
                self._opt, step_size=max(1, cfg.epochs // 3), gamma=0.1
            )
        if cfg.schedule == "cosine":
            return torch.optim.lr_scheduler.CosineAnnealingLR(self._opt, T_max=cfg.epochs)
        return None

    # -- checkpoints ----------------------------------------------------------------------------
    @property
    def can_save(self) -> bool:
        """Set up far enough to be saved: a model and its optimiser (a run stopped early in
        its set-up has a model but nothing to continue from)."""
        return self.model is not None and self.optimizer is not None

    def checkpoint_payload(self, copy: bool = False) -> dict:
        """What a checkpoint holds. ``copy``: tensors and history copied, so that another
        thread may write it while the run goes on (otherwise CPU tensors are shared)."""
        import copy as copying

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

    # -- the loop --------------------------------------------------------------------------------
    def run(self) -> dict:
        """Train until the last epoch or a stop; returns the history."""
        # Tiny gradients must not slow the CPU down: flush denormals while training, in this
        # thread only, and give the thread back as it was (the default, off).
        torch.set_flush_denormal(True)
        for_training()  # every default thread, whatever a helper thread asked for before
        with self._lock:
            self._active = True
        try:
            try:
                self._setup()
                self._started = True
                self.bus.fire(ev.STARTED, self._started_payload())
                self._epochs()
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
            self._remove_stop_hooks()
            torch.set_flush_denormal(False)
            self._serve_snapshots(final=True)
        return self.history

    def _epochs(self) -> None:
        while self.epoch < self.config.epochs:
            if not self._train_epoch(self.epoch + 1):
                return
            self.epoch += 1
            if not self._evaluate_epoch():
                return
            if self.scheduler is not None:
                self.scheduler.step()

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
            "layers": self.probe.layer_names,
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

    def _train_epoch(self, epoch: int) -> bool:
        cfg, data = self.config, self._train
        n, bs = len(data), cfg.batch_size
        batches = math.ceil(n / bs)
        order = torch.randperm(n, generator=self.generator, device=self._dev)
        self._net.train()
        pending: list[torch.Tensor] = []
        last_snapshot = 0.0
        started = time.perf_counter()
        for b in range(batches):
            self._wait_while_paused()
            if self._stop.is_set():
                return False
            self._serve_snapshots()
            if self._pending_lr is not None:
                for group in self._opt.param_groups:
                    group["lr"] = self._pending_lr
                self._pending_lr = None
            idx = order[b * bs : (b + 1) * bs]
            x, y = data.normalise(data.images[idx]), data.labels[idx]
            loss = self._train_batch(x, y) if self.graphed is None else self.graphed.step(x, y)
            self.step += 1
            pending.append(loss.detach())
            if b % cfg.log_every == 0 or b == batches - 1:
                if not self._read_losses(pending, epoch, b, batches, n, started):
                    return False
                pending = []
            now = time.perf_counter()
            if (
                cfg.snapshot_every
                and self.step % cfg.snapshot_every == 0
                and now - last_snapshot >= cfg.snapshot_seconds
            ):
                last_snapshot = now
                self.bus.fire(ev.SNAPSHOT, self.probe.snapshot(self.step, self._net))
        self._epoch_seconds = time.perf_counter() - started
        return True

    def _loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        out = self._net(x)
        loss = F.cross_entropy(out, y)  # equals nll_loss for log-softmax outputs
        aux = getattr(self._net, "aux_output", None)
        if aux is not None:
            loss = loss + 0.4 * F.cross_entropy(aux, y)
        return loss

    def _train_batch(
        self, x: torch.Tensor, y: torch.Tensor, keep_grads: bool = False
    ) -> torch.Tensor:
        """One ordinary step. ``keep_grads``: zero the gradients in place (a CUDA graph's
        step wrote them, and they must stay its own)."""
        with torch.autocast(self._dev.type, enabled=self.scaler.is_enabled()):
            loss = self._loss(x, y)
        self._opt.zero_grad(set_to_none=not keep_grads)
        self.scaler.scale(loss).backward()
        self.scaler.step(self._opt)
        self.scaler.update()
        # detached: the step's autograd graph goes now, not when the next step replaces it
        # (a graph kept alive keeps its gradient accumulators on the stream it ran on, which
        # a CUDA graph's capture on another stream warns of)
        return loss.detach()

    def _read_losses(self, pending, epoch, b, batches, n, started) -> bool:
        """One host read for the losses since the last read; a NaN pauses the run."""
        values = torch.stack(pending).float().cpu().tolist()
        first_step = self.step - len(values) + 1
        steps = list(range(first_step, self.step + 1))
        self.history["steps"].extend(steps)
        self.history["losses"].extend(values)
        elapsed = max(time.perf_counter() - started, 1e-9)
        self.bus.fire(
            ev.LOSSES,
            {
                "epoch": epoch,
                "batch": b,
                "batches": batches,
                "samples": b * self.config.batch_size,
                "seen": min((b + 1) * self.config.batch_size, n),
                "total": n,
                "steps": steps,
                "losses": values,
                "loss": values[-1],
                "lr": self._opt.param_groups[0]["lr"],
                "log": b % self.config.log_every == 0,
                "samples_per_second": min((b + 1) * self.config.batch_size, n) / elapsed,
            },
        )
        if all(math.isfinite(v) for v in values):
            return True
        lr = self._opt.param_groups[0]["lr"]
        self.pause()
        self.bus.fire(
            ev.PAUSED,
            {
                "reason": "nan",
                "message": "The loss became "
                f"{'NaN' if any(v != v for v in values) else 'infinite'} at epoch "
                f"{epoch}, batch {b + 1}: the weights blew up. The learning rate ({lr:g}) is "
                "probably too high — lower it (for example ten times) and start again.",
            },
        )
        self._wait_while_paused()
        return not self._stop.is_set()

    @torch.inference_mode()
    def evaluate(self) -> dict:
        """Test loss (mean cross-entropy), correct count, accuracy and confusion matrix.

        Inside a run, a stop between (or during) test batches raises :class:`StopRequested`;
        snapshot requests are served between test batches."""
        data, model = self._test, self._net
        model.eval()
        k = len(data.class_names)
        total_loss = torch.zeros((), device=self._dev)
        confusion = torch.zeros(k * k, dtype=torch.int64, device=self._dev)
        for start in range(0, len(data), self.config.test_batch_size):
            if self._active:
                self._serve_snapshots()
                self._check_stop()
            images = data.images[start : start + self.config.test_batch_size]
            labels = data.labels[start : start + self.config.test_batch_size]
            x = data.normalise(images)
            if self.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            out = model(x).float()
            total_loss += F.cross_entropy(out, labels, reduction="sum")
            confusion += torch.bincount(labels * k + out.argmax(1), minlength=k * k)
        matrix = confusion.view(k, k).cpu().numpy()
        correct = int(np.trace(matrix))
        total = len(data)
        return {
            "test_loss": float(total_loss) / total,
            "correct": correct,
            "total": total,
            "accuracy": correct / total,
            "confusion": matrix,
        }

    def _evaluate_epoch(self) -> bool:
        """Evaluate and record the epoch; False (nothing recorded) when a stop cut it short."""
        try:
            result = self.evaluate()
        except StopRequested:
            return False
        seconds = getattr(self, "_epoch_seconds", 0.0)
        result.update(
            epoch=self.epoch,
            train_seconds=seconds,
            step=self.step,
            samples_per_second=len(self._train) / seconds if seconds else 0.0,
        )
        self.history["epochs"].append({k: v for k, v in result.items() if k != "confusion"})
        self.bus.fire(ev.EPOCH_DONE, result)
        return True
