"""Transposed convolution page: both pictures, stepping each, typing, the formula, the
presets and the PyTorch line, checked against torch."""

import numpy as np
import pytest
from gui_helpers import click_cell, highlighted, texts, type_into
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cnnviz.core.examples import example_presets

torch = pytest.importorskip("torch")


@pytest.fixture
def page(main_window):
    from cnnviz.gui.pages.transposed_page import TransposedPage

    return main_window.show_page(TransposedPage)


def torch_output(page):
    layer = eval(page.code_line.text().split("  # ")[0], {"nn": torch.nn})  # noqa: S307
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(page.kernel)[None, None])
        layer.bias.fill_(page.bias_spin.value())
        return layer(torch.from_numpy(page.inputs)[None].float())[0]


def test_opens_on_2x2_to_4x4(page):
    assert texts(page.conv_output_grid) == [
        ["1", "1", "2", "2"],
        ["1", "1", "2", "2"],
        ["3", "3", "4", "4"],
        ["3", "3", "4", "4"],
    ]
    assert "(2−1)·2 − 2·0 + 1·(2−1) + 0 + 1 = 4" in page.formula.text()
    code, shapes = page.code_line.text().split("  # ")
    assert code == "nn.ConvTranspose2d(1, 1, kernel_size=2, stride=2, padding=0)"
    assert shapes == "[1, 1, 2, 2] → [1, 1, 4, 4]"
    assert page.spread_grid.model.rowCount() == 5 and texts(page.spread_grid)[1][1] == "1"


def test_scatter_steps_add_each_input_cell_times_the_kernel(qtbot, page):
    assert page.step_bar.count == 4
    assert highlighted(page.input_grid, "current") == [(0, 0)]
    assert highlighted(page.canvas_grid, "window") == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert texts(page.canvas_grid)[0] == ["1", "1", "0", "0"]  # only the first stamp so far
    qtbot.mouseClick(page.step_bar.next, Qt.LeftButton)
    assert "2 × (1, 1, 1, 1) = (2, 2, 2, 2)" in page.arithmetic.text()
    assert "output rows 1–2, columns 3–4" in page.arithmetic.text()
    assert texts(page.canvas_grid)[0] == ["1", "1", "2", "2"]
    click_cell(qtbot, page.input_grid, 1, 1)
    assert page.step_bar.index == 3 and texts(page.canvas_grid)[3] == ["3", "3", "4", "4"]


def test_the_convolution_view_steps_through_the_output(qtbot, page):
    page.view_box.setCurrentIndex(1)
    assert page.step_bar.count == 16 and page.step_bar.index == 0
    assert highlighted(page.spread_grid, "window") == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert page.arithmetic.text().endswith("0×1 + 0×1 + 0×1 + 1×1 + bias 0 = 1")
    click_cell(qtbot, page.conv_output_grid, 2, 3)
    assert page.step_bar.index == 11 and highlighted(page.conv_output_grid, "current") == [(2, 3)]


def test_checkerboard_overlap(page):
    page.load_preset(1)
    out = page.plan.output[0]
    assert out.shape == (7, 7)
    assert (out[0, 0], out[0, 2], out[2, 2]) == (1, 2, 4)  # one, two and four stamps overlap
    assert "checkerboard" in page.preset_note.text()


@pytest.mark.parametrize("index", range(len(example_presets("tconv"))))
def test_every_preset_matches_torch_in_both_views(page, index):
    page.load_preset(index)
    expected = torch_output(page).numpy()
    np.testing.assert_allclose(page.plan.output, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(page.plan.plan.as_convolution.output, expected, atol=1e-5)
    assert page.errors() == []


def test_typing_and_settings_recompute_and_bad_values_are_refused(qtbot, page):
    type_into(qtbot, page.kernel_grid, 0, 0, "3")
    assert texts(page.conv_output_grid)[0] == ["3", "1", "6", "2"]
    type_into(qtbot, page.input_grid, 0, 0, "2")
    assert texts(page.conv_output_grid)[0][0] == "6"
    page.output_padding_spin.set_value((1, 1))
    page.output_padding_spin.changed.emit((1, 1))
    assert page.plan.output.shape == (1, 5, 5) and "+ 1 + 1 = 5" in page.formula.text()
    page.output_padding_spin.set_value((2, 2))
    page.output_padding_spin.changed.emit((2, 2))
    assert any("output_padding 2 must be smaller than the stride (2)" in e for e in page.errors())
    assert page.fields["output_padding"].error_text()
    assert page.plan.output.shape == (1, 5, 5)  # the last good result stays
    np.testing.assert_allclose(page.plan.output[0], page.plan.plan.as_convolution.output[0])
    qtbot.mouseClick(page.code_line.copy_button, Qt.LeftButton)
    assert QApplication.clipboard().text().startswith("nn.ConvTranspose2d(1, 1, kernel_size=2")
