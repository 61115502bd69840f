"""The library pages tell the truth: every example on docs/library/*.md runs as a doctest and
prints what the page says."""

import doctest
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[2] / "docs" / "library"
PAGES = sorted(p for p in LIBRARY.glob("*.md") if ">>> " in p.read_text(encoding="utf-8"))


def test_the_library_pages_have_examples():
    # ops (both halves), explain and attribution: the README's examples before the docs site;
    # a page added later with an example joins the parametrised test below by itself
    names = {page.stem for page in PAGES}
    assert {"ops", "explain", "attribution"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_the_examples_of_a_library_page_run(page):
    result = doctest.testfile(
        str(page), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.attempted >= 1 and result.failed == 0, result
