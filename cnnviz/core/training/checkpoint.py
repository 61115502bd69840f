"""Checkpoints: weights, optimiser, history, config and model name, written atomically."""

from __future__ import annotations

from pathlib import Path

import torch

from cnnviz.core.files import atomic_path

FORMAT = "cnnviz-checkpoint-1"


class CheckpointError(ValueError):
    """A checkpoint that cannot be used here, with the reason."""


def save_checkpoint(path, payload: dict) -> Path:
    """Write to a temporary file beside ``path``, then replace: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save({"format": FORMAT, **payload}, tmp)
    return path


def load_checkpoint(path, expect_model: str | None = None) -> dict:
    """Read a checkpoint; a missing, corrupted or foreign file, or one of another model,
    raises :class:`CheckpointError` saying which."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path.name}: no such file")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(
            f"{path.name} is not a readable checkpoint (corrupted or not a "
            f"cnnviz file): {str(exc).splitlines()[0][:160]}"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path.name} is not a cnnviz checkpoint")
    if expect_model is not None and data.get("model") != expect_model:
        raise CheckpointError(
            f"{path.name} holds a {data.get('model')!r} model, not "
            f"{expect_model!r}; choose {data.get('model')!r} to load it"
        )
    return data
