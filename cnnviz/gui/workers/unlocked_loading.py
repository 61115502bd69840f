"""Load PyTorch's native libraries without holding the Python lock.

Python holds its lock (the GIL) while it loads a shared library, both for an extension module
(``torch._C``: about 230 ms on the project's machine, its dependencies libtorch_cpu and
libtorch_cuda are close to a gigabyte) and for ``ctypes.CDLL`` (torch loads its CUDA
libraries so: about 60 ms). While the preload thread imports torch, the GUI thread cannot run
any Python meanwhile: those were the window's longest stalls of the start-up.

:func:`unlocked_loading` is a context manager for the preload thread's imports:

- ``ctypes`` loads go through the C library's ``dlopen`` called as a foreign function, which
  ctypes calls with the lock released. Same flags, same handle, same ``OSError`` as Python's
  own ``_ctypes.dlopen``.
- When ``torch._C`` is about to be imported (torch has loaded its global and CUDA
  dependencies by then, in its own order), ``libtorch.so`` and ``libshm.so`` are loaded so:
  everything the extension needs that is not loaded yet. The extension's own load then finds
  them loaded and only maps itself.

Linux only. Elsewhere, or where the C library has no ``dlopen`` to call, it changes nothing
and the imports load as they always do. A library that fails to load here is left to the
import, which reports it as it would have.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections.abc import Callable, Iterator

# what ``torch._C`` needs beyond the libraries torch loads before importing it (libtorch.so
# pulls libtorch_cpu, libtorch_cuda where there is one, and libc10)
TORCH_C_LIBRARIES = ("libtorch.so", "libshm.so")

_patch_lock = threading.Lock()  # one patch of ctypes at a time


def _c_dlopen() -> tuple[Callable, Callable] | None:
    """The C library's ``dlopen`` and ``dlerror`` as ctypes foreign functions (called with
    the Python lock released), or None where they cannot be had."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        dlopen, dlerror = libc.dlopen, libc.dlerror
    except (OSError, AttributeError):
        return None
    dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    dlopen.restype = ctypes.c_void_p
    dlerror.argtypes = []
    dlerror.restype = ctypes.c_char_p
    return dlopen, dlerror


def make_unlocked_dlopen() -> Callable[..., int] | None:
    """A drop-in for ``_ctypes.dlopen(name, mode)`` that releases the Python lock while the
    library loads; None where the platform has none."""
    functions = _c_dlopen()
    if functions is None:
        return None
    dlopen, dlerror = functions

    def unlocked_dlopen(name, mode: int = ctypes.DEFAULT_MODE) -> int:
        path = None if name is None else os.fsencode(name)
        handle = dlopen(path, mode | os.RTLD_NOW)  # as _ctypes.dlopen: always RTLD_NOW
        if not handle:
            message = dlerror()
            raise OSError(message.decode(errors="replace") if message else f"cannot load {name}")
        return handle

    return unlocked_dlopen


class _BeforeTorchC:
    """A finder first on ``sys.meta_path`` that finds nothing: when ``torch._C`` is looked
    up, it loads that extension's libraries with the lock released, once."""

    def __init__(self, dlopen: Callable[..., int]):
        self.dlopen = dlopen
        self.loaded: list[str] = []

    def find_spec(self, name, path=None, target=None):
        if name == "torch._C" and path and not self.loaded:
            folder = os.path.join(list(path)[0], "lib")
            for library in TORCH_C_LIBRARIES:
                try:
                    self.dlopen(os.path.join(folder, library), os.RTLD_NOW)
                except OSError:  # the extension's own load reports what is wrong
                    break
                self.loaded.append(library)
        return None


@contextlib.contextmanager
def unlocked_loading() -> Iterator[_BeforeTorchC | None]:
    """While it lasts, ``ctypes`` loads and torch's native libraries load with the Python
    lock released (see the module's text). Yields the ``torch._C`` finder (its ``loaded``
    names the libraries it loaded), or None where nothing is changed."""
    dlopen = make_unlocked_dlopen()
    if dlopen is None or not _patch_lock.acquire(blocking=False):
        yield None
        return
    finder = _BeforeTorchC(dlopen)
    saved = ctypes._dlopen  # type: ignore[attr-defined]
    ctypes._dlopen = dlopen  # type: ignore[attr-defined]  # CDLL looks it up on each load
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        ctypes._dlopen = saved  # type: ignore[attr-defined]
        _patch_lock.release()
