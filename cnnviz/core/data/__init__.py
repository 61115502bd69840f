"""Datasets as in-memory tensors: the bundled MNIST first; others slot in behind the same shape.

The names below load on first use, so that importing :mod:`cnnviz.core.data.catalog` (the
torch-free list of datasets) does not import torch through this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnnviz.core.lazy import lazy_names

from .catalog import MNIST_MEAN, MNIST_STD

if TYPE_CHECKING:
    from .folders import FolderReport, load_image_folder
    from .mnist import TensorDataset, load_mnist, read_idx

_LAZY = {
    "FolderReport": "folders",
    "load_image_folder": "folders",
    "TensorDataset": "mnist",
    "load_mnist": "mnist",
    "read_idx": "mnist",
}

__all__ = [
    "FolderReport",
    "MNIST_MEAN",
    "MNIST_STD",
    "TensorDataset",
    "load_image_folder",
    "load_mnist",
    "read_idx",
]


__getattr__ = lazy_names(__name__, _LAZY, globals())
