"""Trace page: click a unit of each kind and read its arithmetic, its outlined receptive field
and its value; model sources; the hand-off from the Draw page; presenter mode."""

import numpy as np
import pytest

pytest.importorskip("torch")
import torch  # noqa: E402
from gui_helpers import drag  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402

from cnnviz.core.inference import MNIST_INFO  # noqa: E402
from cnnviz.core.model_source import ModelSource  # noqa: E402
from cnnviz.core.training import TrainConfig  # noqa: E402
from cnnviz.gui.pages.conv_page import ConvPage  # noqa: E402
from cnnviz.gui.pages.draw_page import DrawPage  # noqa: E402
from cnnviz.gui.pages.trace_page import TracePage  # noqa: E402
from cnnviz.gui.pages.train_page import TrainPage  # noqa: E402
from cnnviz.models import build  # noqa: E402


@pytest.fixture
def trace(main_window, qtbot):
    page = main_window.show_page(TracePage)
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: traced(page), timeout=20000)
    return page


def traced(page):
    return page.traced()


def test_source(make, description="a test model"):
    """A source whose model ``make()`` builds (in the compute thread), seeded."""

    def build():
        torch.manual_seed(0)
        return make(), MNIST_INFO

    return ModelSource(description, build)


test_source.__test__ = False


def use(page, qtbot, make):
    """Trace the model ``make()`` builds from now on."""
    page.use_source(test_source(make))
    qtbot.waitUntil(lambda: traced(page) and page.trace.nodes[1].shape[0] > 0, timeout=20000)


def click(qtbot, page, layer, channel, row=None, col=None):
    """A real mouse click on the unit in the overview."""
    view = page.overview
    index = page.trace.index(layer)
    scene = view.unit_scene_pos(index, channel, row, col)
    view.centerOn(scene)
    point = view.mapFromScene(scene)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=QPoint(point.x(), point.y()))
    return index


def outlined(page, index, channel, box):
    """Whether the selected outline holds the rectangle of ``box`` on a node's tile."""
    item = page.overview.items_by_node[index]
    rect = item.mapRectToScene(item.geometry.box_rect(channel, box))
    path = page.overview._outlines["selected"].path()
    return any(
        poly.boundingRect().toAlignedRect() == rect.toAlignedRect()
        for poly in path.toSubpathPolygons()
    )


def field_outlined_on_the_input(page):
    """The clicked unit's receptive field is outlined on the input image."""
    rf = page.arithmetic.explanation.receptive_field
    return outlined(page, 0, 0, (rf.top, rf.left, rf.bottom, rf.right))


def test_opens_on_a_test_digit_with_the_shipped_model(trace):
    assert trace.test_spin.value() == 0
    assert trace.prediction.text().startswith("It is 7") and "(label 7)" in trace.prediction.text()
    labels = [n.label for n in trace.trace.nodes]
    assert labels == [
        "input",
        "conv1",
        "mp",
        "relu",
        "conv2",
        "mp (call 2)",
        "relu (call 2)",
        "reshape",
        "fc",
        "log_softmax",
        "probabilities",
    ]
    assert len(trace.overview.items_by_node) == len(labels)
    assert "SimpleNet, 8,490 parameters" in trace.model_label.text()


def test_click_a_convolution_unit(qtbot, trace):
    index = click(qtbot, trace, "conv2", 3, 2, 5)
    e = trace.arithmetic.explanation
    node = trace.trace.nodes[index]
    assert (e.layer, e.channel, e.row, e.col) == ("conv2", 3, 2, 5)
    assert e.value == pytest.approx(float(node.value[3, 2, 5]))
    assert len(e.partials) == 10 and sum(e.partials) + e.bias == pytest.approx(e.value, abs=1e-4)
    # the title counts from 1, as the grid lessons and the quiz do; the unit stays 0-based
    assert trace.arithmetic.heading.text().startswith("conv2 · channel 4, row 3, column 6 = ")
    # the step bar walks the 10 input channels, then the bias
    assert trace.arithmetic.step_bar.count == 11
    trace.next_step()
    assert trace.arithmetic.text.text().startswith("Σ (window × kernel of channel 2)")
    assert trace.arithmetic.window.isVisible() and trace.arithmetic.kernel.isVisible()
    kernel = trace.arithmetic.kernel.model.values
    assert kernel.shape == (5, 5)
    trace.last_step()
    assert "(bias)" in trace.arithmetic.text.text()
    # the receptive field: 14×14 pixels of the input, 5×5 of every channel of relu
    rf = e.receptive_field
    assert (rf.top, rf.left, rf.bottom, rf.right) == (4, 10, 18, 24)
    assert outlined(trace, 0, 0, (4, 10, 18, 24))
    relu = trace.trace.index("relu")
    assert all(outlined(trace, relu, ch, (2, 5, 7, 10)) for ch in range(10))
    assert "rows 5–18, columns 11–24" in trace.arithmetic.field.text()  # pixels 4–17: from 1


def test_click_a_relu_and_a_pooling_unit(qtbot, trace):
    click(qtbot, trace, "relu", 2, 5, 6)
    e = trace.arithmetic.explanation
    x = float(trace.trace.node("mp").value[2, 5, 6])
    assert e.value == pytest.approx(max(0.0, x))
    assert trace.arithmetic.text.text().startswith("max(0, ")
    assert field_outlined_on_the_input(trace)
    assert outlined(trace, trace.trace.index("mp"), 2, (5, 6, 6, 7))  # its own channel only
    assert not outlined(trace, trace.trace.index("mp"), 3, (5, 6, 6, 7))
    click(qtbot, trace, "mp (call 2)", 7, 1, 2)
    e = trace.arithmetic.explanation
    window = trace.trace.node("conv2").value[7, 2:4, 4:6]
    assert e.value == pytest.approx(float(window.max()))
    assert trace.arithmetic.window.model.highlights == {e.steps[0].winner: "winner"}
    assert trace.arithmetic.text.text().startswith("max of the window = ")
    rf = e.receptive_field
    assert (rf.top, rf.left, rf.bottom, rf.right) == (4, 8, 20, 24)
    assert field_outlined_on_the_input(trace)
    assert outlined(trace, trace.trace.index("conv2"), 7, (2, 4, 4, 6))  # the 2×2 window


def test_click_a_flattened_entry_a_logit_and_a_probability(qtbot, trace):
    click(qtbot, trace, "reshape", 137)
    assert trace.arithmetic.text.text().startswith(
        "reshape[137] = relu (call 2)[8, 2, 1] (channel 9, row 3, column 2 of its 20×4×4)"
    )
    relu2 = trace.trace.index("relu (call 2)")
    assert outlined(trace, relu2, 8, (2, 1, 3, 2))
    click(qtbot, trace, "fc", 7)
    e = trace.arithmetic.explanation
    assert e.value == pytest.approx(float(trace.trace.node("fc").value[7]))
    assert len(e.steps) == 10 and e.steps[-1].total == pytest.approx(e.value, abs=1e-4)
    trace.first_step()
    assert trace.arithmetic.text.text().startswith("w[7, ")
    assert field_outlined_on_the_input(trace)
    click(qtbot, trace, "probabilities", 7)
    e = trace.arithmetic.explanation
    assert e.value == pytest.approx(float(trace.trace.probabilities[7]))
    trace.last_step()
    assert trace.arithmetic.text.text().startswith("e^z[7] / Σ e^z = ")
    assert e.receptive_field.height == 28  # a probability sees the whole image


def test_inception_branches_and_the_concatenation(qtbot, trace):
    use(trace, qtbot, lambda: build("inception"))
    frames = [d for d in trace.overview._decor if hasattr(d, "text") and "InceptionA" in d.text()]
    assert len(frames) == 2  # each Inception block is framed and named
    click(qtbot, trace, "incept1.branch5x5_2", 3, 5, 6)
    e = trace.arithmetic.explanation
    assert len(e.partials) == 16 and e.source == "incept1.branch5x5_1"
    assert e.value == pytest.approx(float(trace.trace.node("incept1.branch5x5_2").value[3, 5, 6]))
    assert trace.arithmetic.text.text().startswith("Σ (window × kernel of channel 1)")
    assert field_outlined_on_the_input(trace)
    # its 5×5 window (padding 2) on all 16 channels of the 1×1 reduction before it
    reduce = trace.trace.index("incept1.branch5x5_1")
    assert all(outlined(trace, reduce, ch, (3, 4, 8, 9)) for ch in range(16))
    click(qtbot, trace, "incept1.cat", 20, 4, 4)  # channels 16–39 come from the 5×5 branch
    e = trace.arithmetic.explanation
    assert e.source == "incept1.branch5x5_2" and e.origin == (4, 4, 4)
    assert "channel 21 of incept1.cat is channel 5 of incept1.branch5x5_2" in (
        trace.arithmetic.text.text()
    )
    # the 5×5 branch's field: 14×14 input pixels; the 1×1 branch's only 6×6
    assert e.receptive_field.height == 14
    click(qtbot, trace, "incept1.cat", 2, 4, 4)
    assert trace.arithmetic.explanation.receptive_field.height == 6


def test_a_new_model_without_the_clicked_unit_clears_it(qtbot, trace):
    click(qtbot, trace, "conv2", 3, 2, 5)
    use(trace, qtbot, lambda: build("resnet"))  # no conv2 there
    assert trace.selected is None and trace.arithmetic.explanation is None
    assert trace.overview._outlines["selected"].path().isEmpty()
    click(qtbot, trace, "conv1", 2, 10, 10)  # the new model's units answer
    assert trace.arithmetic.explanation.layer == "conv1"
    use(trace, qtbot, lambda: build("simple"))  # conv1 has 10 channels here too: the unit stays
    assert trace.arithmetic.explanation.layer == "conv1" and trace.selected[0] == "conv1"


def test_a_residual_addition(qtbot, trace):
    use(trace, qtbot, lambda: build("resnet"))
    click(qtbot, trace, "layer1.0.add", 1, 3, 3)
    e = trace.arithmetic.explanation
    main = float(trace.trace.node("layer1.0.bn2").value[1, 3, 3])
    shortcut = float(trace.trace.node("relu").value[1, 3, 3])
    assert e.value == pytest.approx(main + shortcut, abs=1e-5)
    assert "(layer1.0.bn2)" in trace.arithmetic.text.text()
    assert "(relu)" in trace.arithmetic.text.text()
    assert field_outlined_on_the_input(trace)
    # both paths are outlined: the main path's bn2 at the same unit, and the block's input
    # (relu) through both paths: 5×5 through the two 3×3 convolutions, which holds the
    # shortcut's own cell
    assert outlined(trace, trace.trace.index("layer1.0.bn2"), 1, (3, 3, 4, 4))
    assert all(outlined(trace, trace.trace.index("relu"), ch, (1, 1, 6, 6)) for ch in range(16))


def test_hover_shows_the_value_and_outlines_the_field(qtbot, trace):
    view = trace.overview
    index = trace.trace.index("conv1")
    scene = view.unit_scene_pos(index, 4, 10, 11)
    view.centerOn(scene)
    point = view.mapFromScene(scene)
    qtbot.mouseMove(view.viewport(), QPoint(point.x(), point.y()))
    hovered = "conv1 · channel 5, row 11, column 12 = "  # as the unit's title: from 1
    qtbot.waitUntil(lambda: trace.hover_label.text().startswith(hovered))
    value = float(trace.trace.node("conv1").value[4, 10, 11])
    assert f"{value:.4g}".replace("-", "−")[:5] in trace.hover_label.text()
    assert "rows 11–15, columns 12–16" in trace.hover_label.text()
    assert not view._outlines["hovered"].path().isEmpty()


def test_a_new_stroke_updates_the_trace_and_keeps_the_unit(qtbot, trace):
    click(qtbot, trace, "conv1", 0, 5, 5)
    before = trace.trace.node("conv1").value.copy()
    trace.canvas.clear()
    drag(trace.canvas, [(0.5, 0.15), (0.5, 0.85)])
    qtbot.waitUntil(
        lambda: traced(trace) and not np.array_equal(trace.trace.node("conv1").value, before),
        timeout=10000,
    )
    assert trace.prediction.text().startswith("It is 1")
    assert trace.test_spin.text() == "your drawing"  # not a test image any more
    e = trace.arithmetic.explanation
    assert (e.layer, e.channel, e.row, e.col) == ("conv1", 0, 5, 5)
    assert e.value == pytest.approx(float(trace.trace.node("conv1").value[0, 5, 5]))


def test_colour_scales_and_their_legend(qtbot, trace):
    click(qtbot, trace, "conv2", 3, 2, 5)
    conv2 = trace.trace.node("conv2").value
    assert trace.legend.scale == pytest.approx(float(np.abs(conv2).max()))
    trace.scale_box.setCurrentIndex(0)  # per map
    assert trace.legend.scale == pytest.approx(float(np.abs(conv2[3]).max()))
    trace.scale_box.setCurrentIndex(2)  # whole network
    assert trace.legend.scale == pytest.approx(trace.overview.network_scale())
    assert "whole network" in trace.legend.text()


def test_trace_this_drawing_from_the_draw_page(qtbot, main_window, tmp_path):
    draw = main_window.show_page(DrawPage)
    qtbot.waitExposed(draw)
    drag(draw.canvas, [(0.5, 0.15), (0.5, 0.85)])
    qtbot.mouseClick(draw.trace_button, Qt.LeftButton)
    page = main_window.current_page()
    assert page.title == "Trace"
    qtbot.waitUntil(
        lambda: traced(page) and page.prediction.text().startswith("It is 1"), timeout=20000
    )
    seen = page.trace.nodes[0].value[0]
    assert seen.max() > 2  # the drawn stroke, normalised like MNIST
    assert np.array_equal(page.canvas.to_array() > 127, draw.canvas.to_array() > 127)


def test_model_sources(qtbot, main_window, trace, tmp_path):
    assert not trace.use_training_run()
    assert "No training run yet" in trace.message.text()
    trace.use_checkpoint(tmp_path / "missing.pt")
    qtbot.waitUntil(lambda: "Cannot use this model" in trace.message.text(), timeout=10000)
    assert "8,490 parameters" in trace.model_label.text()  # the previous model stays
    train = main_window.show_page(TrainPage)
    train.start(TrainConfig(epochs=1, limit_train=256, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    main_window.show_page(TracePage)
    assert trace.use_training_run()
    qtbot.waitUntil(lambda: "current training run" in trace.model_label.text(), timeout=10000)
    qtbot.waitUntil(lambda: traced(trace), timeout=10000)
    assert trace.source_box.currentIndex() == 1
    train.shutdown()


def test_presenter_mode_enlarges_the_maps_and_keeps_the_unit(qtbot, main_window, trace):
    click(qtbot, trace, "conv1", 1, 3, 3)
    before = trace.overview.items_by_node[1].geometry.tile_w
    cell = trace.arithmetic.window.view.cell_size
    main_window.set_look(presenter=True)
    assert trace.overview.items_by_node[1].geometry.tile_w > before
    assert trace.arithmetic.explanation.layer == "conv1"
    # the grids may grow up to a larger cell, as far as the panel (with larger type) allows
    assert trace.arithmetic.cell > 46 and trace.arithmetic.window.view.cell_size >= 24
    assert cell >= 24
    main_window.set_look(presenter=False)


def test_step_menu_drives_the_arithmetic(qtbot, main_window, trace):
    click(qtbot, trace, "conv2", 0, 0, 0)
    actions = {a.text().replace("&", ""): a for a in main_window.menus.step}
    assert actions["Next step"].isEnabled()
    actions["Next step"].trigger()
    actions["Next step"].trigger()
    assert trace.arithmetic.step_bar.index == 2
    actions["Last step"].trigger()
    assert trace.arithmetic.step_bar.index == 10
    actions["First step"].trigger()
    assert trace.arithmetic.step_bar.index == 0


def test_a_model_torch_fx_cannot_follow_is_traced_and_says_what_it_cannot_show(qtbot, trace):
    import torch.nn.functional as F
    from torch import nn

    class Looping(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 5)
            self.fc = nn.Linear(4 * 12 * 12, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv(x)), 2)
            n = 1
            for s in x.size()[1:]:  # symbolic tracing cannot iterate a size
                n *= s
            return self.fc(x.view(-1, n))

    use(trace, qtbot, Looping)
    assert [n.label for n in trace.trace.nodes][:3] == ["input", "conv", "(between conv and fc)"]
    click(qtbot, trace, "(between conv and fc)", 2, 3, 3)
    assert trace.arithmetic.cannot.isVisible()
    assert "its arithmetic cannot be shown" in trace.arithmetic.cannot.text()
    assert "F.max_pool2d(F.relu(x), 2)" in trace.arithmetic.op_text.text()
    click(qtbot, trace, "conv", 1, 6, 6)
    assert (
        not trace.arithmetic.cannot.isVisible() and len(trace.arithmetic.explanation.partials) == 1
    )


def test_evidence_over_the_input_for_the_predicted_or_clicked_class(qtbot, trace):
    from cnnviz import attribution
    from cnnviz.core.inference import load_default_model

    trace.evidence_box.setCurrentIndex(trace.evidence_box.findData("saliency"))
    qtbot.waitUntil(lambda: trace.evidence is not None, timeout=20000)
    assert trace.evidence["target"] == 7  # the predicted class of test image 0
    model = load_default_model()
    expected = attribution.saliency(model, trace.trace_image, 7, trace.info)
    np.testing.assert_allclose(trace.evidence["map"], expected, rtol=1e-4, atol=1e-6)
    overlay = trace.overview.items_by_node[0].evidence
    assert overlay is not None and overlay.isVisible()
    assert "the evidence for “7”" in trace.evidence_note.text()
    click(qtbot, trace, "probabilities", 3)  # another class: its evidence
    qtbot.waitUntil(lambda: trace.evidence["target"] == 3, timeout=20000)
    expected = attribution.saliency(model, trace.trace_image, 3, trace.info)
    np.testing.assert_allclose(trace.evidence["map"], expected, rtol=1e-4, atol=1e-6)
    trace.evidence_box.setCurrentIndex(trace.evidence_box.findData("grad_cam"))
    qtbot.waitUntil(lambda: trace.evidence["method"] == "grad_cam", timeout=20000)
    assert trace.evidence["map"].shape == (28, 28)
    trace.evidence_box.setCurrentIndex(0)
    assert trace.evidence is None and not overlay.isVisible()


def test_a_model_chosen_while_the_default_one_loads_is_not_replaced_by_it(qtbot, main_window):
    page = main_window.show_page(TracePage)  # built now: the shipped model is loading
    torch.manual_seed(0)
    page.use_source(test_source(lambda: build("inception"), "an Inception net"))
    qtbot.waitUntil(lambda: traced(page) and len(page.trace.nodes) > 20, timeout=20000)
    qtbot.wait(300)  # the shipped model's load has long finished by now
    qtbot.waitUntil(lambda: not page.jobs.waiting("load"), timeout=20000)
    assert "Inception net" in page.model_label.text()
    assert "incept1.cat" in [n.label for n in page.trace.nodes]


# -- lesson files -------------------------------------------------------------------------------
def restored(page):
    return traced(page) and page.pending_lesson is None


def test_the_trace_page_round_trips_its_lesson_through_a_file(
    qtbot, main_window, new_window, trace, tmp_path
):
    click(qtbot, trace, "conv2", 3, 2, 5)
    trace.next_step()
    trace.next_step()
    trace.scale_box.setCurrentIndex(trace.scale_box.findData("network"))
    saved = trace.lesson_state()
    assert saved == {
        "model": {"source": "default"},
        "input": {"test_image": 0},
        "unit": ["conv2", 3, 2, 5],
        "step": 2,
        "scale": "network",
        "evidence": "",
    }
    assert trace.lesson_title() == "Trace: conv2, channel 4, row 3, column 6"
    assert trace.step_count() == 11  # the arithmetic is a step-through an animation shows
    trace.go_to_step(10)
    assert "(bias)" in trace.arithmetic.text.text()
    trace.go_to_step(2)
    main_window.lesson_files.save(tmp_path / "unit.cnnviz")

    use(trace, qtbot, lambda: build("resnet"))  # change everything
    drag(trace.canvas, [(0.5, 0.15), (0.5, 0.85)])
    trace.scale_box.setCurrentIndex(0)
    qtbot.waitUntil(lambda: traced(trace), timeout=20000)
    assert trace.lesson_state() != saved
    assert main_window.lesson_files.open(tmp_path / "unit.cnnviz") == ""
    assert trace.lesson_state() == saved  # at once, while the model and image load
    qtbot.waitUntil(lambda: restored(trace), timeout=20000)
    assert trace.lesson_state() == saved
    e = trace.arithmetic.explanation
    assert (e.layer, e.channel, e.row, e.col) == ("conv2", 3, 2, 5)
    assert trace.arithmetic.step_bar.index == 2 and "8,490 parameters" in trace.model_label.text()
    assert trace.prediction.text().startswith("It is 7") and trace.test_spin.value() == 0
    assert e.value == pytest.approx(float(trace.trace.node("conv2").value[3, 2, 5]))

    other = new_window()  # a fresh window, its Trace page built by opening the lesson
    assert other.lesson_files.open(tmp_path / "unit.cnnviz") == ""
    page = other.current_page()
    qtbot.waitUntil(lambda: restored(page), timeout=20000)
    assert page.lesson_state() == saved and page.arithmetic.step_bar.index == 2


def test_a_trace_lesson_keeps_a_checkpoint_a_drawing_and_the_evidence(qtbot, trace, tmp_path):
    from test_draw_page import trained_checkpoint

    path = trained_checkpoint(tmp_path)
    trace.use_checkpoint(path)
    qtbot.waitUntil(lambda: trace.source_index == 2 and traced(trace), timeout=20000)
    drag(trace.canvas, [(0.5, 0.15), (0.5, 0.85)])
    qtbot.waitUntil(lambda: traced(trace) and trace.test_spin.value() == -1, timeout=20000)
    click(qtbot, trace, "fc", 4)
    trace.evidence_box.setCurrentIndex(trace.evidence_box.findData("saliency"))
    saved = trace.lesson_state()
    assert saved["model"] == {"source": "checkpoint", "path": str(path)}
    # the test digit under the stroke (smoothly enlarged) and the stroke: still a few KB
    assert saved["input"]["exact"] is None and len(saved["input"]["canvas"]) < 12000
    drawing = trace.canvas.to_array()
    fc = trace.trace.node("fc").value.copy()

    trace.restore_lesson({**saved, "model": {"source": "default"}, "input": {"test_image": 3}})
    qtbot.waitUntil(lambda: restored(trace) and trace.source_index == 0, timeout=20000)
    assert trace.test_spin.value() == 3
    trace.restore_lesson(saved)
    qtbot.waitUntil(lambda: restored(trace) and trace.evidence is not None, timeout=20000)
    assert trace.lesson_state() == saved and trace.source_index == 2
    assert np.array_equal(trace.canvas.to_array(), drawing)
    np.testing.assert_allclose(trace.trace.node("fc").value, fc, rtol=1e-5, atol=1e-6)
    assert trace.arithmetic.explanation.layer == "fc" and trace.evidence["method"] == "saliency"


def test_a_lesson_unit_the_model_lacks_is_dropped_with_a_note(qtbot, trace):
    state = {**trace.lesson_state(), "unit": ["incept1.cat", 2, 4, 4]}
    trace.restore_lesson(state)
    qtbot.waitUntil(lambda: restored(trace), timeout=20000)
    assert trace.selected is None and "not in this model" in trace.message.text()


@pytest.mark.parametrize(
    "change, words",
    [
        ({"model": {"source": "checkpoint", "path": "/no/such/run.pt"}}, "no longer exists"),
        ({"input": {"test_image": 10000}}, "its test image must be a whole number"),
        ({"input": {"canvas": "@@"}}, "its drawing is damaged"),
        ({"input": "seven"}, "its input must be"),
        ({"unit": ["conv1", -1, 0, 0]}, "its unit's channel"),
        ({"unit": ["conv1", 0, 3, None]}, "both a row and a column"),
        ({"unit": "conv1"}, r"\[layer, channel, row, column\]"),
        ({"step": -2}, "its step"),
        ({"scale": "rainbow"}, "colour scale"),
        ({"evidence": "tea leaves"}, "evidence map"),
    ],
)
def test_a_bad_trace_lesson_is_refused_and_the_page_stays(qtbot, trace, change, words):
    click(qtbot, trace, "conv1", 1, 3, 3)
    before = trace.lesson_state()
    with pytest.raises(ValueError, match=words):
        trace.restore_lesson({**before, **change})
    assert trace.lesson_state() == before and trace.pending_lesson is None
    assert trace.arithmetic.explanation.layer == "conv1"


def test_export_animation_before_a_unit_is_clicked_says_to_click_one(
    main_window, trace, tmp_path, monkeypatch
):
    said = []
    monkeypatch.setattr(main_window.lesson_files, "warn", lambda title, text: said.append(text))
    assert main_window.menus.animation.isEnabled()  # on as the page is shown, before a click
    assert main_window.lesson_files.export_animation(tmp_path / "unit.gif", (640, 400)) is None
    assert said and said[0].startswith("Click a unit of the trace first")
    assert not (tmp_path / "unit.gif").exists()


def test_the_unit_arithmetic_exports_as_an_animation(qtbot, main_window, trace, tmp_path):
    from PIL import Image

    click(qtbot, trace, "conv2", 3, 2, 5)
    trace.go_to_step(4)
    job = main_window.lesson_files.export_animation(tmp_path / "unit.gif", (800, 500), fps=4)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60000):
        pass  # the page's copy loads its model and test image in its workers first
    with Image.open(tmp_path / "unit.gif") as gif:
        assert (gif.n_frames, gif.size) == (12, (800, 500))  # the title and the 11 steps
        frames = []
        for index in (1, 11):
            gif.seek(index)
            frames.append(np.asarray(gif.convert("L")))
    assert not np.array_equal(*frames)  # the steps differ
    assert trace.arithmetic.step_bar.index == 4  # the lecturer's page was not moved
    qtbot.waitUntil(lambda: main_window.lesson_files.job is None)


def test_an_export_cancelled_while_the_page_loads_leaves_nothing(
    qtbot, main_window, trace, tmp_path
):
    click(qtbot, trace, "conv1", 0, 1, 1)
    job = main_window.lesson_files.export_animation(tmp_path / "seq", (320, 200), fps=2)
    assert job.page is not None and job.page.restoring()  # its model is loading
    with qtbot.waitSignal(job.failed) as failed:
        main_window.lesson_files.progress.canceled.emit()
    assert failed.args == ["Cancelled."] and job.page is None
    assert not (tmp_path / "seq").exists() or list((tmp_path / "seq").iterdir()) == []
    qtbot.waitUntil(lambda: main_window.lesson_files.job is None)
    # the page copy's worker may still be loading its model: the window waits for it when
    # it closes (deleted at once, nothing waited: the thread outlived the window)
    from cnnviz.gui.export import animation_export

    stopping = animation_export._retiring  # page copies whose workers have not stopped yet
    assert not stopping or "stopping an exported lesson's page" in main_window.busy_texts()


def test_headless_export_of_a_trace_lesson(qapp, tmp_path):
    from PIL import Image

    from cnnviz.cli import main as cli_main
    from cnnviz.core.lesson import Lesson, save_lesson

    state = {"input": {"test_image": 1}, "unit": ["fc", 2, None, None], "step": 0}
    save_lesson(tmp_path / "fc.cnnviz", Lesson("Trace", state, title="A logit, weight by weight"))
    out = tmp_path / "frames"
    args = ["export", str(tmp_path / "fc.cnnviz"), "-o", f"{out}/", "--size", "640x400"]
    assert cli_main(args) == 0
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 1 + 10  # the title, then one frame per entry of the dot product
    with Image.open(out / names[-1]) as png:
        assert png.size == (640, 400)


def test_a_lesson_on_the_training_run_before_any_run_keeps_the_model(qtbot, trace):
    click(qtbot, trace, "conv1", 2, 4, 4)
    state = {**trace.lesson_state(), "model": {"source": "training run"}}
    trace.restore_lesson(state)
    qtbot.waitUntil(lambda: restored(trace), timeout=20000)
    assert "No training run yet" in trace.message.text()
    assert trace.source_index == 0 and "8,490 parameters" in trace.model_label.text()
    assert trace.arithmetic.explanation.layer == "conv1"  # the rest of the lesson is taken


def test_a_network_trained_to_nan_is_said_so_and_drawn_without_warnings(trace, qtbot):
    """A learning rate far too high leaves NaN and infinite weights: the page says so, the
    maps draw those units as 0 (numpy warned of casting NaN, and the colours were arbitrary),
    and a sound network afterwards takes the message away."""
    import warnings

    def diverged():
        model = build("simple")
        with torch.no_grad():
            model.conv2.weight[0, 0, 0, 0] = float("nan")
        return model

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        use(trace, qtbot, diverged)
        trace.overview.recolour()
        trace.overview.finish_drawing()
        for mode in ("network", "layer", "map"):
            trace.overview.set_scale_mode(mode)
            trace.overview.finish_drawing()
        trace.overview.set_evidence(np.full((28, 28), np.nan))
    assert trace.message.isVisible() and "not finite" in trace.message.text()
    assert "conv2" in trace.message.text()
    use(trace, qtbot, lambda: build("simple"))
    assert not trace.message.isVisible()


def test_maps_coloured_at_once_match_the_map_by_map_colours():
    """A node's maps are coloured in one pass (a DenseNet's 8,000 maps took half a second one
    by one, in the GUI thread): the same colours as :func:`colour` map by map, NaN and
    infinities included, and each map's tile where the map-by-map loop put it."""
    from cnnviz.gui.widgets.trace_overview import (
        colour,
        colour_maps,
        largest,
        largest_per_map,
        tile_maps,
    )

    rng = np.random.default_rng(5)
    maps = rng.normal(0, 3, (7, 5, 4)).astype(np.float32)
    maps[1, 0, 0], maps[2, 1, 1], maps[3, 2, 2] = np.nan, np.inf, -np.inf
    maps[4] = np.nan  # a map with no finite number: scale 1
    maps[5] = 0.0  # a map of zeros: scale 1
    per_map = [largest(m) for m in maps]
    np.testing.assert_array_equal(largest_per_map(maps), np.float32(per_map))
    for scales in ([s or 1.0 for s in per_map], [largest(maps) or 1.0] * 7, [2.5] * 7):
        at_once = colour_maps(maps, np.array(scales))
        for m, s, rgb in zip(maps, scales, at_once):
            np.testing.assert_array_equal(rgb, colour(m, s))
    # the tiles: column by column, as channel ch goes to (ch % rows, ch // rows)
    rgb = colour_maps(maps, np.ones(len(maps)))
    for rows in (1, 3, 7, 10):
        (c, h, w), cols = maps.shape, -(-len(maps) // rows)
        by_loop = np.full((rows * (h + 1), cols * (w + 1), 3), 255, np.uint8)
        for ch in range(c):
            col, row = divmod(ch, rows)
            y, x = row * (h + 1), col * (w + 1)
            by_loop[y : y + h, x : x + w] = rgb[ch]
        np.testing.assert_array_equal(tile_maps(rgb, rows), by_loop)


def test_the_maps_are_drawn_a_few_per_repaint_and_all_in_the_end(
    trace, qtbot, monkeypatch, tmp_path
):
    """A new trace does not colour every node at once (a DenseNet's 8,224 maps froze the
    window for 130-190 ms): each repaint draws the nodes it shows until its time is spent
    (at least one), the rest follow on the next turns, nodes out of view wait until shown,
    and the colours are those of the values. A grab of the window draws everything first."""
    from cnnviz.gui.appearance.repaint_hold import repaints_held
    from cnnviz.gui.widgets.trace_overview import DrawBudget, colour_maps

    view = trace.overview
    monkeypatch.setattr(DrawBudget, "SECONDS", 0.0)  # one node per repaint
    per_repaint: list[int] = []
    real_end = DrawBudget.end

    def end(budget):
        per_repaint.append(budget.drawn)
        return real_end(budget)

    monkeypatch.setattr(DrawBudget, "end", end)
    use(trace, qtbot, lambda: build("inception"))
    qtbot.waitUntil(lambda: not repaints_held(trace))  # laid out: what is shown is final
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    on_screen = [
        i
        for i in view.items_by_node
        if i.sceneBoundingRect().intersects(shown.adjusted(8, 8, -8, -8))
    ]
    off_screen = [  # clear of the edges too (a repaint's region has a margin)
        i
        for i in view.items_by_node
        if not i.sceneBoundingRect().intersects(shown.adjusted(-8, -8, 8, 8))
    ]
    assert len(on_screen) >= 3 and off_screen
    qtbot.waitUntil(lambda: all(i.wanted is None for i in on_screen), timeout=5000)
    assert max(per_repaint) == 1 and per_repaint.count(1) >= len(on_screen)
    assert all(i.wanted is not None for i in off_screen)  # drawn when scrolled to
    # the colours drawn are those of the values (conv1, channel 0, its first pixel)
    conv = next(i for i in on_screen if i.node.is_map and i.node.kind != "input")
    maps = conv.node.value
    expected = colour_maps(maps, np.full(len(maps), np.abs(maps).max()))[0, 0, 0]
    drawn = conv.picture.toImage().pixelColor(1, 1)
    assert (drawn.red(), drawn.green(), drawn.blue()) == tuple(int(v) for v in expected)
    # a change of scale asks for the nodes again; a grab draws them all before it is taken
    view.set_scale_mode("map")
    assert all(i.wanted is not None for i in view.items_by_node)
    trace.window().export_png(tmp_path / "trace.png")
    assert view.pending() == [] and (tmp_path / "trace.png").stat().st_size > 0
    # another page exported: the hidden overview is not drawn for it (up to 190 ms)
    view.set_scale_mode("layer")
    trace.window().show_page(ConvPage)
    trace.window().export_png(tmp_path / "other.png")
    assert len(view.pending()) == len(view.items_by_node)


def test_the_overview_fits_its_height_without_rocking_its_scroll_bar(qtbot):
    """Fitted to its viewport, a picture about as wide as the view made the horizontal scroll
    bar show (the viewport shrank, the picture with it, and then fitted), hide (the picture
    grew back) and show again without end: the window froze for good, found by the
    random-action benchmark. The scale now follows from the view's outer size only: one
    resize, a settled view."""
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QApplication, QGraphicsRectItem

    from cnnviz.gui.widgets.trace_overview import TraceOverview

    resizes = [0]

    class Counted(TraceOverview):
        def resizeEvent(self, event):  # noqa: N802
            resizes[0] += 1
            if resizes[0] <= 50:  # beyond, the loop is cut short so that the test can fail
                super().resizeEvent(event)

    view = Counted()
    qtbot.addWidget(view)
    view.scene().addItem(QGraphicsRectItem(QRectF(0, 0, 2000, 400)))
    view.setSceneRect(QRectF(0, 0, 2000, 400))
    view.show()
    view.fit_height()
    rocked = []
    for width in range(1190, 1360, 30):  # (sizes that rocked before: 1220-1340 × 252-279)
        for height in range(246, 290, 3):
            resizes[0] = 0
            view.resize(width, height)
            for _ in range(5):
                QApplication.processEvents()
            if resizes[0] > 4:
                rocked.append((width, height, resizes[0]))
            scaled = view.transform().m11() * 400
            assert scaled <= height, (width, height)  # the picture's height fits the view
    assert not rocked, rocked


def holds_no_module(*objects) -> bool:
    """None of the objects' attributes is a torch module."""
    return not any(isinstance(v, torch.nn.Module) for o in objects for v in vars(o).values())


def test_the_page_holds_no_model_and_its_jobs_run_on_the_windows_service(qtbot, main_window, trace):
    assert trace.jobs.service is main_window.compute and not trace.jobs.own
    use(trace, qtbot, lambda: build("inception"))
    assert holds_no_module(trace, trace.controller)
    assert trace.controller.source.description == "a test model"
    assert trace.busy_text() == ""  # the window's service is the window's to stop


def test_a_page_made_without_a_window_runs_its_jobs_on_a_service_of_its_own(qtbot):
    """As `cnnviz export` makes it: its own compute thread, stopped when it shuts down."""
    from cnnviz.gui.pages.trace_page import TracePage

    page = TracePage()
    try:
        page.restore_lesson({"input": {"test_image": 2}, "unit": ["fc", 1, None, None]})
        qtbot.waitUntil(lambda: restored(page), timeout=20000)
        assert page.jobs.own and page.jobs.service.is_running()
        assert page.selected == ("fc", 1, None, None) and holds_no_module(page, page.controller)
    finally:
        page.shutdown()
        qtbot.waitUntil(lambda: page.busy_text() == "", timeout=10000)
        page.deleteLater()
