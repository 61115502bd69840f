"""The Draw page's Why?, Fool it, Accuracy(ε) and Filters tabs: every control, results that match
cnnviz.attribution on the same input, the occlusion window sliding, and clear messages."""

import numpy as np
import pytest

pytest.importorskip("torch")

from gui_helpers import described, drag  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from torch import nn  # noqa: E402

from cnnviz.core import attribution  # noqa: E402
from cnnviz.core.inference import MNIST_INFO, load_default_model  # noqa: E402
from cnnviz.core.model_source import ModelSource  # noqa: E402

VERTICAL = [(0.5, 0.15), (0.5, 0.85)]


@pytest.fixture
def draw(main_window, qtbot):
    from cnnviz.gui.pages.draw_page import DrawPage

    page = main_window.show_page(DrawPage)
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.settled, timeout=10000)  # its model built and described
    return page


@pytest.fixture
def why(draw, qtbot):
    draw.why_tabs.setCurrentWidget(draw.why_tabs.why)
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(draw.why_tabs.why.settled, timeout=10000)
    return draw.why_tabs.why


def choose(qtbot, panel, box, text):
    box.setCurrentText(text)
    qtbot.waitUntil(panel.settled, timeout=10000)
    return panel.result


def test_the_map_of_the_predicted_class_is_shown_over_the_input(draw, why):
    assert why.result["method"] == "Saliency"
    assert why.result["target"] == why.result["predicted"] == draw.bars.top() == 1
    overlay = why.view.overlay.image
    assert overlay.shape == (28, 28, 4) and overlay[..., 3].max() > 0
    assert why.view.title.text().startswith("Saliency for 1 (the predicted class)")
    np.testing.assert_array_equal(why.view.base.image, why.result["image"].mean(axis=0))


@pytest.mark.parametrize(
    "method,call",
    [
        ("Saliency", lambda m, im, t: attribution.saliency(m, im, t)),
        ("Integrated gradients", lambda m, im, t: attribution.integrated_gradients(m, im, t)),
        ("Occlusion", lambda m, im, t: attribution.occlusion(m, im, t, window=7, stride=3)),
        ("Grad-CAM", lambda m, im, t: attribution.grad_cam(m, im, t, layer="conv2")),
    ],
)
def test_each_method_for_a_chosen_class_matches_the_library(qtbot, why, method, call):
    why.target_box.setCurrentText("3")
    result = choose(qtbot, why, why.method_box, method)
    assert result["method"] == method and result["target"] == 3
    expected = call(load_default_model(), result["image"], 3)
    np.testing.assert_allclose(result["map"], expected, rtol=1e-5, atol=1e-7)
    assert why.view.title.text().startswith(f"{method} for 3 (predicted: 1)")


def test_controls_are_enabled_for_their_method_only(qtbot, why):
    assert not why.layer_box.isEnabled() and not why.window_spin.isEnabled()
    choose(qtbot, why, why.method_box, "Grad-CAM")
    assert why.layer_box.isEnabled() and not why.play_button.isEnabled()
    assert why.layer_box.currentText() == "conv2"  # the last convolution
    result = choose(qtbot, why, why.layer_box, "conv1")
    expected = attribution.grad_cam(load_default_model(), result["image"], 1, layer="conv1")
    np.testing.assert_allclose(result["map"], expected, rtol=1e-5, atol=1e-7)
    choose(qtbot, why, why.method_box, "Occlusion")
    assert why.window_spin.isEnabled() and why.stride_spin.isEnabled()
    assert not why.layer_box.isEnabled()


def test_window_and_stride_set_the_occlusion_grid(qtbot, why):
    choose(qtbot, why, why.method_box, "Occlusion")
    why.window_spin.setValue(4)
    assert why.stride_spin.maximum() == 4 and why.stride_spin.value() == 3
    why.stride_spin.setValue(2)
    qtbot.waitUntil(why.settled, timeout=10000)
    assert why.result["map"].shape == (13, 13) and len(why.result["positions"]) == 169
    rect = why.view.overlay.mapRectToParent(why.view.overlay.boundingRect())
    assert (rect.left(), rect.top(), rect.width()) == (1.0, 1.0, 26.0)  # cells on window centres


def test_opacity_slider_scales_the_overlay(qtbot, why):
    full = int(why.view.overlay.image[..., 3].max())
    why.opacity.setValue(35)
    assert int(why.view.overlay.image[..., 3].max()) == pytest.approx(full / 2, abs=2)
    why.opacity.setValue(0)
    assert why.view.overlay.image[..., 3].max() == 0


def test_the_occlusion_window_slides_over_the_input(qtbot, why):
    result = choose(qtbot, why, why.method_box, "Occlusion")
    why.timer.setInterval(1)
    why.play()
    positions = result["positions"]
    seen = []
    qtbot.waitUntil(
        lambda: (
            seen.append((why.step, why.view.window.isVisible(), why.view.window.rect()))
            or why.step < 0
        ),
        timeout=10000,
    )
    moving = [(step, rect) for step, visible, rect in seen if step >= 0 and visible]
    assert len({step for step, _ in moving}) >= 2
    for step, rect in moving:
        top, left = positions[step]
        assert (rect.top(), rect.left(), rect.width()) == (top, left, 7)
    assert not why.view.window.isVisible() and "Largest drop" in why.caption.text()
    assert np.isfinite(why.view.values).all()  # the whole map once the window has passed


def test_a_step_of_the_slide_shows_the_positions_so_far(qtbot, why):
    choose(qtbot, why, why.method_box, "Occlusion")
    why.play()
    why.timer.stop()
    for _ in range(4):
        why._advance()
    assert why.step == 4 and np.isfinite(why.view.values).sum() == 5
    assert tuple(why.result["positions"][4]) == (0, 12)  # the API's positions count from 0
    assert why.caption.text().startswith("Window 5 of 64 at row 1, column 13")  # from 1


def test_play_without_an_occlusion_map_says_what_to_do(why):
    why.play()
    assert "Choose Occlusion" in why.caption.text() and not why.timer.isActive()


def test_clearing_the_canvas_clears_the_map(qtbot, draw, why):
    qtbot.mouseClick(draw.clear_button, Qt.LeftButton)
    assert why.result is None and why.view.values is None
    assert why.view.title.text() == "Why? Draw something first"


def test_a_hidden_panel_computes_once_it_is_seen(qtbot, draw):
    panel = draw.why_tabs.why
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(draw.settled, timeout=10000)
    assert panel.dirty and panel.client.request_id == 0  # nothing asked of the service yet
    draw.why_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(panel.settled, timeout=10000)
    assert panel.result["target"] == 1 and not panel.dirty


def test_a_model_without_convolutions_says_grad_cam_cannot_work(qtbot, compute):
    from cnnviz.gui.widgets.attribution_panel import AttributionPanel

    panel = AttributionPanel()
    qtbot.addWidget(panel)
    panel.use_service(compute)
    panel.show()
    linear = lambda: (nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), MNIST_INFO)  # noqa: E731
    panel.set_model(*described(ModelSource("a linear model", linear)))
    panel.set_image(np.full((1, 28, 28), 0.5, np.float32))
    qtbot.waitUntil(panel.settled, timeout=10000)
    assert panel.result["method"] == "Saliency"
    panel.method_box.setCurrentText("Grad-CAM")
    qtbot.waitUntil(panel.settled, timeout=10000)
    assert panel.result is None and "Cannot make this map" in panel.caption.text()
    assert "convolution layers: []" in panel.caption.text()
    panel.shutdown()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10000)


# -- Fool it --------------------------------------------------------------------------------------
@pytest.fixture
def fool(draw, qtbot):
    draw.why_tabs.setCurrentWidget(draw.why_tabs.fool)
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(draw.why_tabs.fool.settled, timeout=10000)
    return draw.why_tabs.fool


def test_the_eps_slider_changes_the_digit_within_eps(qtbot, fool):
    for value in (0, 10, 60):
        fool.eps_slider.setValue(value)
        qtbot.waitUntil(fool.settled, timeout=10000)
        result, eps = fool.result, value * 0.005
        assert result["eps"] == pytest.approx(eps) and fool.eps_label.text() == f"ε = {eps:.3f}"
        change = result["adversarial"] - (result["adversarial"] - result["perturbation"])
        assert np.abs(change).max() <= eps + 1e-6
        assert result["adversarial"].min() >= 0 and result["adversarial"].max() <= 1
        np.testing.assert_array_equal(fool.bars.probabilities, result["probabilities"])
        np.testing.assert_array_equal(fool.fooled.image.image, result["adversarial"][0])
    assert fool.maps.image.image is not None and fool.maps.title.text() == "conv1, fooled input"


def test_eps_zero_changes_nothing(qtbot, fool):
    fool.eps_slider.setValue(0)
    qtbot.waitUntil(fool.settled, timeout=10000)
    assert not fool.result["perturbation"].any() and fool.prediction.text().endswith("not fooled")
    np.testing.assert_allclose(fool.result["probabilities"], fool.result["clean"], atol=1e-6)


def test_make_it_say_a_class_pushes_towards_it(qtbot, fool):
    fool.eps_slider.setValue(60)  # ε = 0.3
    fool.goal_box.setCurrentText("Make it say 3 (PGD)")
    qtbot.waitUntil(fool.settled, timeout=10000)
    result = fool.result
    assert result["target"] == 3 and result["probabilities"][3] > result["clean"][3]
    now = int(np.argmax(result["probabilities"]))
    assert fool.prediction.text().startswith("Now it says")
    assert fool.prediction.text().endswith("fooled as asked" if now == 3 else "not yet")


def test_the_fooled_maps_follow_the_layer_box(qtbot, fool):
    fool.layer_box.setCurrentText("conv2")
    qtbot.waitUntil(fool.settled, timeout=10000)
    assert fool.result["maps"].shape == (20, 8, 8)
    assert fool.maps.title.text() == "conv2, fooled input"


# -- Accuracy(ε) ----------------------------------------------------------------------------------
def test_the_accuracy_curve_is_computed_with_progress(qtbot, draw):
    panel = draw.why_tabs.robustness
    draw.why_tabs.setCurrentWidget(panel)
    panel.count.setValue(100)
    steps = []
    panel.client.progress.connect(lambda i, done, total: steps.append((i, done, total)))
    qtbot.mouseClick(panel.compute_button, Qt.LeftButton)
    assert not panel.compute_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.running, timeout=30000)
    xs, ys = panel.curve.getData()
    assert len(xs) == 9 and ys[0] > ys[-1] and 0 <= ys.min() and ys.max() <= 100
    # (a model that arrives after Compute starts the run again on it: the last request's)
    qtbot.waitUntil(lambda: (panel.client.request_id, 900, 900) in steps)
    assert len(steps) >= 9  # in slices: one per ε at least (the service answers between)
    assert panel.progress.value() == panel.progress.maximum()
    assert panel.summary.text().startswith("100 test images; clean accuracy")
    assert panel.compute_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_the_accuracy_run_can_be_cancelled_and_a_new_model_clears_the_curve(qtbot, draw):
    panel = draw.why_tabs.robustness
    draw.why_tabs.setCurrentWidget(panel)
    panel.count.setValue(10000)
    panel.compute()
    qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.running, timeout=30000)
    assert panel.summary.text().startswith("Cancelled") and panel.compute_button.isEnabled()
    panel.count.setValue(100)
    panel.compute()
    qtbot.waitUntil(lambda: not panel.running, timeout=30000)
    assert len(panel.curve.getData()[0]) == 9
    draw.source_box.activated.emit(0)  # the default model, chosen again: a new model
    qtbot.waitUntil(draw.settled, timeout=10000)
    xs, _ = panel.curve.getData()
    assert panel.result is None and (xs is None or len(xs) == 0)


def test_closing_the_window_during_an_accuracy_run_cancels_it(qtbot, main_window):
    from cnnviz.gui.pages.draw_page import DrawPage

    draw = main_window.show_page(DrawPage)
    panel = draw.why_tabs.robustness
    panel.count.setValue(10000)
    panel.compute()
    qtbot.waitUntil(lambda: panel.progress.maximum() > 0, timeout=30000)
    main_window.close()
    qtbot.waitUntil(lambda: not main_window.busy_texts(), timeout=5000)


# -- Filters --------------------------------------------------------------------------------------
@pytest.fixture
def small_test_set(draw):
    """The first 500 MNIST test images, so that each search takes a moment."""
    from cnnviz.core.data import load_mnist

    full = load_mnist("test")
    part = type(full)(
        full.name, full.images[:500], full.labels[:500], full.mean, full.std, full.class_names
    )
    draw.why_tabs.filters.test_set = lambda: part
    draw.why_tabs.filters.steps = 20
    return part


def test_a_filters_top_patches_and_picture_are_shown(qtbot, draw, small_test_set):
    panel = draw.why_tabs.filters
    draw.why_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(panel.settled, timeout=60000)
    assert panel.layer_box.currentText() == "conv1" and panel.channel_spin.maximum() == 9
    expected = attribution.top_patches(load_default_model(), small_test_set.images, "conv1")
    np.testing.assert_allclose(panel.patches["conv1"].values, expected.values, rtol=1e-5)
    assert panel.top.shape == (9, 5, 5) and panel.dream.shape == (1, 28, 28)
    assert "receptive field" in panel.top.title.text() and panel.progress.value() == 1
    panel.layer_box.setCurrentText("conv2")
    assert panel.channel_spin.maximum() == 19
    qtbot.waitUntil(panel.settled, timeout=60000)
    assert panel.top.shape == (9, 14, 14) and "channel 1 of conv2" in panel.top.title.text()
    assert panel.channel_spin.value() == 0 and panel.channel_spin.text() == "ch 1"  # from 1


def test_a_found_filter_is_shown_again_without_the_worker(qtbot, draw, small_test_set):
    panel = draw.why_tabs.filters
    draw.why_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(panel.settled, timeout=60000)
    runs = panel.client.request_id
    panel.channel_spin.setValue(3)
    qtbot.waitUntil(panel.settled, timeout=60000)
    assert panel.client.request_id == runs + 1  # the picture only: the patches are kept
    panel.channel_spin.setValue(0)
    assert panel.settled() and panel.client.request_id == runs + 1
    draw.source_box.activated.emit(0)  # the default model, chosen again: a new model
    qtbot.waitUntil(draw.settled, timeout=10000)
    assert not panel.patches and not panel.pictures  # another model: found again


def test_clicking_a_feature_map_opens_its_filter(qtbot, draw, small_test_set):
    drag(draw.canvas, VERTICAL)
    qtbot.waitUntil(lambda: draw.shown_id == draw.request_id, timeout=10000)
    draw.maps.channel_clicked.emit(6)
    panel = draw.why_tabs.filters
    assert draw.why_tabs.currentWidget() is panel and panel.channel_spin.value() == 6
    assert panel.channel_spin.text() == "ch 7"  # channel 6 counted from 1, as its title
    qtbot.waitUntil(panel.settled, timeout=60000)
    draw.layer_box.setCurrentText("mp")
    assert not draw.why_tabs.show_filter("mp", 0)  # pooling has no filters


def test_no_test_images_is_said_clearly(qtbot, draw):
    panel = draw.why_tabs.filters
    panel.test_set = lambda: None
    draw.why_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(panel.settled, timeout=60000)
    assert "Cannot show this filter: no test images" in panel.caption.text()


def test_models_are_built_and_used_in_the_compute_thread_and_the_page_holds_none(qtbot, draw):
    import threading

    from cnnviz.gui.workers.compute_service import ComputeClient

    built_in = []

    def build():
        built_in.append(threading.get_ident())
        return load_default_model(), MNIST_INFO

    draw.why_tabs.setCurrentWidget(draw.why_tabs.why)
    image = (np.random.default_rng(0).random((1, 28, 28)) * 255).astype(np.uint8)
    draw.show_test_image(image, ModelSource("a recorded model", build))  # as the Train page
    qtbot.waitUntil(draw.settled, timeout=10000)
    qtbot.waitUntil(draw.why_tabs.why.settled, timeout=10000)
    assert "a recorded model" in draw.model_label.text() and draw.why_tabs.why.result
    probe = ComputeClient(draw.context.compute, "probe")
    with qtbot.waitSignal(probe.result, timeout=10000) as signal:
        probe.submit(None, lambda: {"thread": threading.get_ident()})
    assert built_in == [signal.args[0]["thread"]] != [threading.get_ident()]  # built once, there
    holders = [draw, draw.controller, draw.why_tabs, *draw.why_tabs.panels()]
    assert not [v for h in holders for v in vars(h).values() if isinstance(v, nn.Module)]


def test_the_panels_are_built_one_per_turn_after_the_page_and_given_what_it_has(qtbot, compute):
    """WhyTabs builds no panel with itself (the four held the Draw page's build for about
    50 ms): each comes on a later turn of the event loop, or at once when its tab is shown,
    with the service, model and drawing given before it existed. Shut down, it builds no
    more."""
    from PySide6.QtWidgets import QWidget

    from cnnviz.gui.widgets.why_tabs import WhyTabs

    image = np.zeros((1, 28, 28), np.float32)
    from dataclasses import replace

    info = replace(MNIST_INFO, dataset="given before the panels were built")
    source = ModelSource("test", lambda: (load_default_model(), info))
    tabs = WhyTabs(QWidget(), lambda: None)
    qtbot.addWidget(tabs)
    try:
        tabs.use_service(compute)
        tabs.set_model(*described(source))
        tabs.set_image(image)
        assert tabs.panels() == ()
        tabs.setCurrentIndex(3)  # Accuracy(ε): built now, in its tab
        assert tabs.currentWidget() is tabs._built["robustness"] and len(tabs.panels()) == 1
        qtbot.waitUntil(lambda: len(tabs.panels()) == 4)
        assert tabs.currentIndex() == 3
        assert all(panel.info is info and panel.source is source for panel in tabs.panels())
        assert all(panel.client.service is compute for panel in tabs.panels())
        assert np.array_equal(tabs.why.image, image) and np.array_equal(tabs.fool.image, image)
        assert [tabs.tabText(i) for i in range(tabs.count())] == [
            "Maps",
            "Why?",
            "Fool it",
            "Accuracy(ε)",
            "Filters",
        ]
    finally:
        tabs.shutdown()
        assert not any(panel.is_busy() for panel in tabs.panels())

    closed = WhyTabs(QWidget(), lambda: None)
    qtbot.addWidget(closed)
    closed.shutdown()
    qtbot.wait(50)
    assert closed.panels() == ()


def test_the_channel_is_typed_counting_from_1(qtbot):
    """The filter panel's channel box shows and reads channels from 1; its value (the
    channel's index, as the API takes it) from 0."""
    from PySide6.QtGui import QValidator

    from cnnviz.gui.widgets.filter_panel import ChannelSpin

    spin = ChannelSpin()
    qtbot.addWidget(spin)
    spin.setPrefix("ch ")
    spin.setRange(0, 9)
    assert spin.text() == "ch 1"
    spin.lineEdit().setText("ch 10")
    spin.interpretText()
    assert spin.value() == 9 and spin.text() == "ch 10"
    assert spin.validate("ch 11", 5)[0] == QValidator.Intermediate  # past the last channel
    assert spin.validate("ch x", 4)[0] == QValidator.Invalid
