"""Which device a run trains on, and its name for the user."""

from __future__ import annotations

import torch

# PyTorch's thread count for a CPU run, read when this module is first imported, before the app
# sets any: a thread takes the count set last in the process, and the app's compute thread sets
# 1 for itself (cnnviz/gui/workers/compute_service.py). A run set to it in its own thread trains
# on every core wherever it was started.
CPU_THREADS = torch.get_num_threads()


def use_cpu_threads() -> None:
    """In the thread that trains: PyTorch's default number of threads (see CPU_THREADS)."""
    torch.get_num_threads()  # the thread's first reading, or it would undo this one later
    torch.set_num_threads(CPU_THREADS)


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
