"""Convolution page: typing, stepping, clicking, presets and bad input, as a user does."""

import numpy as np
import pytest
from gui_helpers import click_cell, highlighted, texts, type_into
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cnnviz.core.examples import example_presets

CONV_PRESETS = example_presets("conv")

torch = pytest.importorskip("torch")


def test_opens_on_the_lecture_example(conv_page):
    assert conv_page.preset_box.currentText().startswith("Lecture: 3×3 image, 2×2 filter")
    assert texts(conv_page.output_grids[0]) == [["12", "16"], ["24", "28"]]
    assert highlighted(conv_page.input_grids[0], "window") == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert "1×1 + 2×1 + 4×1 + 5×1 + bias 0 = 12" in conv_page.arithmetic.text()
    assert "⌊(3 + 2·0 − 1·(2−1) − 1) / 1⌋ + 1 = 2" in conv_page.formula.text()
    assert "Input" in conv_page.input_grids[0].title.text()
    assert "Output" in conv_page.output_grids[0].title.text()


def test_step_buttons_move_the_window_and_rewrite_the_sum(qtbot, conv_page):
    qtbot.mouseClick(conv_page.step_bar.next, Qt.LeftButton)
    assert highlighted(conv_page.input_grids[0], "window") == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert highlighted(conv_page.output_grids[0], "current") == [(0, 1)]
    assert conv_page.arithmetic.text().endswith("2×1 + 3×1 + 5×1 + 6×1 + bias 0 = 16")
    qtbot.mouseClick(conv_page.step_bar.last, Qt.LeftButton)
    assert conv_page.step_bar.index == 3 and "= 28" in conv_page.arithmetic.text()
    assert not conv_page.step_bar.next.isEnabled()
    qtbot.mouseClick(conv_page.step_bar.prev, Qt.LeftButton)
    assert highlighted(conv_page.output_grids[0], "current") == [(1, 0)]
    qtbot.mouseClick(conv_page.step_bar.first, Qt.LeftButton)
    assert conv_page.step_bar.index == 0


def test_keyboard_steps(qtbot, main_window, conv_page):
    for key, expected in (
        (Qt.Key_Right, 1),
        (Qt.Key_Right, 2),
        (Qt.Key_Left, 1),
        (Qt.Key_End, 3),
        (Qt.Key_Home, 0),
    ):
        qtbot.keyClick(main_window, key)
        assert conv_page.step_bar.index == expected


def test_pending_outputs_are_greyed_until_their_step(conv_page):
    model = conv_page.output_grids[0].model
    from cnnviz.gui.appearance import theme

    assert model.data(model.index(1, 1), Qt.ForegroundRole) == theme.PENDING_TEXT
    conv_page.step_bar.set_index(3)
    assert model.data(model.index(1, 1), Qt.ForegroundRole) == theme.CELL_TEXT


def test_typing_into_a_cell_recomputes(qtbot, conv_page):
    type_into(qtbot, conv_page.input_grids[0], 0, 0, "7")
    assert texts(conv_page.input_grids[0])[0][0] == "7"
    assert texts(conv_page.output_grids[0])[0][0] == "18"
    assert "7×1 + 2×1 + 4×1 + 5×1 + bias 0 = 18" in conv_page.arithmetic.text()
    type_into(qtbot, conv_page.kernel_grids[0], 0, 0, "-1")
    assert texts(conv_page.output_grids[0])[0][0] == "4"


def test_clicking_an_output_cell_jumps_to_its_step(qtbot, conv_page):
    click_cell(qtbot, conv_page.output_grids[0], 1, 1)
    assert conv_page.step_bar.index == 3
    assert highlighted(conv_page.input_grids[0], "window") == [(1, 1), (1, 2), (2, 1), (2, 2)]


def test_hovering_an_input_cell_marks_its_readers(qtbot, conv_page):
    grid = conv_page.input_grids[0]
    qtbot.mouseMove(grid.view.viewport(), grid.view.cell_rect(1, 1).center())
    qtbot.waitUntil(lambda: len(highlighted(conv_page.output_grids[0], "reader")) == 3)
    # the centre cell is read by all four outputs; (0, 0) is the current one
    assert highlighted(conv_page.output_grids[0], "current") == [(0, 0)]
    assert "read by 4 output cells" in conv_page.hint.text()
    qtbot.mouseMove(grid.view.viewport(), grid.view.cell_rect(0, 0).center())
    qtbot.waitUntil(lambda: "read by 1 output cell" in conv_page.hint.text())


def test_same_padding_shows_padded_cells(conv_page):
    conv_page.padding_kind.setCurrentText("same")
    model = conv_page.input_grids[0].model
    assert (model.rowCount(), model.columnCount()) == (4, 4)
    assert model.kind(3, 3) == 1 and model.kind(0, 0) == 0
    assert "Padding (zeros)" in model.data(model.index(3, 0), Qt.ToolTipRole)
    assert texts(conv_page.output_grids[0]) == [
        ["12", "16", "9"],
        ["24", "28", "15"],
        ["15", "17", "9"],
    ]


def test_reflect_padding_cells_hold_the_mirrored_values(conv_page):
    conv_page.padding_kind.setCurrentText("numbers")
    conv_page.padding_spin.set_value((1, 1))
    conv_page.padding_spin.changed.emit((1, 1))
    conv_page.padding_mode.setCurrentText("reflect")
    assert texts(conv_page.input_grids[0])[0] == ["5", "4", "5", "6", "5"]


def test_dilation_marks_the_gaps(conv_page):
    conv_page.load_preset(5)
    marks = conv_page.input_grids[0].model.highlights
    assert marks[(0, 0)] == "window" and marks[(0, 1)] == "gap" and marks[(1, 1)] == "gap"
    assert marks[(2, 2)] == "window"


@pytest.mark.parametrize("index", range(len(CONV_PRESETS)))
def test_every_preset_matches_torch(conv_page, index):
    preset = CONV_PRESETS[index]
    conv_page.load_preset(index)
    x, w = preset.arrays()
    layer = torch.nn.Conv2d(
        x.shape[0],
        1,
        w.shape[1:],
        stride=preset.stride,
        padding=preset.padding,
        dilation=preset.dilation,
        padding_mode=preset.padding_mode,
        dtype=torch.float64,
    )
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w)[None])
        layer.bias.fill_(preset.bias)
        expected = layer(torch.from_numpy(x)[None])[0, 0].numpy()
    np.testing.assert_allclose(conv_page.plan.output, expected)
    assert conv_page.errors() == []
    assert len(conv_page.input_grids) == x.shape[0] == len(conv_page.kernel_grids)


def test_more_channels_add_stacked_grids(conv_page):
    conv_page.channel_spin.setValue(3)
    assert len(conv_page.input_grids) == 3 and len(conv_page.kernel_grids) == 3
    step = conv_page.plan[0]
    assert len(step.products) == 3 * 4
    for ch in range(3):
        assert highlighted(conv_page.input_grids[ch], "window") == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_non_numbers_are_refused_inline_and_the_result_stays(qtbot, conv_page):
    type_into(qtbot, conv_page.input_grids[0], 1, 1, "abc")
    assert any("“abc” is not a number" in e for e in conv_page.errors())
    assert texts(conv_page.input_grids[0])[1][1] == "5"
    assert texts(conv_page.output_grids[0]) == [["12", "16"], ["24", "28"]]
    type_into(qtbot, conv_page.input_grids[0], 1, 1, "")
    assert any("cannot be empty" in e for e in conv_page.errors())


@pytest.mark.parametrize(
    "setup, change, field, message",
    [
        (
            None,
            lambda p: p.kernel_spin.set_value((5, 5)) or p.kernel_spin.changed.emit((5, 5)),
            "kernel",
            "kernel 5 is larger than the padded input (3)",
        ),
        (None, lambda p: p.stride_spin.h.setValue(0), "stride", "stride must be at least 1"),
        (
            lambda p: p.stride_spin.h.setValue(2),
            lambda p: p.padding_kind.setCurrentText("same"),
            "padding",
            "padding 'same' needs stride 1",
        ),
        (
            lambda p: p.padding_mode.setCurrentText("reflect"),
            lambda p: p.padding_spin.h.setValue(3),
            "padding",
            "must be smaller than the input height",
        ),
        (None, lambda p: p.dilation_spin.h.setValue(3), "kernel", "dilated kernel 4"),
    ],
)
def test_bad_parameters_explain_themselves_next_to_the_control(
    conv_page, setup, change, field, message
):
    conv_page.padding_kind.setCurrentText("numbers")
    if setup:
        setup(conv_page)
    assert conv_page.errors() == []
    before = conv_page.plan.output.copy()
    shown = texts(conv_page.output_grids[0])
    change(conv_page)
    assert message in conv_page.fields[field].error_text()
    assert "last valid result stays" in conv_page.fields[field].error_text()
    np.testing.assert_array_equal(conv_page.plan.output, before)
    assert texts(conv_page.output_grids[0]) == shown


def test_an_error_clears_once_fixed(conv_page):
    conv_page.stride_spin.h.setValue(0)
    assert conv_page.errors()
    conv_page.stride_spin.h.setValue(1)
    assert conv_page.errors() == []


def test_paste_from_the_clipboard(qtbot, conv_page):
    QApplication.clipboard().setText("1\t2\t0\n0, 1, 3\n4 4 4\n")
    qtbot.mouseClick(
        next(
            b for b in conv_page.findChildren(type(conv_page.step_bar.play)) if b.text() == "Paste"
        ),
        Qt.LeftButton,
    )
    assert texts(conv_page.input_grids[0]) == [["1", "2", "0"], ["0", "1", "3"], ["4", "4", "4"]]
    assert conv_page.size_spin.value() == (3, 3)


@pytest.mark.parametrize(
    "text, message",
    [
        ("1 2\n3", "rows have different lengths"),
        ("1 x", "“x” is not a number (row 1, column 2)"),
        ("\n".join(" ".join("1" * 65) for _ in range(2)), "the largest is 64×64"),
        ("", "no numbers"),
    ],
)
def test_bad_paste_keeps_everything(conv_page, text, message):
    assert not conv_page.paste_text(text)
    assert any(message in e for e in conv_page.errors())
    assert texts(conv_page.output_grids[0]) == [["12", "16"], ["24", "28"]]


def test_paste_too_small_for_the_kernel_is_refused(conv_page):
    assert not conv_page.paste_text("1")
    assert texts(conv_page.input_grids[0])[0] == ["1", "2", "3"]
    assert conv_page.size_spin.value() == (3, 3)


def test_copy_output(conv_page):
    assert conv_page.copy_output() == "12\t16\n24\t28"
    assert QApplication.clipboard().text() == "12\t16\n24\t28"


def test_size_cap_is_64(conv_page):
    conv_page.size_spin.set_value((80, 80))
    assert conv_page.size_spin.value() == (64, 64)


def test_play_walks_through_and_stops_at_the_end(qtbot, conv_page):
    conv_page.step_bar.speed.setValue(conv_page.step_bar.speed.maximum())
    qtbot.mouseClick(conv_page.step_bar.play, Qt.LeftButton)
    assert conv_page.step_bar.playing and conv_page.step_bar.play.text() == "Pause"
    qtbot.waitUntil(lambda: not conv_page.step_bar.playing, timeout=3000)
    assert conv_page.step_bar.index == 3


def test_randomize_and_clear(conv_page):
    conv_page.clear()
    assert texts(conv_page.output_grids[0]) == [["0", "0"], ["0", "0"]]
    conv_page.randomize()
    assert conv_page.inputs.min() >= 0 and conv_page.inputs.max() <= 9
    np.testing.assert_array_equal(conv_page.plan.input, conv_page.inputs)
