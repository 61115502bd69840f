"""Datasets as in-memory tensors: the bundled MNIST first; others slot in behind the same shape."""

from .folders import FolderReport, load_image_folder
from .mnist import MNIST_MEAN, MNIST_STD, TensorDataset, load_mnist, read_idx

__all__ = ["FolderReport", "MNIST_MEAN", "MNIST_STD", "TensorDataset", "load_image_folder",
           "load_mnist", "read_idx"]
