"""Backward page: typing ∂L/∂Y, stepping ∂L/∂W, ∂L/∂b, ∂L/∂X with their arithmetic, the SGD
step on the kernel, and pooling's routing — with the numbers of torch.autograd."""

import numpy as np
import pytest
from gui_helpers import click_cell, highlighted, texts, type_into
from PySide6.QtCore import Qt

torch = pytest.importorskip("torch")


@pytest.fixture
def page(main_window):
    from cnnviz.gui.pages.backward_page import BackwardPage

    return main_window.show_page(BackwardPage)


def autograd(x, w, grad_out, stride=1, padding=0):
    xt = torch.tensor(x, dtype=torch.float64)[None, None].requires_grad_()
    wt = torch.tensor(w, dtype=torch.float64)[None, None].requires_grad_()
    bt = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding)
    y.backward(torch.tensor(grad_out, dtype=torch.float64)[None, None])
    return xt.grad[0, 0].numpy(), wt.grad[0, 0].numpy(), bt.grad.numpy()


def test_opens_on_the_lecture_example_with_l_the_sum(page):
    assert page.kind == "conv" and page.sum_box.isChecked()
    assert texts(page.gy_grid) == [["1", "1"], ["1", "1"]]
    assert texts(page.gw_grid) == [["12", "16"], ["24", "28"]]
    assert texts(page.gb_grid) == [["4"]]
    assert texts(page.gx_grid) == [["1", "2", "1"], ["2", "4", "2"], ["1", "2", "1"]]
    assert "L = sum of the output = 80" in page.loss_label.text()
    assert page.step_bar.count == 4 + 1 + 9


def test_steps_walk_dw_then_db_then_dx_with_the_arithmetic(qtbot, page):
    assert "∂L/∂W row 1, column 1" in page.arithmetic.text()
    assert "1×1 + 2×1 + 4×1 + 5×1 = 12" in page.arithmetic.text()
    assert highlighted(page.x_grid, "window") == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert highlighted(page.gw_grid, "current") == [(0, 0)]
    for _ in range(4):
        qtbot.mouseClick(page.step_bar.next, Qt.LeftButton)
    assert "∂L/∂b" in page.arithmetic.text() and "1 + 1 + 1 + 1 = 4" in page.arithmetic.text()
    assert highlighted(page.gb_grid, "current") == [(0, 0)]
    qtbot.mouseClick(page.step_bar.next, Qt.LeftButton)
    text = page.arithmetic.text()
    assert "∂L/∂X row 1, column 1" in text and "flipped" in text
    assert text.endswith("0×1 + 0×1 + 0×1 + 1×1 = 1")
    assert highlighted(page.view_grid, "window") == [(0, 0), (0, 1), (1, 0), (1, 1)]
    click_cell(qtbot, page.gx_grid, 1, 1)  # jumps to that cell's step
    assert page.arithmetic.text().endswith("1×1 + 1×1 + 1×1 + 1×1 = 4")
    click_cell(qtbot, page.gw_grid, 1, 0)
    assert page.step_bar.index == 2 and "= 24" in page.arithmetic.text()


def test_typing_dl_dy_leaves_l_sum_and_matches_autograd(qtbot, page):
    type_into(qtbot, page.gy_grid, 0, 1, "-2")
    assert not page.sum_box.isChecked()
    grad = [[1, -2], [1, 1]]
    gx, gw, gb = autograd(page.inputs[0], page.kernel, grad)
    np.testing.assert_allclose(page.plan.grad_input[0], gx)
    np.testing.assert_allclose(page.plan.grad_weight[0, 0], gw)
    np.testing.assert_allclose(page.plan.grad_bias, gb)
    assert texts(page.gw_grid)[0] == ["6", "7"]  # 1×1 + 2×(−2) + 4×1 + 5×1, …
    assert "L = Σ ∂L/∂Y·Y" in page.loss_label.text()
    type_into(qtbot, page.gy_grid, 0, 0, "x")
    assert any("not a number" in e for e in page.errors())
    qtbot.mouseClick(page.sum_box, Qt.LeftButton)
    assert texts(page.gy_grid) == [["1", "1"], ["1", "1"]]


def test_stride_2_preset_matches_autograd(page):
    page.load_preset(1)
    gx, gw, gb = autograd(page.inputs[0], page.kernel, page.plan.grad_out[0], stride=2)
    np.testing.assert_allclose(page.plan.grad_input[0], gx)
    np.testing.assert_allclose(page.plan.grad_weight[0, 0], gw)
    assert page.plan.input_view.grid.shape[1:] == (7, 7)  # 2×2 → 3×3 with a zero, border 2


def test_the_sgd_step_changes_the_kernel_and_lowers_l(qtbot, page):
    page.lr_spin.setValue(0.01)
    qtbot.mouseClick(page.sgd_button, Qt.LeftButton)
    np.testing.assert_allclose(page.kernel, 1 - 0.01 * np.array([[12, 16], [24, 28]]))
    assert texts(page.w_grid) == [["0.88", "0.84"], ["0.76", "0.72"]]
    assert "1 − 0.01×12 = 0.88" in page.loss_label.text()
    assert "L: 80 → 62.4" in page.loss_label.text()
    # the same step torch.optim.SGD takes
    w = torch.ones(1, 1, 2, 2, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(page.inputs, dtype=torch.float64)[None]
    optimizer = torch.optim.SGD([w], lr=0.01)
    torch.nn.functional.conv2d(x, w).sum().backward()
    optimizer.step()
    np.testing.assert_allclose(page.kernel, w.detach()[0, 0].numpy())


def test_max_pooling_routes_to_the_winner(qtbot, page):
    page.load_preset(2)
    assert page.kind == "max" and not page.w_grid.isVisible()
    assert not page.fields["lr"].isEnabled()
    qtbot.mouseClick(page.step_bar.next, Qt.LeftButton)
    assert highlighted(page.x_grid, "winner") == [(1, 3)]
    assert texts(page.gx_grid)[1] == ["0", "1", "0", "1"]  # two gradients passed back so far
    assert texts(page.gx_grid)[3] == ["0", "0", "0", "0"]
    qtbot.mouseClick(page.step_bar.last, Qt.LeftButton)
    xt = torch.tensor(page.inputs, dtype=torch.float64)[None].requires_grad_()
    torch.nn.functional.max_pool2d(xt, 2, 2).sum().backward()
    np.testing.assert_allclose(page.plan.grad_input, xt.grad[0].numpy())


def test_average_pooling_spreads_over_the_divisor(qtbot, page):
    page.load_preset(3)
    type_into(qtbot, page.gy_grid, 0, 0, "8")
    assert "8 / 4 = 2 to each of the 4 input cell(s)" in page.arithmetic.text()
    xt = torch.tensor(page.inputs, dtype=torch.float64)[None].requires_grad_()
    y = torch.nn.functional.avg_pool2d(xt, 2, 1)
    y.backward(torch.tensor(page.plan.grad_out)[None])
    np.testing.assert_allclose(page.plan.grad_input, xt.grad[0].numpy())


def test_a_kernel_too_large_is_refused_and_the_result_stays(page):
    page.kernel_spin.set_value((5, 5))
    page.kernel_spin.changed.emit((5, 5))
    assert any("larger than the padded input" in e for e in page.errors())
    assert texts(page.gw_grid) == [["12", "16"], ["24", "28"]]


def test_a_refused_layer_change_keeps_the_last_good_layer_working(qtbot, page):
    """Found by the random-action driver: the Layer box says max pooling, its settings are
    refused, and the convolution on screen must go on stepping."""
    page.padding_spin.set_value((1, 1))
    page.padding_spin.changed.emit((1, 1))
    page.kind_box.setCurrentIndex(1)  # max pooling of 2×2 allows padding 1 … kernel 1 does not
    page.kernel_spin.set_value((1, 1))
    page.kernel_spin.changed.emit((1, 1))
    assert any("padding 1 must be at most half the kernel" in e for e in page.errors())
    assert page.shown_kind == "max"  # the 2×2 max pooling with padding 1 that worked
    page.kind_box.setCurrentIndex(0)  # back to convolution: kernel 1×1, padding 1 is fine
    assert page.shown_kind == "conv" and page.errors() == []
    page.kind_box.setCurrentIndex(2)  # average pooling, kernel 1, padding 1: refused
    assert page.shown_kind == "conv" and page.w_grid.isVisible()
    qtbot.mouseClick(page.step_bar.last, Qt.LeftButton)
    assert "∂L/∂X" in page.arithmetic.text()


def test_count_include_pad_and_ceil_mode_change_the_shares(qtbot, page):
    page.load_preset(3)  # average pooling, 2×2, stride 1
    page.padding_spin.set_value((1, 1))
    page.padding_spin.changed.emit((1, 1))
    corner = page.plan[0]
    assert corner.divisor == 4 and "1 / 4 = 0.25" in corner.expression()
    qtbot.mouseClick(page.include_pad_box, Qt.LeftButton)
    assert page.plan[0].divisor == 1  # only the one real cell of the corner window counts
    page.stride_spin.set_value((2, 2))
    page.stride_spin.changed.emit((2, 2))
    qtbot.mouseClick(page.ceil_box, Qt.LeftButton)
    xt = torch.tensor(page.inputs, dtype=torch.float64)[None].requires_grad_()
    y = torch.nn.functional.avg_pool2d(xt, 2, 2, 1, ceil_mode=True, count_include_pad=False)
    assert tuple(y.shape[2:]) == page.plan.forward.output.shape[1:]
    y.backward(torch.tensor(page.plan.grad_out)[None])
    np.testing.assert_allclose(page.plan.grad_input, xt.grad[0].numpy())


def test_copy_output_gives_dl_dx_then_dl_dw(page):
    text = page.copy_output()
    assert text == "1\t2\t1\n2\t4\t2\n1\t2\t1\n\n12\t16\n24\t28"
    assert "copied" in page.hint.text()
