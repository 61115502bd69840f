"""How many CPU threads PyTorch's operations use, per thread of the app.

PyTorch runs a CPU operation on an OpenMP team of the calling thread, and a thread that has run
a large operation keeps its team: its threads wait for the next operation, spinning a little
first. Once there are more such threads than cores, libgomp cuts that spinning short for every
team, and a training run slows down. On 2 cores, a run in its thread trained at 17,800
samples/s, and at 13,300 once a helper thread (alive, as the app's helpers stay) had computed
integrated gradients of one digit.

The helpers (predictions, attribution, adversarial digits, traces) work on one image or a small
batch: they run on their own thread alone and so keep no team. A training run takes the default
number of threads, whatever a helper set before, and so does a helper's job over a whole test
set, in a thread of its own that ends with it (:func:`on_every_core`).
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
        _set_here(1)


def for_training() -> None:
    """In the thread that trains: the default number of threads."""
    _here.helper = False
    _set_here(DEFAULT)


def _set_here(count: int) -> None:
    # PyTorch gives a thread its count at the thread's first parallel operation, from the
    # process-wide setting: that first reading comes now, or it would undo this one later
    # (after another thread had set the process-wide count to its own)
    torch.get_num_threads()
    torch.set_num_threads(count)


def on_every_core(job, *args):
    """``job(*args)`` in a new thread on the default number of threads; waits for it and
    returns its result (or raises its exception). The thread, and its OpenMP team with it,
    ends with the job: a helper's job over thousands of images runs at full speed (on one
    thread it took 1.8× as long) and leaves no team behind."""
    out: dict = {}

    def body() -> None:
        for_training()
        try:
            out["result"] = job(*args)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            out["error"] = exc

    thread = threading.Thread(target=body, name="cnnviz-every-core", daemon=True)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["result"]
