"""Which device a run trains on, and its name for the user."""

from __future__ import annotations

import torch


def pick_device(choice: str = "auto") -> torch.device:
    """``auto``: CUDA, then Apple MPS, then CPU; an unavailable choice is an error."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if choice == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (choice == "cuda" and not cuda) or (choice == "mps" and not mps):
        raise ValueError(f"device {choice!r} is not available on this machine")
    return torch.device(choice)


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({torch.get_num_threads()} threads)"
