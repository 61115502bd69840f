"""The Draw page's controller, without Qt: which model is in use while another is asked for,
what a refusal says, the exact test image, prediction texts and requests, test images that
fit, and what a lesson file stores (and refuses)."""

import subprocess
import sys
from dataclasses import dataclass, field

import numpy as np
import pytest

from cnnviz.core.inference import MNIST_INFO, InputContract
from cnnviz.core.lesson_pictures import encode_png
from cnnviz.core.model_source import ModelSource, checkpoint_source, default_source
from cnnviz.gui.pages.draw_controller import Choice, DrawController
from cnnviz.gui.widgets.source_choice import CHECKPOINT, DEFAULT, TRAINING_RUN

DIGITS = tuple(str(d) for d in range(10))
CIFAR = InputContract((3, 32, 32), ("plane", "car"), 0.5, 0.25, "CIFAR-10")


@dataclass(frozen=True)
class Dataset:  # what the controller reads of the chosen dataset
    name: str = "mnist"
    shape: tuple = (1, 28, 28)
    class_names: tuple = DIGITS
    options: dict = field(default_factory=dict)
    is_folder: bool = False

    def describe(self) -> str:
        return f"{self.name} dataset"


def facts(info=MNIST_INFO, blocks=None) -> dict:
    """What the compute service says of a model (describe_model's keys)."""
    return {
        "info": info,
        "name": "SimpleCNN",
        "parameters": 21840,
        "layers": ["conv1", "conv2"],
        "blocks": blocks or {},
        "convs": {"conv1": 10, "conv2": 20},
    }


@pytest.fixture
def controller(tmp_path):
    made = DrawController(Dataset(), lambda: tmp_path)
    made.adopt(facts())  # the default model, described
    return made


def test_no_qt_is_imported():
    """In a fresh interpreter (pytest-qt imports PySide6 into this one)."""
    code = (
        "import sys, cnnviz.gui.pages.draw_controller; "
        "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_first_model_is_the_default_and_is_in_use_once_described(tmp_path):
    controller = DrawController(Dataset(), lambda: tmp_path)
    assert controller.switching() and controller.source is None
    assert controller.model_text() == "Loading the default model…"
    choice = controller.adopt(facts())
    assert choice.index == DEFAULT and controller.source is choice.source
    assert controller.model_text() == (
        "Using the default model: SimpleCNN, 21,840 parameters, trained on MNIST, 1×28×28, "
        "10 classes"
    )


def test_a_model_asked_for_replaces_the_one_in_use_only_once_described(controller):
    before = controller.source
    controller.ask(Choice(checkpoint_source("/runs/a.pt"), CHECKPOINT, "/runs/a.pt"))
    assert controller.switching() and controller.source is before
    controller.adopt(facts(CIFAR))
    assert controller.in_use.index == CHECKPOINT and controller.info is CIFAR
    assert "the checkpoint /runs/a.pt" in controller.model_text()


def test_a_refused_model_says_why_and_the_one_in_use_stays(controller):
    before = controller.source
    controller.ask(Choice(checkpoint_source("/runs/a.pt"), CHECKPOINT, "/runs/a.pt"))
    text = controller.refuse("its weights do not fit 'simple'")
    assert text == (
        "Cannot use this checkpoint: its weights do not fit 'simple'. The previous model stays."
    )
    assert controller.source is before and not controller.switching()


def test_a_new_model_drops_the_exact_image_unless_it_came_with_it(controller):
    image = np.full((1, 28, 28), 255, np.uint8)
    controller.set_exact(image)
    assert controller.exact(background=True, strokes=False).max() == 1.0
    assert controller.exact(background=True, strokes=True) is None  # drawn over: not exact
    controller.ask(Choice(default_source()))
    controller.adopt(facts())
    assert controller.exact_input is None
    controller.set_exact(image)
    snapshot = ModelSource("a snapshot of the current training run", lambda: None)
    controller.ask(Choice(snapshot, TRAINING_RUN, keep_exact=True))  # opened with its model
    controller.adopt(facts())
    assert controller.exact_input is not None


def test_requests_and_what_the_prediction_says(controller):
    first = controller.new_request()
    assert not controller.settled() and controller.new_request() == first + 1
    controller.answered()
    assert controller.settled()
    probabilities = np.eye(10)[7] * 0.9 + 0.01
    assert controller.prediction_text(probabilities) == "It is a 7 (91.0%)"
    assert controller.empty_text() == "Draw a digit"
    controller.ask(Choice(default_source()))
    controller.adopt(facts(CIFAR))
    assert controller.prediction_text(np.array([0.2, 0.8])) == "It is car (80.0%)"
    assert controller.empty_text() == "Draw something"
    assert controller.error_text("bad") == "This model cannot classify a 3×32×32 image: bad"


def test_the_layers_a_prediction_brings_back(controller):
    blocks = {"inc1": [("1×1, 16 ch", "inc1.b1"), ("pool, 24 ch", "inc1.b4")]}
    controller.ask(Choice(default_source()))
    controller.adopt(facts(blocks=blocks))
    assert controller.layers_to_show("conv1", "inc1") == ["conv1", "inc1.b1", "inc1.b4"]
    assert controller.layers_to_show("", "none") == []


def test_a_dataset_that_does_not_fit_the_model_is_noted(controller):
    assert controller.dataset_fits_model() and controller.dataset_note() == ""
    controller.dataset = Dataset("cifar10", (3, 32, 32), ("plane", "car"))
    assert not controller.dataset_fits_model()
    assert controller.dataset_note().startswith("The chosen dataset is cifar10 dataset;")


def test_no_test_images_fit_a_model_trained_elsewhere(controller):
    controller.ask(Choice(default_source()))
    controller.adopt(facts(CIFAR))
    controller.dataset = Dataset("cifar10", (3, 32, 32), ("ship",))  # not its classes
    assert controller.test_set() is None  # nothing downloaded, and not MNIST-shaped


def test_a_lesson_round_trips_and_a_bad_one_is_refused(controller):
    canvas = np.zeros((280, 280), np.uint8)
    canvas[40:240, 130:150] = 255
    views = {"layer": "conv2", "block": "", "tab": 1, "method": "Grad-CAM"}
    state = controller.lesson_state(encode_png(canvas), True, False, views)
    assert state["model"] == {"source": "default"} and state["exact"] is None
    methods = ("Saliency", "Grad-CAM")
    lesson = controller.check_lesson(state, 280, methods, "Saliency", 5)
    assert np.array_equal(lesson["canvas"], canvas) and lesson["source"] == (DEFAULT, None, None)
    assert {k: lesson[k] for k in views} == views
    without = {k: v for k, v in state.items() if k != "method"}
    assert controller.check_lesson(without, 280, methods, "Saliency", 5)["method"] == "Saliency"
    with pytest.raises(ValueError, match="'astrology'"):
        controller.check_lesson({**state, "method": "astrology"}, 280, methods, "Saliency", 5)
    with pytest.raises(ValueError, match="its drawing must be 100×100"):
        controller.check_lesson(state, 100, methods, "Saliency", 5)
    with pytest.raises(ValueError, match="its tab must be a whole number from 0 to 0"):
        controller.check_lesson(state, 280, methods, "Saliency", 1)


def test_the_branches_of_an_inception_block_share_their_levels(controller):
    blocks = {"inc1": [("1×1, 16 ch", "inc1.b1"), ("pool, 24 ch", "inc1.b4")]}
    controller.ask(Choice(default_source()))
    controller.adopt(facts(blocks=blocks))
    activations = {"inc1.b1": np.array([[[-1.0, 2.0]]]), "inc1.b4": np.array([[[0.5, 3.0]]])}
    found, levels = controller.branches(activations, "inc1")
    assert [label for label, _ in found] == ["1×1, 16 ch", "pool, 24 ch"] and levels == (-1, 3)
    assert controller.branches(activations, "conv1") == ([], (0.0, 1.0))
