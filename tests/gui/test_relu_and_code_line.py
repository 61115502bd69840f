"""The Convolution page's ReLU step and the PyTorch line on the Convolution and Pooling pages:
the line, run by torch, gives the shapes it claims and the numbers on screen."""

import numpy as np
import pytest
from gui_helpers import highlighted, texts, type_into
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

torch = pytest.importorskip("torch")
nn, F = torch.nn, torch.nn.functional


def test_relu_is_its_own_last_step(qtbot, conv_page):
    # 1×(−9) + 2 + 4 + 5 = 2 stays positive; the other three outputs turn negative
    type_into(qtbot, conv_page.kernel_grids[0], 0, 0, "-9")
    qtbot.mouseClick(conv_page.relu_box, Qt.LeftButton)
    assert conv_page.relu_grid.isVisible()
    assert conv_page.step_bar.count == 5  # four output cells, then ReLU
    assert texts(conv_page.output_grids[0]) == [["2", "-4"], ["-16", "-22"]]
    conv_page.step_bar.set_index(2)
    assert "ReLU" not in conv_page.arithmetic.text()
    qtbot.mouseClick(conv_page.step_bar.last, Qt.LeftButton)
    assert "3 negative values became 0 (-4 → 0, -16 → 0, -22 → 0)" in conv_page.arithmetic.text()
    assert texts(conv_page.relu_grid) == [["2", "0"], ["0", "0"]]
    assert highlighted(conv_page.relu_grid, "current") == [(0, 1), (1, 0), (1, 1)]
    assert highlighted(conv_page.input_grids[0], "window") == []
    assert "nn.ReLU()" in conv_page.code_line.text()
    qtbot.mouseClick(conv_page.relu_box, Qt.LeftButton)
    assert conv_page.step_bar.count == 4 and not conv_page.relu_grid.isVisible()


def run_line(line: str, x: np.ndarray):
    """Evaluate the page's line as a student would paste it, on the page's input."""
    code, shapes = line.split("  # ")
    module = eval(code, {"nn": nn, "F": F, "x": torch.from_numpy(x)[None].float()})  # noqa: S307
    return module, shapes


def test_conv_code_line_builds_the_layer_torch_runs(qtbot, conv_page):
    conv_page.load_preset(1)  # 'same' padding
    line = conv_page.code_line.text()
    assert line.startswith("nn.Conv2d(1, 1, kernel_size=2, stride=1, padding='same')")
    assert line.endswith("# [1, 1, 3, 3] → [1, 1, 3, 3]")
    for index in range(len(conv_page.presets)):
        conv_page.load_preset(index)
        layer, shapes = run_line(conv_page.code_line.text(), conv_page.inputs)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(conv_page.kernels)[None])
            layer.bias.fill_(conv_page.bias_spin.value())
            out = layer(torch.from_numpy(conv_page.inputs)[None].float())
        assert shapes.endswith(str(list(out.shape)))
        np.testing.assert_allclose(out[0, 0].numpy(), conv_page.plan.output, rtol=1e-5, atol=1e-4)
    qtbot.mouseClick(conv_page.code_line.copy_button, Qt.LeftButton)
    assert QApplication.clipboard().text() == conv_page.code_line.text()


def test_pool_code_line_runs_in_torch(pool_page):
    assert pool_page.code_line.text().startswith("F.max_pool2d(x, 2, stride=2)")
    for index in range(len(pool_page.presets)):
        pool_page.load_preset(index)
        out, shapes = run_line(pool_page.code_line.text(), pool_page.inputs)
        assert shapes.endswith(str(list(out.shape)))
        np.testing.assert_allclose(out[0].numpy(), pool_page.plan.output, rtol=1e-5, atol=1e-5)


def test_leaving_the_relu_step_for_the_last_cell_repaints_within_the_grid(qtbot, qtlog, conv_page):
    """From the ReLU step (nothing greyed) back to the last output cell: the repaint asked
    for stays inside the grid (it once asked Qt for the row after the last)."""
    qtbot.mouseClick(conv_page.relu_box, Qt.LeftButton)
    conv_page.step_bar.last_step()
    qtbot.mouseClick(conv_page.relu_box, Qt.LeftButton)
    assert highlighted(conv_page.output_grids[0], "current") == [(1, 1)]
    assert not [r for r in qtlog.records if "invalid index" in r.message]
