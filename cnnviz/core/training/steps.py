"""One training step: forward, loss, backward and the optimiser's step, eager or replayed
from a CUDA graph."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .cuda_graph import GraphedSteps


class Steps:
    """The steps of one run's ``model`` with its ``optimizer`` on ``device``.

    ``channels_last``: inputs are given that layout (as the model's weights were);
    ``amp``: mixed precision where the device has it (CUDA); ``graphs``: replay each step
    from a CUDA graph where that serves (CUDA, SGD, no mixed precision)."""

    def __init__(
        self,
        model: nn.Module,
        optimizer,
        device: torch.device,
        *,
        channels_last: bool,
        amp: bool,
        graphs: bool,
    ):
        self.model, self.optimizer, self.device = model, optimizer, device
        self.channels_last = channels_last
        self.scaler = torch.amp.GradScaler(device.type, enabled=amp and device.type == "cuda")
        use_graphs = graphs and device.type == "cuda" and not self.scaler.is_enabled()
        self.graphed = GraphedSteps(optimizer, self.loss, self.eager) if use_graphs else None

    def layout(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` in the memory layout the model was given."""
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def step(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """One step on ``(x, y)``; its loss, detached."""
        return self.eager(x, y) if self.graphed is None else self.graphed.step(x, y)

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = self.model(self.layout(x))
        loss = F.cross_entropy(out, y)  # equals nll_loss for log-softmax outputs
        aux = getattr(self.model, "aux_output", None)
        if aux is not None:
            loss = loss + 0.4 * F.cross_entropy(aux, y)
        return loss

    def eager(self, x: torch.Tensor, y: torch.Tensor, keep_grads: bool = False) -> torch.Tensor:
        """One ordinary step. ``keep_grads``: zero the gradients in place (a CUDA graph's
        step wrote them, and they must stay its own)."""
        with torch.autocast(self.device.type, enabled=self.scaler.is_enabled()):
            loss = self.loss(x, y)
        self.optimizer.zero_grad(set_to_none=not keep_grads)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        # detached: the step's autograd graph goes now, not when the next step replaces it
        # (a graph kept alive keeps its gradient accumulators on the stream it ran on, which
        # a CUDA graph's capture on another stream warns of)
        return loss.detach()


def make_optimizer(cfg, params) -> torch.optim.Optimizer:
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


def make_scheduler(cfg, optimizer):
    if cfg.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=max(1, cfg.epochs // 3), gamma=0.1
        )
    if cfg.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
    return None
