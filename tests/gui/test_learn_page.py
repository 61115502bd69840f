"""One step page: click a gradient unit of each kind and read its chain rule against torch
autograd; walk the backward pass; take steps, watch the weights and the loss move, reset;
open a convolution's numbers on the Backward page; lessons, the deck's stop and the export."""

import numpy as np
import pytest

pytest.importorskip("torch")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from gui_helpers import drag  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402

from cnnviz.core.explain import num  # noqa: E402
from cnnviz.core.inference import MNIST_INFO, load_default_model  # noqa: E402
from cnnviz.gui.pages.backward_page import BackwardPage  # noqa: E402
from cnnviz.gui.pages.learn_page import LearnPage  # noqa: E402

WRONG = 3  # test image 0 is a 7: against label 3 its gradients are large


@pytest.fixture
def learn(main_window, qtbot):
    page = main_window.show_page(LearnPage)
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.ready, timeout=30000)
    return page


def set_label(page, qtbot, label):
    page.label_box.setCurrentIndex(label)
    page.label_box.activated.emit(label)
    qtbot.waitUntil(
        lambda: page.ready() and page.controller.backward["label"] == label, timeout=20000
    )


def click(qtbot, page, layer, channel, row=None, col=None):
    """A real mouse click on the gradient unit in the overview."""
    view = page.overview
    index = page.controller.node_index(layer)
    scene = view.unit_scene_pos(index, channel, row, col)
    view.centerOn(scene)
    point = view.mapFromScene(scene)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=QPoint(point.x(), point.y()))
    return index


def autograd(label):
    """∂L/∂(every output) of the shipped net on test image 0, by torch autograd."""
    from cnnviz.core.data import load_mnist

    image = load_mnist("test").images[0].numpy().astype(np.float32) / 255.0
    m = load_default_model().eval()
    x = torch.from_numpy((image - MNIST_INFO.mean) / MNIST_INFO.std)[None]
    outs = {}
    outs["conv1"] = m.conv1(x)
    outs["mp"] = m.mp(outs["conv1"])
    outs["relu"] = F.relu(outs["mp"])
    outs["conv2"] = m.conv2(outs["relu"])
    outs["mp (call 2)"] = m.mp(outs["conv2"])
    outs["relu (call 2)"] = F.relu(outs["mp (call 2)"])
    outs["fc"] = m.fc(outs["relu (call 2)"].view(1, -1))
    outs["log_softmax"] = F.log_softmax(outs["fc"], dim=1)
    for t in outs.values():
        t.retain_grad()
    F.nll_loss(outs["log_softmax"], torch.tensor([label])).backward()
    return {k: v.grad[0].numpy() for k, v in outs.items()}


@pytest.mark.parametrize(
    "layer, unit, words",
    [
        ("conv2", (3, 4, 5), "winner"),  # a convolution's output: back through max pooling
        ("mp (call 2)", (3, 2, 2), "ReLU"),  # max pooling's output: through the ReLU
        ("relu", (3, 5, 6), "flipped kernel"),  # a ReLU's output: through conv2
        ("fc", (5,), "p − one-hot"),  # the linear layer's output: through log_softmax
        ("log_softmax", (WRONG,), "NLL"),  # log_softmax's output: the loss itself
    ],
)
def test_a_clicked_gradient_unit_writes_out_its_chain_rule_with_autograd_s_numbers(
    qtbot, learn, layer, unit, words
):
    set_label(learn, qtbot, WRONG)
    index = click(qtbot, learn, layer, *unit)
    expected = float(autograd(WRONG)[layer][unit])
    shown = learn.arithmetic.explanation
    assert learn.controller.selected == (layer, *unit, *([None, None] if len(unit) == 1 else []))
    assert shown.value == pytest.approx(expected, rel=1e-4, abs=1e-9)
    assert learn.arithmetic.heading.text().endswith(f"= {num(shown.value)}")
    assert learn.arithmetic.heading.text().startswith(f"∂L/∂{layer}")
    rule = shown.steps[0].text
    assert words in rule
    terms = shown.steps[1].text.splitlines()
    assert terms[-1] == f"Σ = {num(shown.value)}"
    # the units it depends on are outlined, and the unit itself marked
    assert not learn.overview._outlines["selected"].path().isEmpty() or layer == "log_softmax"
    assert learn.overview._marker.isVisible()
    assert learn.overview.items_by_node[index].node.label == layer
    # hovering says the unit's gradient (and its value on the forward pass)
    learn._on_hover(index, *unit, *([None, None] if len(unit) == 1 else []))
    assert learn.hover_label.text().startswith(f"∂L/∂{layer}")
    assert f"= {num(shown.value)}  ·" in learn.hover_label.text()
    # the terms' sum is autograd's number, step by step through the panel
    learn.arithmetic.step_bar.last_step()
    assert learn.arithmetic.step_title.text()


def test_a_convolution_s_terms_are_grids_and_open_on_the_backward_page(qtbot, main_window, learn):
    set_label(learn, qtbot, WRONG)
    click(qtbot, learn, "relu", 3, 5, 6)
    shown = learn.arithmetic.explanation
    grids = [s for s in shown.steps if s.window is not None]
    assert grids and all(s.kernel.shape == s.window.shape for s in grids)
    assert not learn.backward_link.isHidden()
    learn.arithmetic.step_bar.set_index(2)
    assert learn.arithmetic.window.isVisible() and learn.arithmetic.kernel.isVisible()
    learn.backward_link.click()
    backward = main_window.current_page()
    assert isinstance(backward, BackwardPage)
    state = backward.lesson_state()
    grads = autograd(WRONG)
    weight = load_default_model().conv2.weight.detach().numpy()
    # one output channel o: its ∂L/∂Y and the kernel from the unit's channel 3 to it
    out = next(o for o in range(20) if np.allclose(state["kernel"], weight[o, 3]))
    np.testing.assert_allclose(state["grad_out"], grads["conv2"][out], rtol=1e-4, atol=1e-9)
    assert any(f"output channel {out + 1}: ∂L/∂Y[{out}]" in s.title for s in grids)  # from 1
    assert np.abs(grads["conv2"][out]).sum() > 0  # a channel the gradient flows through


def test_small_gradients_get_the_decimals_they_need(qtbot, learn):
    from cnnviz.gui.pages.learn_page import decimals_for

    assert decimals_for([0.3, -0.02]) == 3 and decimals_for([2.5e-5, 0]) == 6
    assert decimals_for([0.0042]) == 4 and decimals_for([np.nan, 0]) == 3
    click(qtbot, learn, "relu", 3, 5, 6)  # test image 0 against its own label: tiny numbers
    steps = learn.arithmetic.explanation.steps
    grid = max(
        (i for i, s in enumerate(steps) if s.window is not None),
        key=lambda i: np.abs(steps[i].window).max(),
    )
    learn.arithmetic.step_bar.set_index(grid)
    window = steps[grid].window
    largest = np.unravel_index(np.abs(window).argmax(), window.shape)
    text = learn.arithmetic.window.model.look(*largest)[0]
    assert len(text.split(".")[1]) == decimals_for(window)  # its decimals, shown
    assert text.strip("−-0.") != ""  # the largest gradient shows its digits, not 0.000


def test_the_walk_steps_through_the_backward_pass_right_to_left(qtbot, learn):
    assert learn.stepper() is learn.walk_bar and learn.step_count() == 9
    learn.first_step()
    assert "the loss itself" in learn.walk_text.text()
    learn.next_step()
    assert "∂L/∂(fc)" in learn.walk_text.text() and "p − one-hot" in learn.walk_text.text()
    assert learn.weights.layer == "fc" and ("fc.weight", "grad") in learn.weights.cells
    learn.last_step()
    assert "∂L/∂(conv1)" in learn.walk_text.text() and learn.weights.layer == "conv1"
    assert not learn.overview._outlines["selected"].path().isEmpty()
    learn.scale_box.setCurrentIndex(learn.scale_box.findData("network"))
    assert learn.overview.scale_mode == "network" and "whole network" in learn.legend.text()
    # a clicked unit has the focus until the walk moves on
    click(qtbot, learn, "fc", 2)
    assert learn.weights.layer == "fc" and learn.controller.selected == ("fc", 2, None, None)
    learn.previous_step()
    assert learn.controller.selected is None and "∂L/∂(mp)" in learn.walk_text.text()
    assert learn.weights.layer is None and "mp has no weights" in learn.weights.heading.text()
    assert learn.arithmetic.explanation is None


def test_steps_move_the_weights_and_the_loss_and_reset_returns(qtbot, learn):
    set_label(learn, qtbot, WRONG)
    loss = learn.controller.backward["loss"]
    start = learn.controller.backward["weights"]["conv1.weight"].copy()
    learn.lr.setValue(0.05)
    learn.batch.setValue(2)
    learn.step_button.click()
    qtbot.waitUntil(
        lambda: learn.ready() and learn.controller.session.steps == 1 and learn.measured(),
        timeout=30000,
    )
    assert learn.step_button.text() == "Step again"
    text = learn.result.text()
    assert f"the loss on this image went from {loss:.3g} to" in text
    assert "On 1,000 test images: went from" in text and "On its batch of 2" in text
    assert learn.controller.backward["loss"] < loss
    qtbot.keyClick(learn.canvas, Qt.Key_Return, Qt.ControlModifier)  # Step again, by its key
    qtbot.waitUntil(lambda: learn.ready() and learn.controller.session.steps == 2, timeout=30000)
    assert len(learn.plots.image_curve.getData()[0]) == 3  # before, after 1, after 2
    learn.walk_bar.last_step()  # conv1: before, gradient, after and the change
    assert {k for (_, k) in learn.weights.cells} == {"before", "grad", "after", "change"}
    after = learn.controller.session.current["conv1.weight"]
    assert not np.array_equal(after, start)
    learn.reset_button.click()
    qtbot.waitUntil(lambda: learn.ready() and learn.controller.session.steps == 0, timeout=30000)
    assert learn.step_button.text() == "Take the step"
    assert learn.controller.backward["loss"] == pytest.approx(loss, rel=1e-6)
    np.testing.assert_array_equal(learn.controller.backward["weights"]["conv1.weight"], start)


def test_every_control_is_safe_while_a_step_runs(qtbot, learn):
    learn.batch.setValue(64)
    learn.step_button.click()
    learn.label_box.setCurrentIndex(1)
    learn.label_box.activated.emit(1)
    learn.reset_button.click()  # the step in hand is dropped
    learn.step_button.click()
    learn.walk_bar.advance()
    learn.random_button.click()
    qtbot.waitUntil(learn.ready, timeout=30000)
    assert learn.controller.session.steps <= 1


def test_a_lesson_keeps_the_image_label_unit_and_steps(qtbot, main_window, learn):
    set_label(learn, qtbot, WRONG)
    learn.walk_bar.set_index(4)
    click(qtbot, learn, "conv2", 3, 4, 5)
    learn.arithmetic.step_bar.set_index(1)
    saved = learn.lesson_state()
    assert saved == {
        "model": "trained",
        "input": {"test_image": 0},
        "label": WRONG,
        "unit": ["conv2", 3, 4, 5],
        "step": 1,
        "walk": 4,
        "scale": "layer",
    }
    learn.controller.show_test_image(5)
    set_label(learn, qtbot, 1)
    learn.controller.clear_selection()
    learn.restore_lesson(saved)
    qtbot.waitUntil(lambda: learn.ready() and not learn.restoring(), timeout=30000)
    assert learn.lesson_state() == saved
    assert learn.label_box.currentIndex() == WRONG
    with pytest.raises(ValueError, match="its label"):
        learn.restore_lesson({**saved, "label": 12})
    assert learn.lesson_state() == saved


def test_the_lecture_deck_s_stop_opens_one_training_step(qtbot, main_window):
    from cnnviz.core.deck import lecture_deck

    deck = lecture_deck()
    index = next(i for i, s in enumerate(deck.stops) if s.lesson.page == "One step")
    assert "training step" in deck.stops[index].caption
    main_window.deck.open_lecture()
    main_window.deck.go_to(index)
    page = main_window.current_page()
    assert isinstance(page, LearnPage)
    qtbot.waitUntil(lambda: page.ready() and not page.restoring(), timeout=30000)
    assert page.lesson_state()["label"] == 7


def test_headless_export_of_the_walk(qapp, tmp_path):
    from cnnviz.cli import main as cli_main
    from cnnviz.core.lesson import Lesson, save_lesson

    state = {"input": {"test_image": 0}, "label": WRONG, "walk": 0}
    save_lesson(tmp_path / "one.cnnviz", Lesson("One step", state, title="Backward"))
    out = tmp_path / "frames"
    args = ["export", str(tmp_path / "one.cnnviz"), "-o", f"{out}/", "--size", "640x400"]
    assert cli_main(args) == 0
    assert len(list(out.iterdir())) == 1 + 9  # the title, then one frame per layer


def test_a_clicked_weight_writes_out_its_gradient_and_is_the_one_whose_shares_are_shown(
    qtbot, learn
):
    set_label(learn, qtbot, WRONG)
    learn.walk_bar.last_step()  # conv1
    learn.tabs.setCurrentIndex(1)
    picture = learn.weights.cells[("conv1.weight", "grad")]
    qtbot.waitExposed(picture)
    scale = picture.pixmap().width() / picture.image_width
    # filter 3 stands in column 1, row 1 of the two rows of 5×5 tiles (and a seam each)
    x, y = (1 * 6 + 4 + 0.5) * scale, (1 * 6 + 2 + 0.5) * scale
    qtbot.mouseClick(picture, Qt.LeftButton, pos=QPoint(int(x), int(y)))
    assert learn.tabs.currentIndex() == 0
    shown = learn.arithmetic.explanation
    model = load_default_model().eval()
    from cnnviz.core.data import load_mnist

    image = load_mnist("test").images[0].numpy().astype(np.float32) / 255.0
    x_in = torch.from_numpy((image - MNIST_INFO.mean) / MNIST_INFO.std)[None]
    F.nll_loss(model(x_in), torch.tensor([WRONG])).backward()
    expected = float(model.conv1.weight.grad[3, 0, 2, 4])
    assert learn.arithmetic.heading.text().startswith("∂L/∂conv1.weight[3, 0, 2, 4] = ")
    assert shown.value == pytest.approx(expected, rel=1e-4)
    assert "correlation" in shown.steps[0].text
    assert learn.controller.chosen_weight() == ("conv1.weight", (3, 0, 2, 4))
    learn.batch.setValue(4)
    learn.step_button.click()
    qtbot.waitUntil(lambda: learn.ready() and learn.controller.session.steps == 1, timeout=30000)
    assert learn.stepped["weight"] == ("conv1.weight", (3, 0, 2, 4))
    assert len(learn.stepped["shares"]) == 4


def test_the_walk_exports_as_a_gif_from_the_window(qtbot, main_window, learn, tmp_path):
    from PIL import Image

    set_label(learn, qtbot, WRONG)
    learn.walk_bar.set_index(3)
    assert main_window.menus.animation.isEnabled()
    path = tmp_path / "walk.gif"
    job = main_window.lesson_files.export_animation(path, (640, 400), fps=4)
    with qtbot.waitSignal(job.finished, timeout=60000):
        pass
    with Image.open(path) as gif:
        assert (gif.n_frames, gif.size) == (1 + 9, (640, 400))  # the title, a frame a layer
    assert learn.walk_bar.index == 3  # the lecturer's page was not moved by the export
    qtbot.waitUntil(lambda: main_window.lesson_files.job is None, timeout=30000)


def test_a_drawing_is_taken_against_the_label_chosen_for_it(qtbot, learn):
    from cnnviz.core.inference import prepare

    learn.canvas.clear()
    drag(learn.canvas, [(0.5, 0.15), (0.5, 0.5), (0.52, 0.85)])  # a 1
    assert learn.test_spin.value() == -1  # "your drawing"
    set_label(learn, qtbot, 1)
    back = learn.controller.backward
    image = prepare(learn.canvas.to_array(), MNIST_INFO)
    model = load_default_model().eval()
    with torch.no_grad():
        out = model(torch.from_numpy((image - MNIST_INFO.mean) / MNIST_INFO.std)[None])
    assert back["loss"] == pytest.approx(float(F.nll_loss(out, torch.tensor([1]))), rel=1e-4)
    assert learn.prediction.text().startswith("L = −log p")
    set_label(learn, qtbot, 7)  # another label: the loss and every gradient again
    assert learn.controller.backward["loss"] == pytest.approx(
        float(F.nll_loss(out, torch.tensor([7]))), rel=1e-4
    )
    assert learn.lesson_state()["input"]["canvas"]  # a lesson keeps the drawing
