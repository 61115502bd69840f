"""Pooling page: the lecture's examples, winners, divisors, ceil_mode and bad input."""

import numpy as np
import pytest
from gui_helpers import click_cell, highlighted, texts, type_into
from PySide6.QtCore import Qt

from cnnviz.core.examples import example_presets

POOL_PRESETS = example_presets("pool")

torch = pytest.importorskip("torch")


def test_lecture_2x2_max_pooling(pool_page):
    assert texts(pool_page.output_grids[0]) == [["6", "8"], ["3", "4"]]
    assert highlighted(pool_page.input_grids[0], "winner") == [(1, 1)]
    assert "max(1, 1, 5, 6) = 6" in pool_page.arithmetic.text()


def test_lecture_3x3_max_pooling_has_one_two(qtbot, pool_page):
    pool_page.load_preset(1)
    expected = [["3"] * 3, ["3"] * 3, ["3", "2", "3"]]
    assert texts(pool_page.output_grids[0]) == expected
    click_cell(qtbot, pool_page.output_grids[0], 2, 1)
    assert pool_page.step_bar.index == 7
    assert highlighted(pool_page.input_grids[0], "winner") == [(2, 2)]
    assert "= 2 (the winner is input row 3, column 3)" in pool_page.arithmetic.text()


def test_lecture_3x3_average_pooling_to_one_decimal(pool_page):
    pool_page.load_preset(2)
    assert texts(pool_page.output_grids[0]) == [
        ["1.7", "1.7", "1.7"],
        ["1.0", "1.2", "1.8"],
        ["1.1", "0.8", "1.3"],
    ]
    model = pool_page.output_grids[0].model
    assert "1.6666666666666667" in model.data(model.index(0, 0), Qt.ToolTipRole)
    assert "/ 9 = 15 / 9 = 1.6667" in pool_page.arithmetic.text()
    assert not pool_page.dilation_spin.isEnabled()


def test_count_include_pad_changes_the_divisor(pool_page):
    pool_page.load_preset(4)
    assert "/ 9 =" in pool_page.arithmetic.text()
    pool_page.include_pad_box.setChecked(False)
    assert "/ 4 =" in pool_page.arithmetic.text()
    assert pool_page.input_grids[0].model.text(0, 0) == "0"  # the padding shows its zero


def test_max_padding_shows_minus_infinity(pool_page):
    pool_page.padding_spin.set_value((1, 1))
    pool_page.padding_spin.changed.emit((1, 1))
    assert pool_page.input_grids[0].model.text(0, 0) == "−∞"
    assert texts(pool_page.output_grids[0]) == [["1", "2", "4"], ["5", "7", "8"], ["1", "3", "4"]]


def test_ceil_mode_keeps_the_last_partial_window(pool_page):
    pool_page.load_preset(3)
    assert pool_page.plan.output.shape == (1, 3, 3)
    assert "⌈" in pool_page.formula.text()
    pool_page.ceil_box.setChecked(False)
    assert pool_page.plan.output.shape == (1, 2, 2)
    assert "⌊" in pool_page.formula.text()


@pytest.mark.parametrize("index", range(len(POOL_PRESETS)))
def test_every_preset_matches_torch(pool_page, index):
    preset = POOL_PRESETS[index]
    pool_page.load_preset(index)
    x = torch.from_numpy(preset.array())[None]
    if preset.kind == "max":
        expected = torch.nn.functional.max_pool2d(
            x, preset.kernel, preset.stride, preset.padding, preset.dilation, preset.ceil_mode
        )
    else:
        expected = torch.nn.functional.avg_pool2d(
            x,
            preset.kernel,
            preset.stride,
            preset.padding,
            preset.ceil_mode,
            preset.count_include_pad,
        )
    np.testing.assert_allclose(pool_page.plan.output, expected[0].numpy())
    assert pool_page.errors() == []


def test_two_channels_are_pooled_one_after_the_other(pool_page):
    pool_page.channel_spin.setValue(2)
    assert len(pool_page.input_grids) == 2 and len(pool_page.output_grids) == 2
    assert pool_page.step_bar.count == 8
    pool_page.step_bar.set_index(5)
    assert highlighted(pool_page.output_grids[1], "current") == [(0, 1)]
    assert highlighted(pool_page.output_grids[0], "current") == []
    assert pool_page.input_grids[0].model.highlights == {}
    assert "channel 2" in pool_page.arithmetic.text()


def test_padding_over_half_the_kernel_is_refused_inline(pool_page):
    pool_page.padding_spin.set_value((2, 2))
    pool_page.padding_spin.changed.emit((2, 2))
    assert "padding 2 must be at most half the kernel" in pool_page.fields["padding"].error_text()
    assert texts(pool_page.output_grids[0]) == [["6", "8"], ["3", "4"]]


def test_bad_cell_text_is_refused(qtbot, pool_page):
    type_into(qtbot, pool_page.input_grids[0], 0, 0, "1,2.3")
    assert any("not a number" in e for e in pool_page.errors())
    type_into(qtbot, pool_page.input_grids[0], 0, 0, "9")
    assert texts(pool_page.output_grids[0])[0][0] == "9"
    assert pool_page.errors() == []


def test_switching_to_average_uses_the_same_windows(pool_page):
    pool_page.kind_box.setCurrentIndex(1)
    np.testing.assert_allclose(pool_page.plan.output[0], [[3.25, 5.25], [2, 2]])
    assert texts(pool_page.output_grids[0]) == [["3.2", "5.2"], ["2.0", "2.0"]]
