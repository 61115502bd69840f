"""The preload's native-library loads: the Python lock released, behaviour unchanged."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

from cnnviz.gui.workers.unlocked_loading import (
    _for_absolute_paths,
    _patch_lock,
    make_unlocked_dlopen,
    unlocked_loading,
)

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's dlopen")


def run(code: str) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out


@linux_only
def test_a_library_loads_with_the_python_lock_released(tmp_path):
    """A load that waits (on a pipe that nobody writes yet) lets the main thread run Python:
    it is the main thread that writes the pipe. With the lock held, the process would hang
    and the call time out."""
    code = (
        "import os, threading\n"
        "from cnnviz.gui.workers.unlocked_loading import make_unlocked_dlopen\n"
        f"fifo = {str(tmp_path / 'library.so')!r}\n"
        "os.mkfifo(fifo)\n"
        "dlopen, errors = make_unlocked_dlopen(), []\n"
        "def load():\n"
        "    try:\n"
        "        dlopen(fifo)\n"
        "    except OSError as exc:\n"
        "        errors.append(str(exc))\n"
        "loader = threading.Thread(target=load); loader.start()\n"
        "with open(fifo, 'wb') as pipe:\n"  # opens once the loader's dlopen reads the pipe
        "    pipe.write(b'not a shared library' * 10)\n"
        "loader.join()\n"
        "print(errors)\n"
    )
    errors = eval(run(code).stdout)  # noqa: S307 - our own child's printed list
    assert len(errors) == 1 and "library.so" in errors[0]


@linux_only
def test_ctypes_loads_as_python_does_while_unlocked():
    """Inside ``unlocked_loading`` a ctypes library loads and calls as usual, a missing one
    raises Python's own error, and afterwards ctypes and the finders are as they were."""
    libm = ctypes.util.find_library("m")
    assert libm
    # a main window's preload, still importing after an earlier test, holds the patch; this
    # use would then get None (as a second window's preload does): wait for it to be done
    assert _patch_lock.acquire(timeout=120)
    _patch_lock.release()
    saved_dlopen, finders = ctypes._dlopen, list(sys.meta_path)
    with pytest.raises(OSError) as python_error:
        ctypes.CDLL("libcnnviz-no-such-library.so")
    with unlocked_loading() as finder:
        assert finder is not None and ctypes._dlopen is not saved_dlopen
        math = ctypes.CDLL(libm)
        math.cos.restype, math.cos.argtypes = ctypes.c_double, [ctypes.c_double]
        assert math.cos(0.0) == 1.0
        with pytest.raises(OSError) as our_error:
            ctypes.CDLL("libcnnviz-no-such-library.so")
        assert str(our_error.value) == str(python_error.value)
        # the same library, the same handle as Python's own loader gives
        assert math._handle == saved_dlopen(libm, ctypes.DEFAULT_MODE)
    assert ctypes._dlopen is saved_dlopen and sys.meta_path == finders
    assert make_unlocked_dlopen()(None)  # the program itself, as dlopen(NULL)


def test_only_a_library_named_by_an_absolute_path_loads_unlocked():
    """A bare name is left to Python's own loader: dlopen searches the calling library's
    run path for it, and the caller (libffi) differs from Python's (_ctypes)."""
    calls = []
    route = _for_absolute_paths(
        lambda name, *mode: calls.append(("unlocked", name)) or 1,
        lambda name, *mode: calls.append(("python", name)) or 2,
    )
    assert route("/opt/lib/libx.so", 0) == 1
    assert route(b"/opt/lib/liby.so", 0) == 1
    assert route("libx.so", 0) == 2
    assert route(None, 0) == 2
    assert [who for who, _ in calls] == ["unlocked", "unlocked", "python", "python"]


@linux_only
def test_torch_finds_its_extension_loaded_and_works():
    """PyTorch imported inside ``unlocked_loading``: its extension's file was loaded before
    the import (unlocked), the import used that same file, and torch computes as usual."""
    code = (
        "from cnnviz.gui.workers.unlocked_loading import unlocked_loading\n"
        "with unlocked_loading() as finder:\n"
        "    import torch\n"
        "import os\n"
        "print(finder.loaded == [os.path.basename(torch._C.__file__)])\n"
        "ones = torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)\n"
        "print(torch.nn.functional.conv2d(*ones).sum().item())\n"
        "maps = open('/proc/self/maps').read()\n"
        "print(len({line.split()[-1] for line in maps.splitlines() if 'libtorch_cpu' in line}))\n"
    )
    loaded, total, copies = run(code).stdout.strip().splitlines()
    assert loaded == "True"
    assert float(total) == 16.0  # four 2×2 windows of ones, each summing to 4
    assert copies == "1"  # one libtorch_cpu in the process, not a second copy
