"""One version: cnnviz.__version__ is the package's version (pyproject reads it), the newest
release of CHANGELOG.md, and what `cnnviz --version` prints."""

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # the test extra installs tomli there
    import tomli as tomllib

import cnnviz
from cnnviz.cli import main

ROOT = Path(__file__).resolve().parents[2]
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def test_pyproject_takes_the_version_from_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"]
    assert "version" in config["project"]["dynamic"]
    attr = config["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "cnnviz.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", cnnviz.__version__)


def test_setuptools_reads_the_same_version():
    pyprojecttoml = pytest.importorskip("setuptools.config.pyprojecttoml")
    config = pyprojecttoml.read_configuration(ROOT / "pyproject.toml", expand=True)
    assert config["project"]["version"] == cnnviz.__version__


def test_the_changelog_names_this_version_as_its_newest_release():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## .*$", text, re.MULTILINE)
    assert headings[0] == "## [Unreleased]", headings[:2]
    releases = RELEASE.findall(text)
    assert len(releases) == len(headings) - 1, "every other heading is a dated release"
    assert releases[0][0] == cnnviz.__version__
    versions = [tuple(int(n) for n in v.split(".")) for v, _date in releases]
    dates = [date for _v, date in releases]
    assert versions == sorted(versions, reverse=True) and dates == sorted(dates, reverse=True)


def test_cnnviz_version_prints_the_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"cnnviz {cnnviz.__version__}\n"
