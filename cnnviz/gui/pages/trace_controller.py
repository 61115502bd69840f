"""TraceController: the Trace page's state and rules, without Qt.

Which network is traced (a :class:`~cnnviz.core.model_source.ModelSource`: the page never holds
the module), which image (a test image, the drawing), the trace in hand, the clicked unit, the
evidence map and a lesson still loading. Its model jobs go to a ``jobs`` object (the page's
compute clients: ``submit(name, source, job, *args) -> request id`` and ``cancel(name)``, the
latest request of a name winning); their answers come back through :meth:`on_loaded`,
:meth:`on_test_image`, :meth:`on_trace` and :meth:`on_evidence`. What the page shows is asked of
a ``view`` (see :class:`TraceView`). The jobs are module functions: they run in the compute
thread and return plain data (numpy arrays, numbers, text, a numpy-only Trace).
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import numpy as np

from cnnviz.core.explain.units import unit_words
from cnnviz.core.inference import MNIST_INFO, has_ink, prepare
from cnnviz.core.model_source import ModelSource, default_source
from cnnviz.gui.widgets.source_choice import LatestChoice
from cnnviz.gui.workers.draw_jobs import describe_model
from cnnviz.gui.workers.evidence_worker import METHODS, evidence_job

DEFAULT_DESCRIPTION = "the default model"
PROBABILITY_KINDS = ("probabilities", "log_softmax", "softmax")


# -- the jobs (in the compute thread) ------------------------------------------------------------
def trace_job(model, info, image: np.ndarray) -> dict:
    """The whole forward pass of the pixel image ``image`` (``[C, H, W]`` in [0, 1])."""
    from cnnviz.core.explain import trace_forward

    start = time.perf_counter()
    normalised = (np.asarray(image, np.float32) - info.mean) / info.std
    trace = trace_forward(model, normalised)
    return {"trace": trace, "image": image, "seconds": time.perf_counter() - start}


def test_image_job(index: int, info) -> dict:
    """Test image ``index`` of MNIST (pixels in [0, 1]), its label and the test set's size."""
    from cnnviz.core.data import load_mnist

    if tuple(info.input_shape) != (1, 28, 28):
        raise ValueError(f"no bundled test images fit this model ({info.describe()})")
    test = load_mnist("test")
    index = min(max(index, 0), len(test) - 1)
    image = test.images[index].numpy().astype(np.float32) / 255.0
    return {"index": index, "image": image, "label": int(test.labels[index]), "count": len(test)}


test_image_job.__test__ = False  # a job, not a test (pytest collects test_* from imports)


class TraceView(Protocol):
    """What the controller asks of the page."""

    def show_model_text(self, text: str) -> None: ...
    def show_message(self, text: str) -> None: ...
    def show_source(self, index: int) -> None: ...
    def put_test_image(self, index: int, image: np.ndarray, count: int) -> None: ...
    def show_trace(self, trace) -> None: ...
    def show_prediction(self, text: str) -> None: ...
    def show_evidence(self, values: np.ndarray | None, note: str) -> None: ...
    def select_unit(self, index: int, channel: int, row, col, keep_step: bool) -> None: ...
    def clear_selection(self) -> None: ...
    def go_to_step(self, step: int) -> None: ...
    def update_legend(self) -> None: ...
    def canvas_image(self) -> np.ndarray: ...
    def has_strokes(self) -> bool: ...
    def evidence_method(self) -> str: ...


class TraceController:
    """The Trace page's state: its model source, input, trace, unit, evidence and lesson."""

    def __init__(self, view: TraceView, jobs: Any):
        self.view, self.jobs = view, jobs
        self.default = default_source()  # one source: the compute thread builds it once
        self.source: ModelSource | None = None
        self.info = MNIST_INFO
        self.description = DEFAULT_DESCRIPTION
        self.model_text = ""  # "SimpleNet, 8,490 parameters"
        self.source_index = 0
        self.source_file: tuple = (None, None)  # (path, opened model name) of a file source
        self.loading: tuple | None = None  # (source, description, index, file) being loaded
        self.choices = LatestChoice()  # a snapshot or weights file of an older choice is dropped
        self.pending_lesson: dict | None = None  # a lesson's unit and step, until its trace
        self.trace = None
        self.trace_image: np.ndarray | None = None  # the pixel image of the trace on screen
        self.selected: tuple | None = None  # (label, channel, row, col)
        self.exact_input: np.ndarray | None = None
        self.exact_label: int | None = None
        self.request_id = 0
        self.shown_id = -1
        self.awaiting_image = True  # the first test image is on its way: no blank trace first
        self.not_finite_shown = False  # the message says the network's numbers overflowed
        self.last_seconds = 0.0
        self.evidence_class: int | None = None  # a clicked class; None: the predicted one
        self.evidence: dict | None = None  # the map on screen, with its method and class
        self.started = False

    def start(self) -> None:
        """The shipped model and test image 0 (once)."""
        if not self.started:
            self.started = True
            self.use_source(self.default, 0)
            self.show_test_image(0)

    # -- models --------------------------------------------------------------------------------
    def use_source(self, source: ModelSource, index: int, source_file=None, description=None):
        """Trace ``source``'s model from now on, once it has been built (the previous model
        stays if it cannot be); the latest choice wins."""
        description = description or source.description
        self.choices.choose()
        self.loading = (source, description, index, tuple(source_file or (None, None)))
        self.view.show_model_text(f"Loading {description}…")
        self.jobs.submit("load", source, describe_model)

    def on_loaded(self, result: dict) -> None:
        if self.loading is None:
            return
        source, description, index, source_file = self.loading
        self.loading = None
        if "error" in result:
            self.refused(f"Cannot use this model: {result['error']}. The previous model stays.")
            return
        self.source, self.info, self.description = source, result["info"], description
        self.source_file = source_file
        self.model_text = f"{result['name']}, {result['parameters']:,} parameters"
        self.evidence_class = None
        self.show_source(index)
        self.describe_model()
        self.view.show_message("")
        self.restored("model")
        self.request_trace()

    def refused(self, message: str) -> None:
        """A model that cannot be used: the page says so and the previous one stays."""
        self.loading = None
        self.restored("model", retrace=True)
        self.view.show_message(message)
        self.show_source(self.source_index)
        self.describe_model()

    def describe_model(self) -> None:
        if self.source is None:
            self.view.show_model_text("Loading the model…")
            return
        self.view.show_model_text(
            f"Tracing {self.description}: {self.model_text}, trained on {self.info.describe()}"
        )

    def show_source(self, index: int) -> None:
        self.source_index = index
        self.view.show_source(index)

    def loading_other_than_default(self) -> bool:
        """A model other than the shipped one is in use or on its way."""
        other = self.source_index != 0 or self.description != DEFAULT_DESCRIPTION
        return other or (self.loading is not None and self.loading[2] != 0)

    def use_training_run(self, request) -> bool:
        """Ask ``request`` (the window's ``request_training_model``) for a snapshot of the run,
        used if no other model is chosen before it comes; False, said, without a run."""
        self.view.show_model_text("Taking a snapshot of the training run…")  # (or at once)
        if not request(self.choices.ask("snapshot", self.on_training_snapshot)):
            self.choices.stop_waiting()
            self.no_training_run()
            return False
        return True

    def on_training_snapshot(self, source) -> None:
        if source is None:
            self.refused(
                "The training run has no model yet (it is still setting up). "
                "The previous model stays."
            )
            return
        self.use_source(source, 1, description="a snapshot of the current training run")

    def no_training_run(self) -> None:
        self.refused("No training run yet: start one on the Train page. The previous model stays.")

    # -- input ---------------------------------------------------------------------------------
    def show_test_image(self, index: int) -> None:
        """Trace test image ``index`` (read in the compute thread)."""
        self.jobs.submit("test", None, test_image_job, index, self.info)

    def on_test_image(self, result: dict) -> None:
        self.awaiting_image = False
        self.restored("image")
        if "error" in result:
            self.view.show_message(f"Cannot show a test image: {result['error']}")
        else:
            self.exact_input, self.exact_label = result["image"], result["label"]
            self.view.put_test_image(result["index"], result["image"], result["count"])
        self.request_trace()

    def take_drawing(self, exact: np.ndarray | None) -> None:
        """A drawing replaces the input (a test image on its way is dropped)."""
        self.awaiting_image = False
        self.jobs.cancel("test")
        self.exact_input, self.exact_label = exact, None

    def canvas_changed(self, drawn: bool) -> None:
        """A stroke or a clear (``drawn``: the input is the drawing now)."""
        self.awaiting_image = False
        self.jobs.cancel("test")
        if drawn:
            self.exact_input, self.exact_label = None, None
        self.request_trace()

    def current_image(self) -> np.ndarray:
        """The pixel image traced: the test image as the model takes it, else the drawing
        made as MNIST's digits were."""
        if self.exact_input is not None and not self.view.has_strokes():
            return self.exact_input
        return prepare(self.view.canvas_image(), self.info)

    def request_trace(self) -> None:
        if self.source is None or self.awaiting_image:
            return
        self.request_id = self.jobs.submit("trace", self.source, trace_job, self.current_image())

    def traced(self) -> bool:
        """The latest trace asked for is on screen (and no model, nor its snapshot or weights
        file, is on its way)."""
        waiting = self.loading is not None or self.choices.awaiting()
        return not waiting and self.trace is not None and self.shown_id == self.request_id

    # -- results -------------------------------------------------------------------------------
    def on_trace(self, result: dict) -> None:
        self.shown_id = result["id"]
        if "error" in result:
            self.view.show_message(f"Cannot trace this model: {result['error']}")
            return
        self.last_seconds = result["seconds"]
        self.trace, self.trace_image = result["trace"], result["image"]
        self.say_if_not_finite()
        self.view.show_trace(self.trace)
        self.view.show_prediction(self.prediction_text())
        self.request_evidence()
        if self.pending_lesson is not None:
            self.select_restored_unit()
        elif self.selected is not None:  # the same unit, for the new drawing or model
            label, channel, row, col = self.selected
            try:
                self.view.select_unit(self.trace.index(label), channel, row, col, True)
            except ValueError:  # the new model has no such layer or unit
                self.clear_selection()
        self.view.update_legend()

    def say_if_not_finite(self) -> None:
        """A network trained until its numbers overflowed (a learning rate far too high) has
        NaN or infinite units: the page says so, and draws them as 0."""
        first = next((n.label for n in self.trace.nodes if not np.isfinite(n.value).all()), None)
        if first is not None:
            self.view.show_message(
                f"Some of this network's numbers are not finite (NaN or infinite), from "
                f"{first} on: its training diverged. They are drawn as 0. Train it again "
                "with a lower learning rate."
            )
            self.not_finite_shown = True
        elif self.not_finite_shown:
            self.view.show_message("")
            self.not_finite_shown = False

    def prediction_text(self) -> str:
        probs = self.trace.probabilities
        top = int(np.argmax(probs))
        names = self.info.class_names
        name = names[top] if top < len(names) else str(top)
        label = self.exact_label
        # the test image's dataset may have more classes than the model names
        label_name = names[label] if label is not None and label < len(names) else str(label)
        truth = f" (label {label_name})" if label is not None else ""
        return (
            f"It is {name}: {100 * probs[top]:.1f}%{truth}" if self.has_input() else "Draw a digit"
        )

    def has_input(self) -> bool:
        """Whether there is something to trace: a test image, or ink on the canvas."""
        return self.exact_input is not None or has_ink(self.view.canvas_image())

    # -- the clicked unit ----------------------------------------------------------------------
    def clicked(self, index: int, channel: int, row, col, keep_step: bool) -> None:
        """Unit ``(index, channel, row, col)`` is selected; a clicked class (a logit or a
        probability) becomes the evidence map's class."""
        node = self.trace.nodes[index]
        self.selected = (node.label, channel, row, col)
        if node is self.trace.logits or node.kind in PROBABILITY_KINDS:
            if not keep_step and channel != self.evidence_target():
                self.evidence_class = channel
                self.request_evidence()
            elif not keep_step:
                self.evidence_class = channel

    def clear_selection(self) -> None:
        self.selected = None
        self.view.clear_selection()

    def unit_state(self, step: int) -> tuple[list | None, int]:
        """The clicked unit as plain numbers for JSON, and its step (``step`` on screen)."""
        if self.pending_lesson is not None:  # its trace is not in yet: the lesson's unit stays
            return self.pending_lesson["unit"], self.pending_lesson["step"]
        if self.selected is None:
            return None, 0
        label, *numbers = self.selected  # (a click may give numpy's integers)
        return [label, *(None if v is None else int(v) for v in numbers)], step

    def lesson_title(self) -> str:
        """A few words naming the clicked unit, counted from 1 as its arithmetic's title (the
        lesson file's unit keeps 0-based indices)."""
        if self.selected is None:
            return "Trace: the forward pass"
        label, channel, row, col = self.selected
        where = unit_words(channel, row, col)
        return f"Trace: {label}, {where}"

    # -- evidence ------------------------------------------------------------------------------
    def request_evidence(self) -> None:
        """The chosen evidence map for the traced image and class."""
        method = self.view.evidence_method()
        self.jobs.cancel("evidence")
        if not method or self.trace is None:
            self.evidence = None
            self.view.show_evidence(None, "")
            return
        target = self.evidence_target()
        note = f"Computing the evidence for {self.class_name(target)}…"
        self.view.show_evidence(self.evidence["map"] if self.evidence else None, note)
        image = self.trace_image if self.trace_image is not None else self.current_image()
        self.jobs.submit("evidence", self.source, evidence_job, method, image, target)

    def evidence_target(self) -> int:
        if self.evidence_class is not None:
            return self.evidence_class
        return int(np.argmax(self.trace.probabilities))

    def class_name(self, index: int) -> str:
        names = self.info.class_names
        return f"“{names[index]}”" if index < len(names) else f"class {index}"

    def on_evidence(self, result: dict) -> None:
        if "error" in result:
            self.evidence = None
            self.view.show_evidence(None, f"No evidence map: {result['error']}")
            return
        self.evidence = result
        name = METHODS[result["method"]].split(" (")[0]
        self.view.show_evidence(
            result["map"],
            f"{name}: the evidence for {self.class_name(result['target'])} over the input — "
            "red for it, blue against it (click a logit or probability for another class).",
        )

    # -- lessons -------------------------------------------------------------------------------
    def expect_lesson(self, unit, step: int, waits: set) -> None:
        """A lesson's unit and step, clicked once what it ``waits`` for ("model", "image")
        has come and been traced."""
        self.view.show_message("")
        self.clear_selection()
        self.pending_lesson = {"unit": unit, "step": step, "waits": waits}

    def restored(self, what: str, retrace: bool = False) -> None:
        """A lesson's model or test image has come (or failed to); with nothing more to
        wait for, the next trace clicks the lesson's unit for good."""
        if self.pending_lesson is not None and what in self.pending_lesson["waits"]:
            self.pending_lesson["waits"].discard(what)
            if retrace:  # no new trace would come otherwise
                self.request_trace()

    def select_restored_unit(self) -> None:
        """Click the lesson's unit on the trace in hand and go to its step (once the
        lesson's model and input are in, a unit the model lacks is dropped, with a note)."""
        done = not self.pending_lesson["waits"]
        unit, step = self.pending_lesson["unit"], self.pending_lesson["step"]
        if done:
            self.pending_lesson = None
        if unit is None:
            return
        label, channel, row, col = unit
        try:
            self.view.select_unit(self.trace.index(label), channel, row, col, False)
        except ValueError as exc:
            if done:
                self.clear_selection()
                self.view.show_message(f"The lesson's unit is not in this model: {exc}")
            return
        self.view.go_to_step(step)
