"""Grouped convolution page: the channels each filter reads, costs against groups 1, the
depthwise and 1×1 presets, typing, stepping and the PyTorch line, against torch."""

import numpy as np
import pytest
from gui_helpers import highlighted, type_into
from PySide6.QtCore import Qt

from cnnviz.core.examples import example_presets

torch = pytest.importorskip("torch")


@pytest.fixture
def page(main_window):
    from cnnviz.gui.pages.grouped_page import GroupedPage

    return main_window.show_page(GroupedPage)


def torch_output(page):
    layer = eval(page.code_line.text().split("  # ")[0], {"nn": torch.nn})  # noqa: S307
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(page.weight))
        out = layer(torch.from_numpy(page.inputs)[None].float())[0]
    assert page.code_line.text().endswith(str(list((1,) + tuple(out.shape))))
    return out.numpy()


def test_opens_depthwise_with_its_costs(page):
    assert page.groups_spin.value() == 3 and page.channel_spin.value() == 3
    assert len(page.input_grids) == 3 and len(page.output_grids) == 3
    assert [len(k) for k in page.kernel_grids] == [1, 1, 1]
    assert "Parameters: 3·1·2·2 + 3 = 15; with groups 1: 3·3·2·2 + 3 = 39" in page.costs.text()
    assert "groups=3" in page.code_line.text()
    assert [list(page.wiring.reads(o)) for o in range(3)] == [[0], [1], [2]]


@pytest.mark.parametrize("index", range(len(example_presets("group"))))
def test_every_preset_matches_torch(page, index):
    page.load_preset(index)
    np.testing.assert_allclose(page.plan.output, torch_output(page), atol=1e-4)
    assert page.errors() == []


def test_stepping_marks_only_the_group_s_channels(qtbot, page):
    page.load_preset(1)  # 4 → 4, groups 2
    page.step_bar.set_index(page.plan.step_at(0, 0, channel=2))
    assert page.wiring.current == 2
    assert "reads input channels 3–4" in page.arithmetic.text()
    assert highlighted(page.input_grids[0], "window") == []
    assert highlighted(page.input_grids[2], "window") == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert highlighted(page.output_grids[2], "current") == [(0, 0)]
    qtbot.mouseClick(page.step_bar.next, Qt.LeftButton)
    assert highlighted(page.output_grids[2], "current") == [(0, 1)]


def test_changing_groups_reshapes_filters_and_bad_groups_are_refused(page):
    page.load_preset(1)
    page.groups_spin.setValue(4)  # depthwise over 4 channels
    assert page.weight.shape == (4, 1, 2, 2) and [len(k) for k in page.kernel_grids] == [1] * 4
    page.groups_spin.setValue(1)
    assert page.weight.shape == (4, 4, 2, 2) and [len(k) for k in page.kernel_grids] == [4] * 4
    np.testing.assert_allclose(page.plan.output, torch_output(page), atol=1e-4)
    page.groups_spin.setValue(3)
    assert "groups 3 must divide the input channels (4)" in page.fields["groups"].error_text()
    assert page.plan.groups == 1  # the last good layer stays


def test_typing_into_a_filter_and_the_input_recomputes(qtbot, page):
    page.load_preset(2)  # full convolution 2 → 2
    type_into(qtbot, page.kernel_grids[1][0], 0, 0, "5")
    assert page.weight[1, 0, 0, 0] == 5
    type_into(qtbot, page.input_grids[1], 0, 0, "7")
    assert page.inputs[1, 0, 0] == 7
    np.testing.assert_allclose(page.plan.output, torch_output(page), atol=1e-4)


def test_one_by_one_bottleneck_carries_the_lecture_numbers(page):
    page.load_preset(3)
    assert page.weight.shape == (2, 4, 1, 1)
    assert "120,422,400" in page.preset_note.text() and "12,443,648" in page.preset_note.text()
    assert "Parameters: 2·4·1·1 + 2 = 10" in page.costs.text()


def test_a_grid_left_while_an_example_replaces_it_waits_for_the_new_steps(page, monkeypatch):
    """The mouse leaves a grid that a new example hides, after the page has the new plan but
    before its step bar has the new steps (the index still past them): found by the random
    actions, an IndexError from the hover handler."""
    counts = []
    for index in range(len(example_presets("group"))):
        page.load_preset(index)
        counts.append(len(page.plan))
    longest, shortest = counts.index(max(counts)), counts.index(min(counts))
    assert max(counts) > min(counts)
    page.load_preset(longest)
    page.step_bar.last_step()
    show_plan = page.show_plan

    def leaving_while_shown():
        page.input_grids[0].view.hover_left.emit()  # the grid under the mouse goes
        page.input_grids[0].view.cell_hovered.emit(0, 0)  # and one comes under it
        show_plan()

    monkeypatch.setattr(page, "show_plan", leaving_while_shown)
    page.load_preset(shortest)
    assert len(page.plan) == min(counts) and page.step_bar.index < len(page.plan)
    monkeypatch.undo()
    page.input_grids[0].view.cell_hovered.emit(0, 0)  # afterwards hovering works again
    assert "is read by" in page.hint.text() or "No output cell" in page.hint.text()
