"""Inference for the Draw page: MNIST-style preprocessing of a drawing, prediction with the
network's activations, and the default model that ships with the app.

A model trained on another dataset (FashionMNIST, CIFAR-10, an image folder) comes with a
:class:`InputContract` — its input shape, class names and normalisation — and :func:`prepare` fits
a drawing to that input."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.core.data import MNIST_MEAN, MNIST_STD
from cnnviz.core.data.catalog import DATASETS, normalisation
from cnnviz.core.data.mnist import CLASS_NAMES as DIGITS
from cnnviz.core.inspect.failure import ForwardError, explain_forward_failure
from cnnviz.core.training.checkpoint import CheckpointError, load_checkpoint
from cnnviz.core.training.probe import feature_layers, inception_blocks, keep_first

INK_THRESHOLD = 0.05  # grey levels below this (of 1.0) count as background
DEFAULT_CHECKPOINT = "simple-mnist.pt"


@dataclass(frozen=True)
class InputContract:
    """What a trained model expects and answers: input ``[C, H, W]``, class names, the
    normalisation of its training data, and the dataset's name."""

    input_shape: tuple[int, int, int] = (1, 28, 28)
    class_names: tuple[str, ...] = DIGITS
    mean: float = MNIST_MEAN
    std: float = MNIST_STD
    dataset: str = "MNIST"

    @property
    def centred_like_mnist(self) -> bool:
        """Digits and Kuzushiji characters were made by MNIST's recipe (20×20 box, centre of
        mass in 28×28); other data fill their frame."""
        return self.dataset in ("MNIST", "KMNIST") and self.input_shape[1:] == (28, 28)

    def describe(self) -> str:
        c, h, w = self.input_shape
        return f"{self.dataset}, {c}×{h}×{w}, {len(self.class_names)} classes"

    def checked_pixels(self, image) -> np.ndarray:
        """``image`` as a float32 ``[C, H, W]`` pixel image in [0, 1] (not normalised);
        ValueError for another shape than :attr:`input_shape` or values outside [0, 1]."""
        arr = np.asarray(image, dtype=np.float32)
        if arr.shape != tuple(self.input_shape):
            raise ValueError(
                f"image must have the shape {list(self.input_shape)} (C, H, W), "
                f"got {list(arr.shape)}"
            )
        if not np.isfinite(arr).all() or arr.min() < 0.0 or arr.max() > 1.0:
            raise ValueError("image values must lie in [0, 1] (the pixel image, not normalised)")
        return arr


MNIST_INFO = InputContract()


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


def _ink(canvas: np.ndarray) -> np.ndarray | None:
    """The canvas as [0, 1] floats cropped to its ink; None for an empty canvas."""
    img = as_unit_float(canvas)
    rows = np.flatnonzero((img > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((img > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    return img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _scaled(crop: np.ndarray, scale: float, height: int, width: int) -> np.ndarray:
    """``crop`` resized by ``scale`` (aspect kept, anti-aliased), at most height×width."""
    h, w = crop.shape
    nh, nw = max(1, min(height, round(h * scale))), max(1, min(width, round(w * scale)))
    return (
        F.interpolate(
            torch.from_numpy(np.ascontiguousarray(crop))[None, None],
            size=(nh, nw),
            mode="bilinear",
            antialias=True,
            align_corners=False,
        )[0, 0]
        .clamp(0, 1)
        .numpy()
    )


def preprocess(canvas: np.ndarray) -> np.ndarray:
    """The 28×28 float32 image the network sees, made the way MNIST was: crop to the ink,
    scale to fit 20×20 keeping the aspect ratio (grey levels kept), centre by the centre of
    mass in a 28×28 field. An empty canvas gives an all-zero image."""
    out = np.zeros((28, 28), dtype=np.float32)
    crop = _ink(canvas)
    if crop is None:
        return out
    small = _scaled(crop, 20.0 / max(crop.shape), 28, 28)
    nh, nw = small.shape
    total = small.sum()
    if total <= 0:
        return out
    ys, xs = np.indices(small.shape)
    com_y, com_x = (ys * small).sum() / total, (xs * small).sum() / total
    top, left = int(round(14 - com_y)), int(round(14 - com_x))
    top, left = min(max(top, 0), 28 - nh), min(max(left, 0), 28 - nw)
    out[top : top + nh, left : left + nw] = small
    return out


def fit_to_frame(canvas: np.ndarray, height: int, width: int, fill: float = 0.9) -> np.ndarray:
    """Crop to the ink and scale it (aspect kept) to ``fill`` of a ``height``×``width`` frame,
    centred: for data whose objects fill their images (clothes, photos, own folders)."""
    out = np.zeros((height, width), dtype=np.float32)
    crop = _ink(canvas)
    if crop is None:
        return out
    h, w = crop.shape
    small = _scaled(crop, fill * min(height / h, width / w), height, width)
    nh, nw = small.shape
    top, left = (height - nh) // 2, (width - nw) // 2
    out[top : top + nh, left : left + nw] = small
    return out


def prepare(canvas: np.ndarray, info: InputContract = MNIST_INFO) -> np.ndarray:
    """The ``[C, H, W]`` float32 image in [0, 1] a model with ``info`` sees for a drawing:
    MNIST's recipe for digits, fitted to the frame otherwise, grey repeated over channels."""
    c, h, w = info.input_shape
    image = preprocess(canvas) if info.centred_like_mnist else fit_to_frame(canvas, h, w)
    return np.repeat(image[None], c, axis=0)


@torch.inference_mode()
def predict(
    model: nn.Module,
    image28: np.ndarray,
    layers: list[str] | None = None,
    info: InputContract = MNIST_INFO,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Class probabilities and per-layer activations (``[C, H, W]`` numpy) for one image
    (``[H, W]`` or ``[C, H, W]`` in [0, 1], normalised here as ``info`` says).

    Runs on the model's device; ``layers`` picks the layers (default: every feature layer).
    A model that fails on the image raises :class:`~cnnviz.core.inspect.ForwardError` with
    the diagnosis (which layer does not fit, and the fix).
    """
    device = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(image28, dtype=np.float32), device=device)
    x = ((x - info.mean) / info.std).reshape(1, *info.input_shape)
    modules = dict(model.named_modules())
    wanted = feature_layers(model) if layers is None else [n for n in layers if n in modules]
    outputs: dict[str, torch.Tensor] = {}
    handles = [modules[n].register_forward_hook(keep_first(outputs, n)) for n in wanted]
    was_training = model.training
    model.eval()
    try:
        logits = model(x).float()
    except Exception as exc:  # say which layer does not fit, and the fix
        raise ForwardError(explain_forward_failure(model, info.input_shape, exc)) from exc
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    probabilities = torch.softmax(logits[0], 0).cpu().numpy()
    activations = {n: outputs[n][0].float().cpu().numpy() for n in wanted if n in outputs}
    return probabilities, activations


def model_from_checkpoint(data: dict) -> nn.Module:
    """Rebuild a model from checkpoint data; a checkpoint that does not fit says why."""
    from cnnviz.core.models import available, build

    name = data.get("model")
    if name not in available():
        raise CheckpointError(f"its model {name!r} is not available here")
    meta = info_from_checkpoint(data)
    c, h, w = meta.input_shape
    if h != w:
        raise CheckpointError(
            f"it was trained on {c}×{h}×{w} inputs; the zoo's models take square images"
        )
    options = (data.get("config") or {}).get("model_options", {})
    model = build(name, in_channels=c, num_classes=len(meta.class_names), input_size=h, **options)
    try:
        model.load_state_dict(data["model_state"])
    except (RuntimeError, KeyError) as exc:
        raise CheckpointError(
            f"its weights do not fit {name!r}: {str(exc).splitlines()[0][:160]}"
        ) from None
    return model.eval()


def info_from_checkpoint(data: dict) -> InputContract:
    """Input shape, class names, normalisation and dataset recorded in a checkpoint (older
    checkpoints without them were MNIST runs)."""
    shape = tuple(int(v) for v in (data.get("input_shape") or (1, 28, 28)))
    if len(shape) != 3 or min(shape) < 1:
        raise CheckpointError(f"its input shape {list(shape)} is not channels × height × width")
    classes = tuple(str(c) for c in (data.get("class_names") or DIGITS))
    dataset = (data.get("config") or {}).get("dataset") or "mnist"
    if dataset in DATASETS:
        title = DATASETS[dataset].title
    else:
        title = Path(dataset.split(":", 1)[-1]).name or dataset
    mean, std = data.get("normalisation") or normalisation(dataset)
    return InputContract(shape, classes, float(mean), float(std), title)


def load_classifier(path) -> tuple[nn.Module, InputContract]:
    """A trained model from a checkpoint file and what it expects (any dataset)."""
    data = load_checkpoint(path)
    return model_from_checkpoint(data), info_from_checkpoint(data)


def load_model(path) -> nn.Module:
    """A trained model from a checkpoint file (any model of the zoo, any dataset)."""
    return model_from_checkpoint(load_checkpoint(path))


def default_checkpoint_path() -> Path:
    return Path(str(resources.files("cnnviz.resources") / "checkpoints" / DEFAULT_CHECKPOINT))


_default: dict = {}  # the shipped checkpoint's contents, read once
_default_lock = threading.Lock()


def default_checkpoint() -> dict:
    """The shipped checkpoint's contents, read once per process (40–50 ms; the app's preload
    thread reads it at start-up, so that a page never reads it in the GUI thread). A model
    built from them copies its weights: the contents stay as they were read."""
    with _default_lock:
        if "data" not in _default:
            _default["data"] = load_checkpoint(default_checkpoint_path())
        return _default["data"]


def load_default_model() -> nn.Module:
    """The shipped ``simple`` model trained on the bundled MNIST (98.65% on its test set; see
    docs/lessons/draw.md)."""
    return model_from_checkpoint(default_checkpoint())


__all__ = [
    "MNIST_INFO",
    "InputContract",
    "fit_to_frame",
    "has_ink",
    "inception_blocks",
    "info_from_checkpoint",
    "load_classifier",
    "load_default_model",
    "load_model",
    "model_from_checkpoint",
    "predict",
    "prepare",
    "preprocess",
]
