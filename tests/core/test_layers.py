"""The layers hold: the core runs without Qt, the arithmetic engine without torch."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed")
    out = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 3 kept, 0 broken" in out.stdout


def test_core_imports_with_qt_and_torch_unavailable():
    """The arithmetic, the presets, the dataset catalogue and the training config."""
    code = (
        "import sys\n"
        "for name in ('PySide6', 'pyqtgraph', 'torch', 'torchvision'):\n"
        "    sys.modules[name] = None  # any import of them now fails\n"
        # the Data menu and About read the catalogue in the GUI thread: no torch, no numpy
        "from cnnviz.core.data import catalog\n"
        "assert catalog.info('cifar10').title == 'CIFAR-10' and 'numpy' not in sys.modules\n"
        "from cnnviz.core.training.config import OPTIMIZERS, TrainConfig\n"
        "TrainConfig().validate()\n"
        "import cnnviz.ops, cnnviz.core.lesson_presets, cnnviz.core.grid_text\n"
        "from cnnviz.ops import conv2d, pool2d, conv2d_steps, pool2d_steps, output_size\n"
        "print(conv2d([[1, 2], [3, 4]], [[1, 1], [1, 1]]).tolist())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[[10.0]]"
