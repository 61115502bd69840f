"""Datasets as in-memory tensors: the bundled MNIST first; others slot in behind the same shape.

The names below load on first use, so that importing :mod:`cnnviz.core.data.catalog` (the
torch-free list of datasets) does not import torch through this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .catalog import MNIST_MEAN, MNIST_STD

if TYPE_CHECKING:
    from .folders import FolderReport, load_image_folder
    from .mnist import TensorDataset, load_mnist, read_idx

_LAZY = {"FolderReport": "folders", "load_image_folder": "folders", "TensorDataset": "mnist",
         "load_mnist": "mnist", "read_idx": "mnist"}

__all__ = ["FolderReport", "MNIST_MEAN", "MNIST_STD", "TensorDataset", "load_image_folder",
           "load_mnist", "read_idx"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
