"""The model zoo: one registry of the lecture's networks, the exercises' and opened files.

``available()`` lists the names; ``build(name, in_channels=1, num_classes=10, input_size=28)``
returns an ``nn.Module`` whose forward gives ``[N, num_classes]`` logits or log-probabilities.
"""

from __future__ import annotations

from .open_check import OpenCheck
from .registry import ZooEntry, available, build, info, register, unregister
from .user_file import ModelFileError, UserModel, load_model_file, register_user_model
from .weights import (
    UnsafeWeightsError,
    WeightsError,
    fit_weights,
    model_with_weights,
    read_weights,
)

__all__ = [
    "ModelFileError",
    "OpenCheck",
    "UnsafeWeightsError",
    "WeightsError",
    "fit_weights",
    "model_with_weights",
    "read_weights",
    "ZooEntry",
    "UserModel",
    "available",
    "build",
    "info",
    "load_model_file",
    "register",
    "register_user_model",
    "unregister",
]
