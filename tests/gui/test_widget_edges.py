"""Widgets given the edge cases a random run (or a user's own model) can hand them."""

import numpy as np

from cnnviz.gui.widgets.feature_grid import FeatureMapGrid, mosaic
from cnnviz.gui.widgets.probability_bars import ProbabilityBars


def test_probability_bars_without_classes_paint_nothing(qtbot):
    bars = ProbabilityBars()
    qtbot.addWidget(bars)
    bars.set_class_names(())
    with qtbot.capture_exceptions() as exceptions:
        bars.grab()
    assert not exceptions


def test_a_layer_without_channels_shows_an_empty_mosaic(qtbot):
    tiled, cols, rows = mosaic(np.zeros((0, 5, 5), np.float32))
    assert tiled.shape == (1, 1) and np.isnan(tiled).all() and rows == 0
    grid = FeatureMapGrid("empty")
    qtbot.addWidget(grid)
    grid.set_maps(np.zeros((0, 5, 5)))
    grid.set_maps(np.full((3, 4, 4), np.nan), levels=(0.0, 1.0))  # a run whose weights blew up
    grid.grab()
