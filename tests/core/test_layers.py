"""The layers hold: the core runs without Qt, the arithmetic engine without torch; inside the
gui, the arrows point down (window, lessons and exports, pages, widgets, workers), and a
page's controller imports no Qt. The
tools are in the test extras: a missing one fails these tests (pip install -e '.[test]')."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


QT = ("PySide6", "pyqtgraph", "shiboken6")


def test_import_contracts_hold():
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed (pip install -e '.[test]')")
    out = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    contracts = (ROOT / "pyproject.toml").read_text().count("[[tool.importlinter.contracts]]")
    assert contracts >= 6 and f"Contracts: {contracts} kept, 0 broken" in out.stdout


def qt_chains(graph, module: str) -> list[tuple[str, ...]]:
    """The shortest import chain from ``module`` to each Qt package it reaches."""
    found = (graph.find_shortest_chain(importer=module, imported=qt) for qt in QT)
    return [chain for chain in found if chain]


def test_page_controllers_import_no_qt():
    """Every ``cnnviz.gui.pages.*_controller`` module (an import-linter module expression
    cannot match part of a name, so the same import graph is asked here)."""
    try:
        import grimp  # import-linter's graph
    except ImportError:
        pytest.fail("import-linter is not installed (pip install -e '.[test]')")
    graph = grimp.build_graph("cnnviz", include_external_packages=True)
    controllers = sorted(
        m
        for m in graph.modules
        if m.startswith("cnnviz.gui.pages.") and m.rsplit(".", 1)[1].endswith("controller")
    )
    # the question finds Qt where it is: a page's own module
    page = "cnnviz.gui.pages.conv_page"
    assert (page, "PySide6") in qt_chains(graph, page)
    assert {m: qt_chains(graph, m) for m in controllers} == {m: [] for m in controllers}


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
