"""The loss plot's axes read as plain numbers, empty or full."""

import pytest

pytest.importorskip("pyqtgraph")

from cnnviz.gui.widgets.loss_plot import LossPlot  # noqa: E402


def test_an_empty_or_long_run_reads_batch_and_loss_without_a_scale_factor(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 400)
    plot.show()
    qtbot.waitExposed(plot)
    axes = [plot.acc_item.getAxis("bottom"), plot.loss_item.getAxis("left")]
    for axis in axes:  # an empty plot spans 0–1: it read "batch (x0.001)"
        assert "x0.001" not in axis.labelString() and "(x" not in axis.labelString()
    steps = list(range(0, 30000, 10))
    plot.set_run(steps, [0.001] * len(steps), [0.001] * len(steps), [], [], total_steps=30000)
    for axis in axes:
        assert "(x" not in axis.labelString()
    assert "batch" in plot.acc_item.getAxis("bottom").labelString()
