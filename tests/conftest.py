"""Test-wide set-up: Qt runs headless so a plain `pytest` works without a display, and
downloaded datasets go to a throw-away folder (tests never touch the user's data or the
network)."""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
os.environ["CNNVIZ_DATA_DIR"] = tempfile.mkdtemp(prefix="cnnviz-test-data-")
# pytest-xdist runs a worker per core: with PyTorch's default (a thread per core) in each, the
# OpenMP teams outnumber the cores and wait on each other at every operation (an occlusion
# test took 35 s in the suite and 0.2 s alone). Each worker gets its share of the cores.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // _WORKERS)))
sys.path.insert(0, str(Path(__file__).parent))  # shared helpers: fake_data.py

import pytest  # noqa: E402


@pytest.fixture
def server(tmp_path):
    """(folder, base URL) of a file server on 127.0.0.1 serving that folder."""
    from fake_data import serve_folder

    www = tmp_path / "www"
    www.mkdir()
    with serve_folder(www) as base:
        yield www, base
