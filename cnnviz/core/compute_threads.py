"""How many CPU threads PyTorch's operations use, per thread of the app.

PyTorch runs a CPU operation on an OpenMP team of the calling thread, and a thread that has run
a large operation keeps its team: its threads wait for the next operation, spinning a little
first. Once there are more such threads than cores, libgomp cuts that spinning short for every
team, and a training run slows down. On 2 cores, a run in its thread trained at 17,800
samples/s, and at 13,300 once a helper thread (alive, as the app's helpers stay) had computed
integrated gradients of one digit.

The helpers (predictions, attribution, adversarial digits, traces) work on one image or a small
batch: they run on their own thread alone and so keep no team. A training run takes the default
number of threads, whatever a helper set before.
"""

from __future__ import annotations

import threading

import torch

DEFAULT = torch.get_num_threads()  # at import: before any helper has asked for one
_here = threading.local()


def for_helper() -> None:
    """In a helper thread: PyTorch's operations run on this thread alone (PyTorch's setting is
    per thread, and is also the one threads started later begin with)."""
    if not getattr(_here, "helper", False):
        _here.helper = True
        torch.set_num_threads(1)


def for_training() -> None:
    """In the thread that trains: the default number of threads."""
    _here.helper = False
    torch.set_num_threads(DEFAULT)
