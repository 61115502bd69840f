"""Datasets as in-memory tensors: the bundled MNIST first; others slot in behind the same shape."""

from .mnist import MNIST_MEAN, MNIST_STD, TensorDataset, load_mnist, read_idx

__all__ = ["MNIST_MEAN", "MNIST_STD", "TensorDataset", "load_mnist", "read_idx"]
