"""The code base stays clean: ruff (lint and format) over the package and the tests, mypy over
the core (function bodies without annotations included). The tools are in the test extras: a
missing one fails these tests (pip install -e '.[test]')."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ruff() -> str:
    exe = shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed (pip install -e '.[test]')")
    return exe


def test_ruff_finds_nothing():
    exe = ruff()
    out = subprocess.run(
        [exe, "check", "cnnviz", "tests"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format_leaves_everything_as_it_is():
    exe = ruff()
    out = subprocess.run(
        [exe, "format", "--check", "cnnviz", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_passes_on_the_core():
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed (pip install -e '.[test]')")
    out = subprocess.run(
        [sys.executable, "-m", "mypy"],  # what pyproject.toml's [tool.mypy] names
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
