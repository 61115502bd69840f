"""cnnviz: a desktop app that teaches convolutional neural networks."""

__version__ = "0.3.0"
