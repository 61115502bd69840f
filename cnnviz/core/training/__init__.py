"""The training engine: loop, events, handlers, checkpoints (Qt-free)."""

from . import events
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .engine import Engine, device_name, pick_device

__all__ = ["CheckpointError", "Engine", "TrainConfig", "device_name", "events",
           "load_checkpoint", "pick_device", "save_checkpoint"]
