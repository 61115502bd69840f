"""Load PyTorch's native libraries without holding the Python lock.

Python holds its lock (the GIL) while it loads a shared library, both for an extension module
(``torch._C``: about 230 ms on the project's machine, its dependencies libtorch_cpu and
libtorch_cuda are close to a gigabyte) and for ``ctypes.CDLL`` (torch loads its CUDA
libraries so: about 60 ms). While the preload thread imports torch, the GUI thread cannot run
any Python meanwhile: those were the window's longest stalls of the start-up.

:func:`unlocked_loading` is a context manager for the preload thread's imports:

- ``ctypes`` loads of a library named by an absolute path go through the C library's
  ``dlopen`` called as a foreign function, which ctypes calls with the lock released: same
  flags, same handle, the same ``OSError``. (A bare name is left to Python's own loader:
  ``dlopen`` searches the calling library's run path, and the caller would differ.)
- When ``torch._C`` is about to be imported (torch has loaded its global and CUDA
  dependencies by then, in its own order), its extension file is loaded so, with Python's
  own flags (``sys.getdlopenflags()``): the same file, the same flags and so the same
  libraries, in the same order, with the same symbol bindings as Python's import would give.
  Python's import then finds it loaded and only runs its ``PyInit__C`` (with the lock, as
  always). Loading it runs its libraries' C++ constructors without the lock: none of them
  calls Python (checked with a debugger: no Python allocation, lock or import call from the
  ``dlopen`` to its return).

Linux only. Elsewhere, or where the C library has no ``dlopen`` to call, it changes nothing
and the imports load as they always do. A library that fails to load here is left to the
import, which reports it as it would have.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.machinery
import os
import sys
import threading
from collections.abc import Callable, Iterator

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

    def unlocked_dlopen(name, mode: int = ctypes.DEFAULT_MODE, *, exact: bool = False) -> int:
        """``exact``: ``mode`` as given, as Python's import passes its flags (ctypes always
        adds RTLD_NOW)."""
        path = None if name is None else os.fsencode(name)
        if path is not None and b"\0" in path:
            raise ValueError("embedded null byte")  # as Python's own loader
        handle = dlopen(path, mode if exact else mode | os.RTLD_NOW)
        if not handle:
            message = dlerror()
            raise OSError(message.decode(errors="replace") if message else f"cannot load {name}")
        return handle

    return unlocked_dlopen


def _for_absolute_paths(unlocked: Callable[..., int], python_own: Callable[..., int]):
    """``ctypes._dlopen`` for the patch: a library named by an absolute path loads unlocked,
    any other name by Python's own loader (a bare name's search depends on the caller)."""

    def dlopen(name, *mode):
        if isinstance(name, (str, bytes, os.PathLike)) and os.path.isabs(os.fsdecode(name)):
            return unlocked(name, *mode)
        return python_own(name, *mode)

    return dlopen


class _BeforeTorchC:
    """A finder first on ``sys.meta_path`` that finds nothing: when ``torch._C`` is looked
    up, it loads that extension's file with the lock released, once."""

    def __init__(self, dlopen: Callable[..., int]):
        self.dlopen = dlopen
        self.loaded: list[str] = []

    def find_spec(self, name, path=None, target=None):
        if name == "torch._C" and path and not self.loaded:
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is not None and isinstance(
                spec.loader, importlib.machinery.ExtensionFileLoader
            ):
                try:
                    self.dlopen(spec.origin, sys.getdlopenflags(), exact=True)
                except OSError:  # the import's own load reports what is wrong
                    return None
                self.loaded.append(os.path.basename(spec.origin))
        return None


@contextlib.contextmanager
def unlocked_loading() -> Iterator[_BeforeTorchC | None]:
    """While it lasts, ``ctypes`` loads and torch's native libraries load with the Python
    lock released (see the module's text). Yields the ``torch._C`` finder (its ``loaded``
    names the extension file it loaded), or None where nothing is changed."""
    dlopen = make_unlocked_dlopen()
    if dlopen is None or not _patch_lock.acquire(blocking=False):
        yield None
        return
    finder = _BeforeTorchC(dlopen)
    saved = ctypes._dlopen  # type: ignore[attr-defined]
    patch = _for_absolute_paths(dlopen, saved)
    ctypes._dlopen = patch  # type: ignore[attr-defined]  # CDLL looks it up on each load
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        if ctypes._dlopen is patch:  # type: ignore[attr-defined]  # (not someone else's)
            ctypes._dlopen = saved  # type: ignore[attr-defined]
        _patch_lock.release()
