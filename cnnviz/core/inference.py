"""Inference for the Draw page: MNIST-style preprocessing of a drawing, prediction with the
network's activations, and the default model that ships with the app."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.core.data import MNIST_MEAN, MNIST_STD
from cnnviz.core.training.checkpoint import CheckpointError, load_checkpoint
from cnnviz.core.training.probe import feature_layers, inception_blocks, keep_first

INK_THRESHOLD = 0.05  # grey levels below this (of 1.0) count as background
DEFAULT_CHECKPOINT = "simple-mnist.pt"


def as_unit_float(canvas: np.ndarray) -> np.ndarray:
    """A grayscale image as float32 in [0, 1]: uint8 is divided by 255, floats are clipped."""
    arr = np.asarray(canvas)
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):  # RGB(A): average the colours
        arr = arr[..., :3].mean(axis=-1)
    if arr.ndim != 2:
        raise ValueError(f"canvas must be a 2-D grayscale image, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    return np.clip(arr.astype(np.float32), 0.0, 1.0)


def has_ink(canvas: np.ndarray) -> bool:
    return bool((as_unit_float(canvas) > INK_THRESHOLD).any())


def preprocess(canvas: np.ndarray) -> np.ndarray:
    """The 28×28 float32 image the network sees, made the way MNIST was: crop to the ink,
    scale to fit 20×20 keeping the aspect ratio (grey levels kept), centre by the centre of
    mass in a 28×28 field. An empty canvas gives an all-zero image."""
    img = as_unit_float(canvas)
    out = np.zeros((28, 28), dtype=np.float32)
    rows = np.flatnonzero((img > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((img > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return out
    crop = img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = 20.0 / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = F.interpolate(torch.from_numpy(np.ascontiguousarray(crop))[None, None],
                          size=(nh, nw), mode="bilinear", antialias=True,
                          align_corners=False)[0, 0].clamp(0, 1).numpy()
    total = small.sum()
    if total <= 0:
        return out
    ys, xs = np.indices(small.shape)
    com_y, com_x = (ys * small).sum() / total, (xs * small).sum() / total
    top, left = int(round(14 - com_y)), int(round(14 - com_x))
    top, left = min(max(top, 0), 28 - nh), min(max(left, 0), 28 - nw)
    out[top:top + nh, left:left + nw] = small
    return out


@torch.inference_mode()
def predict(model: nn.Module, image28: np.ndarray, layers: list[str] | None = None
            ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Ten class probabilities and per-layer activations (``[C, H, W]`` numpy) for one image.

    Runs on the model's device; ``layers`` picks the layers (default: every feature layer).
    """
    device = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(image28, dtype=np.float32), device=device)
    x = ((x - MNIST_MEAN) / MNIST_STD).reshape(1, 1, 28, 28)
    modules = dict(model.named_modules())
    wanted = feature_layers(model) if layers is None else [n for n in layers if n in modules]
    outputs: dict[str, torch.Tensor] = {}
    handles = [modules[n].register_forward_hook(keep_first(outputs, n)) for n in wanted]
    was_training = model.training
    model.eval()
    try:
        logits = model(x).float()
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    probabilities = torch.softmax(logits[0], 0).cpu().numpy()
    activations = {n: outputs[n][0].float().cpu().numpy() for n in wanted if n in outputs}
    return probabilities, activations


def model_from_checkpoint(data: dict) -> nn.Module:
    """Rebuild a model from checkpoint data; a checkpoint that does not fit says why."""
    from cnnviz.models import available, build

    name = data.get("model")
    if name not in available():
        raise CheckpointError(f"its model {name!r} is not available here")
    shape = data.get("input_shape") or [1, 28, 28]
    if list(shape) != [1, 28, 28]:
        raise CheckpointError(f"it was trained on {'×'.join(map(str, shape))} inputs; "
                              "drawing needs 1×28×28")
    options = (data.get("config") or {}).get("model_options", {})
    model = build(name, in_channels=1, num_classes=len(data.get("class_names") or range(10)),
                  input_size=28, **options)
    try:
        model.load_state_dict(data["model_state"])
    except (RuntimeError, KeyError) as exc:
        raise CheckpointError(f"its weights do not fit {name!r}: "
                              f"{str(exc).splitlines()[0][:160]}") from None
    return model.eval()


def load_model(path) -> nn.Module:
    """A trained model from a checkpoint file (any model of the zoo trained on MNIST)."""
    return model_from_checkpoint(load_checkpoint(path))


def default_checkpoint_path() -> Path:
    return Path(str(resources.files("cnnviz.resources") / "checkpoints" / DEFAULT_CHECKPOINT))


def load_default_model() -> nn.Module:
    """The shipped ``simple`` model trained on the bundled MNIST (see the README)."""
    return load_model(default_checkpoint_path())


__all__ = ["has_ink", "inception_blocks", "load_default_model", "load_model",
           "model_from_checkpoint", "predict", "preprocess"]
