"""Denormal floats flushed to zero while a thread computes gradients.

Tiny gradients (denormals) can slow the CPU down a hundredfold. The training engine, the
attribution maps and the gradients of one training step flush them in their own thread for
the duration, through :func:`denormals_flushed`. The setting belongs to the calling thread
(the CPU's flags are per thread), and torch has no call that reads it, so this module counts
how deeply the thread is inside :func:`denormals_flushed` and gives the thread back its
default (off) only when the outermost use ends: a nested use never undoes its caller's.
This assumes the thread had the default before; nothing else in cnnviz sets the flag.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_depth = threading.local()


@contextmanager
def denormals_flushed() -> Iterator[None]:
    """Denormals flushed to zero in this thread until the outermost use ends."""
    depth = getattr(_depth, "value", 0)
    if depth == 0:
        torch.set_flush_denormal(True)
    _depth.value = depth + 1
    try:
        yield
    finally:
        _depth.value = depth
        if depth == 0:
            torch.set_flush_denormal(False)
