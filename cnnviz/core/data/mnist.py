"""The bundled MNIST, read once from its IDX files into uint8 tensors."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import torch

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
CLASS_NAMES = tuple(str(d) for d in range(10))
_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
          "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


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
        return tuple(self.images.shape[1:])

    def subset(self, limit: int | None) -> "TensorDataset":
        if not limit or limit >= len(self):
            return self
        return TensorDataset(self.name, self.images[:limit], self.labels[:limit], self.mean,
                             self.std, self.class_names)

    def to(self, device) -> "TensorDataset":
        return TensorDataset(self.name, self.images.to(device), self.labels.to(device),
                             self.mean, self.std, self.class_names)

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 batch → float, scaled and centred as the network expects."""
        return (images.float() / 255.0 - self.mean) / self.std


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip or plain) as a numpy array, checking its header."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{Path(path).name} is not an unsigned-byte IDX file")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{Path(path).name} is truncated: expected {np.prod(shape)} values, "
                         f"found {body.size}")
    return body.reshape(shape)


def bundled_folder() -> Path:
    return Path(str(resources.files("cnnviz.resources") / "mnist"))


@lru_cache(maxsize=4)
def load_mnist(split: str = "train", folder: str | None = None) -> TensorDataset:
    """MNIST ``split`` ("train" or "test") as uint8 tensors, read once per process."""
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    base = Path(folder) if folder else bundled_folder()
    images_file, labels_file = (base / name for name in _FILES[split])
    images = torch.from_numpy(read_idx(images_file).copy()).unsqueeze(1)
    labels = torch.from_numpy(read_idx(labels_file).astype(np.int64))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{images_file.name} has {images.shape[0]} images but "
                         f"{labels_file.name} has {labels.shape[0]} labels")
    return TensorDataset("MNIST", images, labels, MNIST_MEAN, MNIST_STD, CLASS_NAMES)
