"""The bundled MNIST, read once from its IDX files into uint8 tensors."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from .catalog import DIGITS as CLASS_NAMES
from .catalog import MNIST_MEAN, MNIST_STD

__all__ = [
    "CLASS_NAMES",
    "MNIST_MEAN",
    "MNIST_STD",
    "LoadCancelled",
    "TensorDataset",
    "bundled_folder",
    "load_mnist",
    "read_idx",
    "remembered",
]
_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


@dataclass
class TensorDataset:
    """A whole split in memory: ``images`` uint8 ``[N, C, H, W]``, ``labels`` int64 ``[N]``.

    Normalisation happens on the training device (``mean``/``std`` per the dataset), so the
    same uint8 tensor serves every run. Other datasets and image folders return this shape.
    """

    name: str
    images: torch.Tensor
    labels: torch.Tensor
    mean: float
    std: float
    class_names: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def shape(self) -> tuple[int, int, int]:
        c, h, w = self.images.shape[1:]
        return int(c), int(h), int(w)

    def subset(self, limit: int | None) -> TensorDataset:
        if not limit or limit >= len(self):
            return self
        return TensorDataset(
            self.name,
            self.images[:limit],
            self.labels[:limit],
            self.mean,
            self.std,
            self.class_names,
        )

    def to(self, device) -> TensorDataset:
        return TensorDataset(
            self.name,
            self.images.to(device),
            self.labels.to(device),
            self.mean,
            self.std,
            self.class_names,
        )

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 batch → float, scaled and centred as the network expects."""
        return (images.float() / 255.0 - self.mean) / self.std


class LoadCancelled(Exception):
    """A read given up because its ``should_stop()`` said so (a run stopped during set-up)."""


def read_idx(path: Path, should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """An IDX file (gzip or plain) as a numpy array, checking its header.

    Read in 4 MB pieces; ``should_stop()`` is asked after each and ends the read with
    :class:`LoadCancelled` (unpacking the training images takes a few tenths of a second)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    pieces = []
    with opener(path, "rb") as handle:
        while piece := handle.read(1 << 22):
            pieces.append(piece)
            if should_stop is not None and should_stop():
                raise LoadCancelled(f"reading {Path(path).name} was stopped")
    data = b"".join(pieces)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{Path(path).name} is not an unsigned-byte IDX file")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(
            f"{Path(path).name} is truncated: expected {np.prod(shape)} values, found {body.size}"
        )
    return body.reshape(shape)


def bundled_folder() -> Path:
    return Path(str(resources.files("cnnviz.resources") / "mnist"))


_REMEMBERED: dict[tuple, TensorDataset] = {}
_REMEMBERED_LOCK = threading.Lock()
_REMEMBER_AT_MOST = 6


def remembered(key: tuple, read: Callable[[], TensorDataset]) -> TensorDataset:
    """``read()`` once per process for ``key`` (the last few kept); a read that raises, a
    stopped one included, is not remembered."""
    with _REMEMBERED_LOCK:
        if key in _REMEMBERED:
            return _REMEMBERED[key]
    data = read()
    with _REMEMBERED_LOCK:
        _REMEMBERED[key] = data
        while len(_REMEMBERED) > _REMEMBER_AT_MOST:
            del _REMEMBERED[next(iter(_REMEMBERED))]
    return data


def load_mnist(
    split: str = "train", folder: str | None = None, should_stop: Callable[[], bool] | None = None
) -> TensorDataset:
    """MNIST ``split`` ("train" or "test") as uint8 tensors, read once per process;
    ``should_stop`` can end a first read early (:class:`LoadCancelled`)."""
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    return remembered(("mnist", split, folder), lambda: _read_mnist(split, folder, should_stop))


def _read_mnist(split: str, folder: str | None, should_stop) -> TensorDataset:
    base = Path(folder) if folder else bundled_folder()
    images_file, labels_file = (base / name for name in _FILES[split])
    images = torch.from_numpy(read_idx(images_file, should_stop).copy()).unsqueeze(1)
    labels = torch.from_numpy(read_idx(labels_file, should_stop).astype(np.int64))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{images_file.name} has {images.shape[0]} images but "
            f"{labels_file.name} has {labels.shape[0]} labels"
        )
    return TensorDataset("MNIST", images, labels, MNIST_MEAN, MNIST_STD, CLASS_NAMES)
