"""Sphinx configuration of cnnviz's documentation (MyST Markdown pages, furo, autodoc).

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (the test suite runs
the same strict build: tests/docs/test_docs_build.py).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the cnnviz beside these docs, installed or not

from cnnviz import __version__  # noqa: E402

project = "cnnviz"
author = "the cnnviz authors"
copyright = "cnnviz authors"
version = release = __version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "pictures", "make_pictures.py"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# the library reference: what each public module lists in __all__, in source order
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "description"
# a torch type in a signature is not documented here: say its name, link nothing
nitpicky = False

html_theme = "furo"
html_title = f"cnnviz {__version__}"
html_static_path = ["_static"]
html_logo = "../cnnviz/resources/cnnviz.png"
