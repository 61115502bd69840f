"""What the main window remembers between runs: its geometry, look, lesson and dataset (and
each built page's own preferences)."""

from __future__ import annotations

import json

from cnnviz.gui.pages import PAGES
from cnnviz.gui.settings import open_settings, read

EAGER = 2  # the lesson remembered is one of the first two, the grid lessons: built as soon
# as the window is on screen, never a page that waits for PyTorch at start-up


def restore_window(window, settings) -> None:
    """Geometry, zoom, presenter mode, theme and the lesson shown, as saved last time."""
    geometry = settings.value("window/geometry")
    if geometry is not None:
        try:
            window.restoreGeometry(geometry)
        except TypeError:
            pass  # a corrupt value: keep the default geometry
    zoom = read(settings, "view/zoom", 1.0, float, 0.5, 2.5)
    presenter = read(settings, "view/presenter", False)
    theme = read(settings, "view/theme", "system", str)
    theme = theme if theme in window.menus.themes else "system"
    if zoom != 1.0 or presenter or theme != "system":
        window.set_look(zoom, presenter, theme)
    window.choose(PAGES[read(settings, "window/page", 0, int, 0, EAGER - 1)])


def save_window(window) -> None:
    """Write what :func:`restore_window` reads, the dataset chosen and the pages' settings."""
    settings = open_settings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/page", min(window.lessons.currentRow(), EAGER - 1))
    settings.setValue("view/zoom", window.zoom)
    settings.setValue("view/presenter", window.presenter)
    settings.setValue("view/theme", window.theme)
    choice = window.datasets.choice
    settings.setValue("data/dataset", choice.name)
    settings.setValue("data/options", json.dumps(choice.options))
    for page in window.built_pages():
        page.save_settings(settings)
    settings.sync()


def saved_dataset(settings) -> tuple[str, dict]:
    """The dataset chosen last time: (name, options)."""
    try:
        options = json.loads(read(settings, "data/options", "{}", str))
    except ValueError:
        options = {}
    return (
        read(settings, "data/dataset", "mnist", str),
        options if isinstance(options, dict) else {},
    )
