"""The documentation site builds strictly (a broken reference, a missing image or a stale
autodoc name fails), and every picture in it is made by one of the project's scripts."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SCREENSHOTS = ROOT / "resources" / "screenshots"
PICTURE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)|```\{(?:image|figure)\}\s+(\S+)")


def make_pictures():
    spec = importlib.util.spec_from_file_location("make_pictures", DOCS / "make_pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_builds_with_no_warning(tmp_path):
    # the test extra brings them: a missing one fails here, as the lint tests do, not skips
    for name in ("sphinx", "furo", "myst_parser"):
        if importlib.util.find_spec(name) is None:
            pytest.fail(f"{name} is not installed (pip install -e '.[test]')")
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "-d",
        str(tmp_path / "doctrees"),
        str(DOCS),
        str(tmp_path / "html"),
    ]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, f"sphinx-build -W failed:\n{out.stderr}{out.stdout[-2000:]}"
    assert (tmp_path / "html" / "index.html").exists()
    for page in (
        "getting-started",
        "teaching/lecture-10",
        "own-model",
        "performance",
        "known-issues",
        "library/reference",
    ):
        assert (tmp_path / "html" / f"{page}.html").exists(), page


def pictures():
    """(page, picture path) of every picture a documentation page shows."""
    for page in sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts:
            continue
        for match in PICTURE.finditer(page.read_text(encoding="utf-8")):
            yield page, (page.parent / (match.group(1) or match.group(2))).resolve()


def test_every_picture_is_made_by_a_script_of_the_project():
    screenshot_script = (ROOT / "cnnviz" / "gui" / "screenshots.py").read_text(encoding="utf-8")
    animations = make_pictures().names()  # exported step-throughs and page animations
    found = list(pictures())
    assert len(found) >= 20
    for page, picture in found:
        where = f"{picture.name} on {page.relative_to(DOCS)}"
        assert picture.exists(), where
        if picture.parent == SCREENSHOTS:
            # python -m cnnviz.gui.screenshots names each file once, as a string
            assert re.search(rf'"{re.escape(picture.stem)}(\.png)?"', screenshot_script), where
        else:
            assert picture.parent == DOCS / "_static" / "animations", where
            assert picture.suffix == ".gif" and picture.stem in animations, where


def test_the_animations_are_there_and_small():
    module = make_pictures()
    for name in module.names():
        gif = module.OUT / f"{name}.gif"
        assert gif.exists(), f"{gif.name}: run python docs/make_pictures.py"
        assert gif.stat().st_size <= module.LIMIT_BYTES, gif.name
    assert module.main(["--check"]) == 0
