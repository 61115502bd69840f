"""The One step page's controller, without Qt or a display: its jobs run on a real ComputeQueue
(stepped here, as the compute thread does), its view is a recorder. It holds no module and
steps a module of its own (never the one the other pages share); its numbers are autograd's
and torch.optim.SGD's; the latest request wins; Reset returns to the start weights."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from cnnviz.core.compute_queue import ComputeQueue  # noqa: E402
from cnnviz.core.inference import MNIST_INFO, load_default_model  # noqa: E402
from cnnviz.core.model_source import copy_state, default_source  # noqa: E402
from cnnviz.gui.pages import learn_jobs  # noqa: E402
from cnnviz.gui.pages.learn_controller import LearnController  # noqa: E402
from cnnviz.gui.pages.learn_update import update_text  # noqa: E402


class View:
    """Records what the controller shows; answers with a blank canvas."""

    def __init__(self):
        self.shown: dict = {}
        self.calls: list[str] = []
        self.canvas = np.zeros((280, 280), np.uint8)

    def __getattr__(self, name):
        if not name.startswith(("show_", "put_", "clear_", "go_to_", "select_")):
            raise AttributeError(name)

        def record(*args):
            self.calls.append(name)
            self.shown[name] = args

        return record

    def canvas_image(self):
        return self.canvas

    def has_strokes(self):
        return False


class Jobs:
    """The page's compute clients on a ComputeQueue stepped by :meth:`run` (only the latest
    request of a name is answered, as with ComputeClient)."""

    def __init__(self):
        self.queue = ComputeQueue()
        self.latest: dict[str, int] = {}
        self.ids = 0
        self.answers: dict = {}
        self.sources: list = []

    def submit(self, name, source, job, *args) -> int:
        self.ids += 1
        self.latest[name] = self.ids
        self.sources.append(source)
        self.queue.submit(name, self.ids, source, job, *args)
        return self.ids

    def cancel(self, name) -> None:
        self.latest[name] = -1
        self.queue.cancel(name)

    def run(self) -> None:
        while (outcome := self.queue.step()) is not None:
            if outcome.final and self.latest.get(outcome.kind) == outcome.request_id:
                result = {"id": outcome.request_id, **(outcome.result or {})}
                if outcome.error:
                    result["error"] = outcome.error
                self.answers[outcome.kind](result)


@pytest.fixture
def learn():
    view, jobs = View(), Jobs()
    controller = LearnController(view, jobs)
    view.controller = controller
    jobs.answers = {
        "start": controller.on_started,
        "test": controller.on_test_image,
        "backward": controller.on_backward,
        "step": controller.on_step,
        "measure": controller.on_measured,
    }
    controller.start()
    jobs.run()
    assert controller.ready(), view.shown.get("show_message")
    return controller, view, jobs


def mnist_test_image(index: int) -> tuple[np.ndarray, int]:
    from cnnviz.core.data import load_mnist

    test = load_mnist("test")
    return test.images[index].numpy().astype(np.float32) / 255.0, int(test.labels[index])


def test_the_loss_and_every_gradient_are_autograd_s(learn):
    controller, view, _ = learn
    image, label = mnist_test_image(0)
    assert controller.label == label == 7 and view.shown["show_label"] == (7,)
    model = load_default_model().eval()
    x = torch.from_numpy((image - MNIST_INFO.mean) / MNIST_INFO.std)[None].requires_grad_(True)
    loss = F.nll_loss(model(x), torch.tensor([label]))
    loss.backward()
    back = controller.backward
    assert back["loss"] == pytest.approx(float(loss.detach()), rel=1e-5)
    assert back["loss_text"].startswith("L = −log p")
    for name, p in model.named_parameters():
        np.testing.assert_allclose(back["parameters"][name], p.grad.numpy(), rtol=1e-5, atol=1e-9)
    # the overview's fc node holds ∂L/∂z = p − one-hot
    trace = back["trace"]
    onehot = np.eye(10)[label]
    np.testing.assert_allclose(trace.node("fc").value, back["probabilities"] - onehot, atol=1e-6)
    # the input keeps its pixels, the probabilities theirs
    np.testing.assert_allclose(trace.node("input").value, back["forward"].node("input").value)
    assert trace.node("probabilities").value.sum() == pytest.approx(1, abs=1e-5)
    # hovering the input says its gradient, not its pixel (which its map shows)
    from cnnviz.core.explain import num
    from cnnviz.gui.pages.learn_walk import hover_text

    text = hover_text(back, 0, 0, 10, 12)
    # named as its arithmetic's title names it: counted from 1
    grad = num(float(x.grad[0, 0, 10, 12]))
    assert text.startswith(f"∂L/∂input · channel 1, row 11, column 13 = {grad}  ·")
    assert text.endswith(f"the unit is {num(float(x.detach()[0, 0, 10, 12]))}")
    assert back["layer_params"] == {
        "conv1": ["conv1.weight", "conv1.bias"],
        "conv2": ["conv2.weight", "conv2.bias"],
        "fc": ["fc.weight", "fc.bias"],
    }


def test_the_walk_goes_from_the_loss_back_to_the_first_layer(learn):
    controller, view, _ = learn
    labels = [controller.backward["trace"].nodes[i].label for i in controller.walk()]
    assert labels == [
        "log_softmax",
        "fc",
        "reshape",
        "relu (call 2)",
        "mp (call 2)",
        "conv2",
        "relu",
        "mp",
        "conv1",
    ]
    controller.walk_to(0)
    assert "the loss itself: L = −log p" in view.shown["show_walk"][1]
    controller.walk_to(1)
    assert "p − one-hot" in view.shown["show_walk"][1]
    assert "Weights tab" in view.shown["show_walk"][1]  # fc has weights
    controller.walk_to(5)
    assert "winner" in view.shown["show_walk"][1]  # conv2's gradient comes through max pooling
    controller.walk_to(99)  # past the end: the last step
    assert controller.walk_index == 8 and controller.focus_label() == "conv1"


def test_a_new_label_asks_again_and_the_latest_request_wins(learn):
    controller, view, jobs = learn
    answered = []
    jobs.answers["backward"] = lambda r: (answered.append(r), controller.on_backward(r))
    controller.set_label(3)
    controller.set_label(5)
    assert not controller.ready()
    jobs.run()
    assert len(answered) == 1 and answered[0]["label"] == 5 and controller.ready()
    p = controller.backward["probabilities"]
    assert controller.backward["loss"] == pytest.approx(-np.log(p[5]), rel=1e-4)


def test_the_page_steps_a_module_of_its_own_and_the_shared_one_stays(learn):
    controller, _, jobs = learn
    shared = default_source()
    assert shared not in jobs.sources and controller.source is not shared
    # the shared module is built in the same compute thread, before and after the steps
    jobs.queue.submit("shared", 1, shared, lambda model, info: {"state": copy_state(model)})
    before = jobs.queue.step().result["state"]
    for _ in range(2):
        assert controller.take_step(0.1, 0.5, 4)
        jobs.run()
    jobs.queue.submit("shared", 2, shared, lambda model, info: {"state": copy_state(model)})
    after = jobs.queue.step().result["state"]
    for name in before:
        assert torch.equal(before[name], after[name])
    start, current = controller.session.start, controller.session.current
    assert not np.array_equal(start["conv1.weight"], current["conv1.weight"])
    # the session's weights are numpy, held by the controller
    assert all(isinstance(v, np.ndarray) for v in current.values())


def test_a_source_from_elsewhere_is_stepped_on_a_module_of_the_page_s_own(learn):
    """The training run's snapshot (or a file's source) may be another page's too: the page
    builds its own module from it, and the other page's module stays as it was."""
    from cnnviz.core.model_source import weights_source
    from cnnviz.core.models import build

    controller, view, jobs = learn
    outside = weights_source(
        lambda: build("simple"), copy_state(load_default_model()), MNIST_INFO, "a snapshot"
    )
    jobs.queue.submit("shared", 1, outside, lambda model, info: {"state": copy_state(model)})
    before = jobs.queue.step().result["state"]
    controller.use_source("training run", outside)
    jobs.run()
    assert controller.ready() and controller.model == "training run"
    assert outside not in jobs.sources and controller.source is not outside
    assert "a snapshot" in view.shown["show_model_text"][0]
    for _ in range(2):
        assert controller.take_step(0.1, 0.5, 4)
        jobs.run()
    jobs.queue.submit("shared", 2, outside, lambda model, info: {"state": copy_state(model)})
    after = jobs.queue.step().result["state"]
    for name in before:
        assert torch.equal(before[name], after[name])
    assert controller.session.steps == 2


def test_two_steps_with_momentum_are_torch_sgd_s(learn):
    controller, view, jobs = learn
    image, label = mnist_test_image(0)
    model = load_default_model()
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    cursor = 0
    for _ in range(2):
        images, targets, cursor = learn_jobs.training_batch(image, label, cursor, 5)
        model.train()
        optimiser.zero_grad()
        x = torch.from_numpy((images - MNIST_INFO.mean) / MNIST_INFO.std)
        F.nll_loss(model(x), torch.from_numpy(targets)).backward()
        optimiser.step()
        assert controller.take_step(0.05, 0.5, 5)
        jobs.run()
    result = view.shown["show_update"][0]
    assert result["batch_size"] == 5 and controller.session.cursor == 8
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(
            controller.session.current[name], value.detach().numpy(), rtol=1e-5, atol=1e-7
        )
    assert controller.session.buffer is not None and controller.session.steps == 2
    history = controller.session.history
    assert [h["step"] for h in history] == [1, 2]
    # the second step starts where the first ended
    assert history[1]["image_loss_before"] == pytest.approx(history[0]["image_loss"], rel=1e-5)
    assert controller.ready()  # the gradients at the new weights are on screen


def test_a_step_on_a_wrong_label_lowers_its_loss_and_reset_returns(learn):
    controller, view, jobs = learn
    controller.set_label(3)  # test image 0 is a 7: a large loss to lower
    jobs.run()
    loss = controller.backward["loss"]
    assert controller.take_step(0.05, 0.0, 2)
    jobs.run()
    result = view.shown["show_update"][0]
    assert result["image_loss_before"] == pytest.approx(loss, rel=1e-4)
    assert result["image_loss_after"] < result["image_loss_before"]
    assert result["probs_after"][3] > result["probs_before"][3]
    assert controller.backward["loss"] == pytest.approx(result["image_loss_after"], rel=1e-4)
    assert result["buffer"] is None  # no momentum, no buffer
    # each image's gradient of the chosen weight: their mean is the batch's gradient
    name, index = result["weight"]
    assert len(result["shares"]) == 2
    assert result["share_mean"] == pytest.approx(np.mean(result["shares"]), rel=1e-5)
    assert "On 1,000 test images: measuring…" in view.shown["show_update"][2]
    # the test images are measured in a job of their own, after the step
    assert controller.measured()
    (before, accuracy_before), (after, accuracy_after) = controller.last_result["test"]
    from cnnviz.core.data import load_mnist

    test = load_mnist("test")
    x = (test.images[:1000].float() / 255 - MNIST_INFO.mean) / MNIST_INFO.std
    with torch.no_grad():
        out = load_default_model().eval()(x)
    y = test.labels[:1000].long()
    assert before == pytest.approx(float(F.nll_loss(out, y)), rel=1e-4)
    assert accuracy_before == pytest.approx(100 * float((out.argmax(1) == y).float().mean()))
    assert np.isfinite(after) and 0 <= accuracy_after <= 100
    text = view.shown["show_update_text"][0]
    assert text == update_text(controller.last_result)
    assert "the loss on this image went from" in text and "On 1,000 test images: went" in text
    assert controller.session.test_loss == (after, accuracy_after)
    controller.reset()
    jobs.run()
    assert controller.session.steps == 0 and controller.session.history == []
    for k, v in controller.session.start.items():
        np.testing.assert_array_equal(controller.session.current[k], v)
    assert controller.backward["loss"] == pytest.approx(loss, rel=1e-6)
    assert view.calls[-1] != "show_update" and "clear_update" in view.calls


def test_a_fresh_net_starts_a_session_of_its_own(learn):
    controller, view, jobs = learn
    controller.use_model("fresh")
    jobs.run()
    assert "fresh" in view.shown["show_model_text"][0]
    assert controller.backward["loss"] > 1.5  # an untrained net: about −log(1/10)
    with pytest.raises(ValueError, match="no model"):
        controller.use_model("nonsense")


def test_a_lesson_s_label_unit_and_steps_are_taken_once_its_gradients_are_in(learn):
    controller, view, jobs = learn
    lesson = {"label": 2, "unit": ["fc", 2, None, None], "step": 1, "walk": 3}
    controller.expect_lesson(lesson, {"image"})
    controller.set_label(2, ask=False)
    controller.show_test_image(1)  # a 2: its own label is 2 too; the lesson's wins anyway
    assert controller.unit_state(0) == (["fc", 2, None, None], 1)
    jobs.run()
    assert controller.pending_lesson is None and controller.label == 2
    assert view.shown["select_unit"][:4] == (controller.node_index("fc"), 2, None, None)
    assert view.shown["go_to_unit_step"] == (1,) and view.shown["go_to_walk"] == (3,)
    # the title counts from 1 as the page's words do; the lesson's unit stays 0-based
    controller.clicked(controller.node_index("conv2"), 3, 2, 5)
    assert controller.lesson_title() == "One step: ∂L/∂conv2, channel 4, row 3, column 6"
    assert controller.unit_state(0) == (["conv2", 3, 2, 5], 0)
