"""cnnviz: a desktop app that teaches convolutional neural networks."""

__version__ = "0.1.0"
