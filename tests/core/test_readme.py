"""The README tells the truth: one screen, CI runs its test command as written, its links and
picture exist. (Its library examples moved to docs/library/*.md, whose doctests
tests/docs/test_library_pages.py runs.)"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command_as_written():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^    (python -m pip install .+)$", quick_start, re.MULTILINE)
    assert len(commands) == 2, commands  # one starts the app, one runs the tests
    test_command = next(c for c in commands if "pytest" in c)
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_the_readme_is_one_screen_and_its_links_and_picture_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert any(t.endswith(".gif") for t in local), "the README shows an exported animation"
    missing = [t for t in local if not (ROOT / t.split("#")[0]).exists()]
    assert not missing, missing


def test_the_readme_builds_the_docs_as_the_docs_say():
    """The README's docs command is the strict build the docs' own page names."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    about = (ROOT / "docs" / "about.md").read_text(encoding="utf-8")
    build = "python -m sphinx -W --keep-going -b html docs docs/_build/html"
    assert f"    {build}\n" in readme and f"    {build}\n" in about
    assert '    python -m pip install -e ".[docs]"\n' in readme
