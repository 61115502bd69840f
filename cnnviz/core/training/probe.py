"""The probe: one fixed test image, and what the network makes of it at a snapshot —
feature maps of chosen layers, Inception branch outputs, first-layer filters, gradient norms."""

from __future__ import annotations

import threading

import numpy as np
import torch
from torch import nn

from cnnviz.core.data import TensorDataset

FEATURE_TYPES = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)


def feature_layers(model: nn.Module) -> list[str]:
    """Layers whose output is a stack of feature maps: convolutions, pooling and blocks."""
    names = []
    for name, module in model.named_modules():
        if name and (isinstance(module, FEATURE_TYPES) or getattr(module, "diagram_kind", None)):
            names.append(name)
    return names


def inception_blocks(model: nn.Module) -> dict[str, list[tuple[str, str]]]:
    """For each Inception block: (branch label with kernel and channels, last module name)."""
    blocks = {}
    for name, module in model.named_modules():
        if getattr(module, "diagram_kind", None) == "inception":
            branches = []
            for label, children in module.diagram_branches():
                last = module.get_submodule(children[-1])
                convs = [m for m in last.modules() if isinstance(m, nn.Conv2d)]
                channels = f", {convs[0].out_channels} ch" if convs else ""
                branches.append((f"{label}{channels}", f"{name}.{children[-1]}"))
            blocks[name] = branches
    return blocks


class Probe:
    """Snapshots of the probe image; ``choose`` (any thread) picks the layers to send."""

    def __init__(self, model: nn.Module, data: TensorDataset, index: int = 0):
        index = min(max(index, 0), len(data) - 1)
        self.image = data.normalise(data.images[index : index + 1])
        self.raw = data.images[index, 0].detach().cpu().numpy()
        self.label = int(data.labels[index])
        self.layer_names = feature_layers(model)
        self.blocks = inception_blocks(model)
        convs = [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]
        self.first_conv = convs[0] if convs else None
        self._lock = threading.Lock()
        self._layers = self.layer_names[:1]
        self._block = next(iter(self.blocks), None)

    def choose(self, layers: list[str] | None = None, block: str | None = None) -> None:
        with self._lock:
            if layers is not None:
                self._layers = [n for n in layers if n in self.layer_names]
            if block is not None:
                self._block = block if block in self.blocks else None

    @torch.inference_mode()
    def snapshot(self, step: int, model: nn.Module) -> dict:
        with self._lock:
            layers, block = list(self._layers), self._block
        wanted = set(layers)
        if block:
            wanted |= {module for _, module in self.blocks[block]}
        outputs: dict[str, torch.Tensor] = {}
        modules = dict(model.named_modules())
        handles = [
            modules[name].register_forward_hook(keep_first(outputs, name))
            for name in wanted
            if name in modules
        ]
        was_training = model.training
        model.eval()
        try:
            logits = model(self.image).float()
        finally:
            for handle in handles:
                handle.remove()
            model.train(was_training)
        as_np = {name: t[0].float().cpu().numpy().astype(np.float32) for name, t in outputs.items()}
        first = (
            modules[self.first_conv].weight.detach().float().cpu().numpy()
            if self.first_conv
            else None
        )
        return {
            "step": step,
            "label": self.label,
            "image": self.raw,
            "probabilities": torch.softmax(logits[0], 0).cpu().numpy(),
            "activations": {name: as_np[name] for name in layers if name in as_np},
            "block": block,
            "branches": [
                (label, as_np[m])
                for label, m in (self.blocks.get(block, []) if block else [])
                if m in as_np
            ],
            "filters": first,
            "grad_norms": grad_norms(model),
        }


def keep_first(outputs: dict, name: str):
    """A forward hook that keeps a layer's first output (a layer used twice, like the
    lecture's ``mp``, shows its first call) and returns None, so the output is unchanged."""

    def hook(_module, _inputs, output):
        if name not in outputs:
            outputs[name] = output.detach()

    return hook


def grad_norms(model: nn.Module) -> dict[str, float]:
    """The gradient's size per layer with weights (the vanishing-gradient picture)."""
    norms = {}
    for name, module in model.named_modules():
        params = [p.grad for p in module.parameters(recurse=False) if p.grad is not None]
        if name and params:
            norms[name] = float(torch.sqrt(sum((g.float() ** 2).sum() for g in params)))
    return norms
