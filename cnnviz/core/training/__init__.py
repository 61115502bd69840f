"""The training engine: loop, events, handlers, checkpoints (Qt-free).

The names below load on first use, so that the torch-free parts (the config and its lists,
the events) can be imported without torch (``cnnviz train --help``, the GUI's menus).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnnviz.core.lazy import lazy_names

from . import events
from .config import TrainConfig

if TYPE_CHECKING:
    from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
    from .devices import device_name, pick_device
    from .engine import Engine

_LAZY = {
    "CheckpointError": "checkpoint",
    "load_checkpoint": "checkpoint",
    "save_checkpoint": "checkpoint",
    "Engine": "engine",
    "device_name": "devices",
    "pick_device": "devices",
}

__all__ = [
    "CheckpointError",
    "Engine",
    "TrainConfig",
    "device_name",
    "events",
    "load_checkpoint",
    "pick_device",
    "save_checkpoint",
]


__getattr__ = lazy_names(__name__, _LAZY, globals())
