"""LearnController: the One step page's state and rules, without Qt.

The page shows one training step of a network: the image and its label, the loss, the gradient
of every operation's output (right to left), a unit's chain rule, then the SGD update and its
effect. The controller holds no module: the weights of the session (the start weights, the
current ones, the momentum buffer) are plain numpy data kept here and handed to the jobs of
:mod:`cnnviz.gui.pages.learn_jobs`, which run on the compute service with a module of this page's
own (its own :class:`~cnnviz.core.model_source.ModelSource`, never the one the Draw and Trace
pages share). Jobs go to a ``jobs`` object (``submit(name, source, job, *args) -> id`` and
``cancel(name)``, the latest request of a name winning); their answers come back through
:meth:`on_started`, :meth:`on_test_image`, :meth:`on_backward` and :meth:`on_step`. What the page
shows is asked of a ``view`` (see :class:`LearnView`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from cnnviz.core.explain.units import unit_words
from cnnviz.core.inference import MNIST_INFO, has_ink, prepare
from cnnviz.core.model_source import ModelSource
from cnnviz.gui.pages import learn_jobs
from cnnviz.gui.pages.learn_update import update_text
from cnnviz.gui.pages.learn_walk import walk_text, walked_nodes
from cnnviz.gui.pages.trace_controller import test_image_job
from cnnviz.gui.widgets.source_choice import SOURCE_KEYS

# the page's own: the shipped trained net, a fresh one (seed 0), a fresh Inception net
MODELS = ("trained", "fresh", "inception")
FRESH = ("fresh", "inception")
# every choice, in the Model box's order: the Trace page's sources (the shipped one is
# "trained"), then the fresh nets; a file or the training run comes as a ModelSource
CHOICES = ("trained", *SOURCE_KEYS[1:], *FRESH)
GRADIENT_SCALES = {"layer": "per layer", "network": "whole network"}
MODEL_NAMES = {
    "trained": "the trained default model",
    "fresh": "a fresh, untrained SimpleNet",
    "inception": "a fresh, untrained Inception net",
}


class LearnView(Protocol):
    """What the controller asks of the page."""

    def show_message(self, text: str) -> None: ...
    def show_model_text(self, text: str) -> None: ...
    def show_model(self, index: int) -> None: ...
    def put_test_image(self, index: int, image: np.ndarray, count: int) -> None: ...
    def show_label(self, label: int) -> None: ...
    def show_backward(self, result: dict) -> None: ...
    def show_walk(self, node_index: int | None, text: str) -> None: ...
    def select_unit(self, index: int, channel: int, row, col, keep_step: bool) -> None: ...
    def clear_selection(self) -> None: ...
    def go_to_unit_step(self, step: int) -> None: ...
    def go_to_walk(self, step: int) -> None: ...
    def show_update(self, result: dict, history: list[dict], text: str) -> None: ...
    def show_update_text(self, text: str) -> None: ...
    def clear_update(self) -> None: ...
    def canvas_image(self) -> np.ndarray: ...
    def has_strokes(self) -> bool: ...


@dataclass
class Session:
    """The weights of the step-by-step session (plain numpy, never a module)."""

    start: dict[str, np.ndarray] = field(default_factory=dict)  # the weights it began with
    current: dict[str, np.ndarray] = field(default_factory=dict)  # after the steps taken
    buffer: dict[str, np.ndarray] | None = None  # SGD's momentum buffer (None: no step yet)
    steps: int = 0
    cursor: int = 0  # the first training image of the next batch
    history: list[dict] = field(default_factory=list)  # one entry per step: the losses
    test_loss: tuple | None = None  # (loss, accuracy %) on 1,000 test images, now

    def reset(self) -> None:
        """Back to the start weights (the batches start again too)."""
        self.current = dict(self.start)
        self.buffer, self.steps, self.cursor, self.history = None, 0, 0, []
        self.test_loss = None


class LearnController:
    """The page's model, image, label, gradients, clicked unit, walk and steps."""

    def __init__(self, view: LearnView, jobs: Any):
        self.view, self.jobs = view, jobs
        # this page's own modules: its weights change, the shared ones must not
        self.sources = {key: learn_jobs.source(key) for key in MODELS}
        self.model = "trained"  # the choice in use (one of CHOICES)
        self.model_file: tuple = (None, None)  # (path, opened model name) of a file choice
        self.choosing: tuple | None = None  # (key, source, file) on its way
        self.model_text = ""  # "the trained default model: SimpleNet, 8,490 parameters"
        self.refusal = ""  # why the last model chosen was refused (said until one is taken)
        self.source: ModelSource | None = None
        self.info = MNIST_INFO
        self.session = Session()
        self.exact_input: np.ndarray | None = None
        self.label = 0
        self.test_index: int | None = 0  # None: the drawing
        self.backward: dict | None = None  # the gradients on screen (the backward job's answer)
        self.selected: tuple | None = None  # (label, channel, row, col) of the clicked unit
        self.walk_index = 0  # the backward walk's step
        self.pending_lesson: dict | None = None
        self.awaiting_image = True
        self.stepping = False
        self.weight: tuple | None = None  # (parameter, index) clicked for the batch's shares
        self.last_result: dict | None = None  # the last step's answer, on screen
        self.request_id = 0
        self.shown_id = -1
        self.started = False

    def start(self) -> None:
        """The trained model and test image 0 (once)."""
        if not self.started:
            self.started = True
            self.use_model(self.model)
            self.show_test_image(0)

    # -- the model -----------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        """A model is on its way (its session not started yet)."""
        return self.choosing is not None

    def use_model(self, key: str) -> None:
        """Start a session on ``key``'s weights, one of :data:`MODELS` (read in the compute
        thread)."""
        if key not in MODELS:
            raise ValueError(f"no model {key!r}: one of {', '.join(MODELS)}")
        self.use_source(key, self.sources[key], description=MODEL_NAMES[key])

    def use_source(self, key: str, source: ModelSource, source_file=None, description=None):
        """Start a session on ``source``'s weights (``key``: its entry of :data:`CHOICES`) once
        its model is built; the latest choice wins, and a model that cannot be stepped is
        refused with the previous one staying. A source from elsewhere (the training run, a
        file) is wrapped in one of this page's own, so that its module is no other page's."""
        if source not in self.sources.values():
            source = learn_jobs.own_source(source, description)
        self.choosing = (key, source, tuple(source_file or (None, None)))
        self.view.show_model(CHOICES.index(key))
        self.view.show_model_text(f"Loading {description or source.description}…")
        self.jobs.cancel("step")
        self.jobs.cancel("measure")
        self.stepping = False  # no step nor gradients on the old weights until it is in
        self.jobs.submit("start", source, learn_jobs.start_job)

    def on_started(self, result: dict) -> None:
        if self.choosing is None:
            return
        key, source, source_file = self.choosing
        self.choosing = None
        if "error" in result:
            self.refused(f"Cannot use this model: {result['error']}. The previous model stays.")
            return
        self.model, self.source, self.model_file = key, source, source_file
        self.refusal = ""
        self.info = result["info"]
        self.session = Session(start=result["state"])
        self.session.reset()
        self.weight = None
        self.last_result = None
        self.jobs.cancel("measure")
        self.model_text = (
            f"{self.model_name()}: {result['name']}, {result['parameters']:,} parameters"
        )
        self.view.show_model_text(self.model_text)
        self.view.clear_update()
        self.restored("model")
        self.request_backward()

    def model_name(self) -> str:
        """What the model in use is, in words."""
        return MODEL_NAMES.get(self.model) or self.source.description

    def refused(self, message: str) -> None:
        """A model that cannot be stepped (or none to take): the page says so, and the model,
        its weights and the steps taken stay."""
        self.choosing = None
        self.refusal = message
        self.view.show_message(message)
        self.view.show_model(CHOICES.index(self.model))
        self.view.show_model_text(self.model_text)
        self.restored("model")
        if self.pending_lesson is not None:
            self.request_backward()  # the lesson's unit, on the model that stays

    def reset(self) -> None:
        """Back to the weights the session started from."""
        if not self.session.start:
            return
        self.jobs.cancel("step")
        self.jobs.cancel("measure")
        self.stepping = False
        self.last_result = None
        self.session.reset()
        self.view.clear_update()
        self.request_backward()

    # -- the image and its label ---------------------------------------------------------------
    def show_test_image(self, index: int) -> None:
        self.jobs.submit("test", None, test_image_job, index, self.info)

    def on_test_image(self, result: dict) -> None:
        self.awaiting_image = False
        self.restored("image")
        if "error" in result:
            self.view.show_message(f"Cannot show a test image: {result['error']}")
            return
        self.exact_input, self.test_index = result["image"], result["index"]
        self.view.put_test_image(result["index"], result["image"], result["count"])
        lesson = self.pending_lesson  # a lesson's label wins over the test image's own
        self.set_label(lesson["label"] if lesson else result["label"], ask=False)
        self.request_backward()

    def take_drawing(self, exact: np.ndarray | None) -> None:
        self.awaiting_image = False
        self.jobs.cancel("test")
        self.exact_input, self.test_index = exact, None

    def canvas_changed(self, drawn: bool) -> None:
        """A stroke or a clear (``drawn``: the input is the drawing now; its label stays the
        one chosen)."""
        self.awaiting_image = False
        self.jobs.cancel("test")
        if drawn:
            self.exact_input, self.test_index = None, None
        self.request_backward()

    def set_label(self, label: int, ask: bool = True) -> None:
        """The label the loss is taken against (a test image's own, or the one chosen)."""
        self.label = int(label)
        self.view.show_label(self.label)
        if ask:
            self.request_backward()

    def current_image(self) -> np.ndarray:
        """The pixel image ``[C, H, W]`` in [0, 1]: the test image, else the drawing made as
        MNIST's digits were."""
        if self.exact_input is not None and not self.view.has_strokes():
            return self.exact_input
        return prepare(self.view.canvas_image(), self.info)

    def has_image(self) -> bool:
        return self.exact_input is not None or has_ink(self.view.canvas_image())

    # -- the backward pass ---------------------------------------------------------------------
    def request_backward(self) -> None:
        """The gradients of the image and label at the current weights (latest wins)."""
        if self.source is None or self.awaiting_image or not self.session.current:
            return
        self.request_id = self.jobs.submit(
            "backward",
            self.source,
            learn_jobs.backward_job,
            self.session.current,
            self.current_image(),
            self.label,
        )

    def on_backward(self, result: dict) -> None:
        self.shown_id = result["id"]
        if "error" in result:
            self.view.show_message(f"Cannot take the gradients: {result['error']}")
            return
        hint = "" if self.has_image() else "Draw a digit, or pick a test image."
        self.view.show_message(" ".join(t for t in (self.refusal, hint) if t))
        self.backward = result
        self.view.show_backward(result)
        self.walk_to(min(self.walk_index, len(self.walk()) - 1), show=True)
        if self.pending_lesson is not None:
            self.select_restored_unit()
        elif self.selected is not None:  # the same unit, on the new gradients
            label, channel, row, col = self.selected
            try:
                self.view.select_unit(self.node_index(label), channel, row, col, True)
            except ValueError:
                self.clear_selection()

    def ready(self) -> bool:
        """The latest gradients asked for are on screen (and no model is on its way)."""
        return not self.loading and self.backward is not None and self.shown_id == self.request_id

    def node_index(self, label: str) -> int:
        return self.backward["trace"].index(label)

    # -- the walk right to left ----------------------------------------------------------------
    def walk(self) -> list[int]:
        """The nodes the backward walk visits, from the loss back to the input."""
        return walked_nodes(self.backward) if self.backward else []

    def walk_to(self, step: int, show: bool = True) -> None:
        nodes = self.walk()
        if not nodes:
            return
        self.walk_index = max(0, min(step, len(nodes) - 1))
        index = nodes[self.walk_index]
        if show:
            text = walk_text(self.backward, index, self.walk_index, len(nodes))
            self.view.show_walk(index, text)

    # -- the clicked unit ----------------------------------------------------------------------
    def clicked(self, index: int, channel: int, row, col) -> None:
        node = self.backward["trace"].nodes[index]
        self.selected = (node.label, channel, row, col)

    def clear_selection(self) -> None:
        self.selected = None
        self.view.clear_selection()

    def unit_state(self, step: int) -> tuple[list | None, int]:
        """The clicked unit as plain numbers for JSON, and its arithmetic step."""
        if self.pending_lesson is not None:
            return self.pending_lesson["unit"], self.pending_lesson["step"]
        if self.selected is None:
            return None, 0
        label, *numbers = self.selected
        return [label, *(None if v is None else int(v) for v in numbers)], step

    # -- the update ----------------------------------------------------------------------------
    def take_step(self, lr: float, momentum: float, batch_size: int) -> bool:
        """One SGD step on the next batch (this image and ``batch_size − 1`` training images);
        False while the gradients are not in yet."""
        if self.source is None or not self.session.current or self.awaiting_image or self.loading:
            return False
        s = self.session
        self.stepping = True
        self.jobs.submit(
            "step",
            self.source,
            learn_jobs.step_job,
            learn_jobs.StepRequest(
                state=s.current,
                buffer=s.buffer,
                image=self.current_image(),
                label=self.label,
                cursor=s.cursor,
                batch_size=int(batch_size),
                lr=float(lr),
                momentum=float(momentum),
                weight=self.chosen_weight(),
            ),
        )
        return True

    def chosen_weight(self) -> tuple[str, tuple[int, ...]] | None:
        """The weight whose per-image shares are shown: the one clicked, else the largest
        gradient of the layer the walk or the click is at (or of the first with weights)."""
        if self.backward is None:
            return None
        if self.weight is not None and self.weight[0] in self.backward["parameters"]:
            return self.weight
        return learn_jobs.chosen_weight(self.backward, self.focus_label())

    def choose_weight(self, name: str, index: tuple) -> None:
        """A weight clicked: its shares are shown from the next step on."""
        self.weight = (name, tuple(int(i) for i in index))

    def focus_label(self) -> str | None:
        """The layer the student looks at: the clicked unit's, else the walk's."""
        if self.selected is not None:
            return self.selected[0]
        nodes = self.walk()
        return self.backward["trace"].nodes[nodes[self.walk_index]].label if nodes else None

    def on_step(self, result: dict) -> None:
        self.stepping = False
        if "error" in result:
            self.view.show_message(f"Cannot take the step: {result['error']}")
            return
        s = self.session
        s.current, s.buffer, s.cursor = result["state"], result["buffer"], result["cursor"]
        s.steps += 1
        result = {**result, "step": s.steps}
        self.last_result = result

        s.history.append(
            {
                "step": s.steps,
                "image_loss": result["image_loss_after"],
                "batch_loss": result["loss_after"],
                "image_loss_before": result["image_loss_before"],
                "batch_loss_before": result["loss_before"],
            }
        )
        self.view.show_update(result, s.history, update_text(result))
        self.request_backward()  # first: the new gradients, then the test images, in slices
        known, s.test_loss = s.test_loss, None
        self.jobs.submit(
            "measure",
            self.source,
            learn_jobs.measure_job,
            s.steps,
            result["before"] if known is None else None,
            known,
            result["state"],
        )

    def on_measured(self, result: dict) -> None:
        """The 1,000 test images' loss before and after the last step."""
        if "error" in result:
            self.view.show_message(f"Cannot measure the test images: {result['error']}")
            return
        if self.last_result is None or result["step"] != self.session.steps:
            return  # a step since, or a reset
        self.session.test_loss = result["after"]
        self.last_result = {**self.last_result, "test": (result["before"], result["after"])}
        self.view.show_update_text(update_text(self.last_result))

    def measured(self) -> bool:
        """The last step's test images are measured (or no step was taken)."""
        return self.last_result is None or "test" in self.last_result

    # -- lessons -------------------------------------------------------------------------------
    def expect_lesson(self, lesson: dict, waits: set) -> None:
        """A lesson's label, unit, unit step and walk step, taken once what it ``waits`` for
        ("model", "image") has come and its gradients are in."""
        self.clear_selection()
        self.pending_lesson = {**lesson, "waits": waits}

    def restored(self, what: str) -> None:
        if self.pending_lesson is not None:
            self.pending_lesson["waits"].discard(what)

    def select_restored_unit(self) -> None:
        """Click the lesson's unit and go to its steps once its model and image are in."""
        lesson = self.pending_lesson
        if lesson["waits"]:
            return
        self.pending_lesson = None
        self.walk_to(lesson["walk"])
        self.view.go_to_walk(self.walk_index)
        if lesson["unit"] is None:
            return
        label, channel, row, col = lesson["unit"]
        try:
            self.view.select_unit(self.node_index(label), channel, row, col, False)
        except ValueError as exc:
            self.clear_selection()
            self.view.show_message(f"The lesson's unit is not in this model: {exc}")
            return
        self.view.go_to_unit_step(lesson["step"])

    def lesson_title(self) -> str:
        """A few words naming the clicked unit, counted from 1 as its arithmetic's title (the
        lesson file's unit keeps 0-based indices)."""
        if self.selected is None:
            return "One step: the backward pass"
        label, channel, row, col = self.selected
        where = unit_words(channel, row, col)
        return f"One step: ∂L/∂{label}, {where}"
