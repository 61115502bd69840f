"""The Trace page's controller, without Qt or a display: its jobs run on a real ComputeQueue
(stepped here, as the compute thread does), its view is a recorder. It holds no module, its
answers are plain data, the latest request wins and a model that cannot be used leaves the
previous one in place."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")
import torch  # noqa: E402
from torch import nn  # noqa: E402

from cnnviz.core.compute_queue import ComputeQueue  # noqa: E402
from cnnviz.core.inference import MNIST_INFO  # noqa: E402
from cnnviz.core.model_source import ModelSource, checkpoint_source  # noqa: E402
from cnnviz.gui.pages.trace_controller import TraceController  # noqa: E402


class View:
    """Records what the controller shows; answers with a blank canvas."""

    def __init__(self):
        self.shown: dict = {}
        self.method = ""
        self.selections: list[tuple] = []
        self.canvas = np.zeros((280, 280), np.uint8)

    def __getattr__(self, name):
        if not name.startswith(("show_", "put_", "clear_", "update_", "go_to_")):
            raise AttributeError(name)
        return lambda *args: self.shown.__setitem__(name, args)

    def select_unit(self, *unit):
        self.selections.append(unit)
        self.controller.clicked(*unit)

    def canvas_image(self):
        return self.canvas

    def has_strokes(self):
        return False

    def evidence_method(self):
        return self.method


class Jobs:
    """The page's compute clients, on a ComputeQueue stepped by :meth:`run` (only the latest
    request of a name is answered, as with ComputeClient)."""

    def __init__(self):
        self.queue = ComputeQueue()
        self.latest: dict[str, int] = {}
        self.ids = 0
        self.answers: dict = {}

    def submit(self, name, source, job, *args) -> int:
        self.ids += 1
        self.latest[name] = self.ids
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
def page():
    view, jobs = View(), Jobs()
    controller = TraceController(view, jobs)
    view.controller = controller
    jobs.answers = {
        "load": controller.on_loaded,
        "test": controller.on_test_image,
        "trace": controller.on_trace,
        "evidence": controller.on_evidence,
    }
    controller.start()
    jobs.run()
    return controller, view, jobs


def no_torch_in(value, seen=None) -> bool:
    """Whether ``value`` (a result, walked through) holds no tensor and no module."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return True
    seen.add(id(value))
    if isinstance(value, (torch.Tensor, nn.Module)):
        return False
    if isinstance(value, dict):
        return all(no_torch_in(v, seen) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(no_torch_in(v, seen) for v in value)
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return all(no_torch_in(v, seen) for v in vars(value).values())
    return True


def test_the_controller_imports_no_qt():
    code = (
        "import sys, cnnviz.gui.pages.trace_controller; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_it_opens_on_test_image_0_traced_by_the_shipped_model(page):
    controller, view, _ = page
    assert controller.traced() and controller.exact_label == 7
    assert view.shown["put_test_image"][0] == 0
    assert (
        view.shown["show_prediction"][0].startswith("It is 7")
        and "(label 7)" in (view.shown["show_prediction"][0])
    )
    assert "the default model: SimpleNet, 8,490 parameters" in view.shown["show_model_text"][0]
    assert [n.label for n in controller.trace.nodes][-1] == "probabilities"
    assert no_torch_in(controller.trace) and no_torch_in(controller.info)
    assert not any(isinstance(v, nn.Module) for v in vars(controller).values())


def test_a_model_that_cannot_be_used_leaves_the_previous_one(page, tmp_path):
    controller, view, jobs = page
    before = controller.trace
    controller.use_source(checkpoint_source(tmp_path / "missing.pt"), 2, (str(tmp_path), None))
    assert "Loading the checkpoint" in view.shown["show_model_text"][0]
    jobs.run()
    assert "Cannot use this model" in view.shown["show_message"][0]
    assert controller.source_index == 0 and view.shown["show_source"] == (0,)
    assert "SimpleNet, 8,490 parameters" in view.shown["show_model_text"][0]
    assert controller.trace is before and controller.traced()


def test_the_latest_model_chosen_wins(page):
    controller, view, jobs = page

    def make(channels):
        def build():
            torch.manual_seed(0)
            model = nn.Sequential(nn.Conv2d(1, channels, 5), nn.Flatten())
            model.append(nn.Linear(channels * 24 * 24, 10))
            return model, MNIST_INFO

        return build

    controller.use_source(ModelSource("four maps", make(4)), 0)
    controller.use_source(ModelSource("six maps", make(6)), 0)
    jobs.run()
    assert controller.description == "six maps" and controller.traced()
    assert controller.trace.nodes[1].shape == (6, 24, 24)
    assert jobs.queue.dropped >= 1  # the first choice was never built


def test_a_clicked_class_gets_its_evidence_map(page):
    controller, view, jobs = page
    view.method = "saliency"
    controller.request_evidence()
    jobs.run()
    assert controller.evidence["target"] == 7 and controller.evidence["map"].shape == (28, 28)
    probabilities = len(controller.trace.nodes) - 1
    view.select_unit(probabilities, 3, None, None, False)
    jobs.run()
    assert controller.selected == ("probabilities", 3, None, None)
    assert controller.evidence["target"] == 3 and no_torch_in(controller.evidence)
    assert "the evidence for “3”" in view.shown["show_evidence"][1]


def test_a_drawing_drops_the_test_image_on_its_way(page):
    controller, view, jobs = page
    controller.show_test_image(5)
    controller.canvas_changed(drawn=True)
    jobs.run()
    assert controller.exact_input is None and controller.exact_label is None
    assert controller.traced() and view.shown["show_prediction"] == ("Draw a digit",)


def test_a_lesson_unit_the_model_lacks_is_dropped_with_a_note(page):
    controller, view, jobs = page
    controller.expect_lesson(["incept1.cat", 2, 4, 4], 0, {"image"})
    controller.show_test_image(1)
    jobs.run()
    assert controller.pending_lesson is None and controller.selected is None
    assert "not in this model" in view.shown["show_message"][0]
    controller.expect_lesson(["conv2", 3, 2, 5], 4, {"image"})
    controller.show_test_image(1)
    jobs.run()
    assert view.selections[-1] == (controller.trace.index("conv2"), 3, 2, 5, False)
    assert view.shown["go_to_step"] == (4,) and controller.selected == ("conv2", 3, 2, 5)
