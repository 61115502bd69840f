"""TracePage: every number of the trained network's forward pass, from the drawn digit to the
softmax; click any unit to see its receptive field and its arithmetic with the trained numbers.

The page holds no model: its state and rules are :class:`TraceController`'s, and the trace,
the evidence map, a model to load and a test image are jobs of the compute service (the
latest request of each kind wins). A click is answered from the trace in hand (numpy only,
no forward pass), so the page never waits for the network.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog

from cnnviz.core.lesson_pictures import encode_png, exact_state
from cnnviz.core.model_source import ModelSource, checkpoint_source, opened_source
from cnnviz.gui.pages import trace_views
from cnnviz.gui.pages.base import Drawing, Page
from cnnviz.gui.pages.page_jobs import PageJobs
from cnnviz.gui.pages.trace_controller import TraceController
from cnnviz.gui.pages.trace_lesson import check_trace_lesson
from cnnviz.gui.pages.trace_predict import TracePrediction
from cnnviz.gui.widgets.source_choice import CHECKPOINT, DEFAULT, TRAINING_RUN, source_state
from cnnviz.gui.widgets.weights_dialogs import ask_before_unpickling, ask_weights_file
from cnnviz.gui.workers.weights_loader import (
    NO_OPENED_MODEL,
    WeightsLoader,
    latest_opened_model,
)


def _kept(name: str) -> property:
    """The controller's ``name``, read through the page."""
    return property(lambda page: getattr(page.controller, name), doc=f"The controller's {name}.")


class TracePage(Page):
    """Overview of every layer's output; the clicked unit's field and arithmetic below."""

    status_hint = (
        "Click any unit to see which pixels it sees and how it is computed; hover to preview."
    )
    steps_through = True
    predicts = True
    page_shortcuts = (("Delete", "clear the drawing"),)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.jobs: PageJobs | None = None  # made once the page knows its compute service
        self.controller = TraceController(self, self)
        self.weights = WeightsLoader(self, ask_before_unpickling)
        self.weights.loaded.connect(self._on_weights_loaded)
        self.weights.failed.connect(self._on_weights_failed)
        self._build()

    def _build(self) -> None:
        left = trace_views.input_widgets()
        choices = trace_views.choice_widgets()
        maps = trace_views.trace_widgets()
        for part in (left, choices, maps):
            for name, widget in vars(part).items():
                if name not in ("layout", "rows"):
                    setattr(self, name, widget)
        trace_views.lay_out(self, left, choices, maps)
        self.predicting = TracePrediction(self)  # "Predict first": its box above the maps
        right = self.layout().itemAt(1).layout()
        right.insertWidget(right.indexOf(self.splitter), self.predicting.box)
        self.image_input.image_changed.connect(self.controller.canvas_changed)
        self.image_input.test_chosen.connect(self.show_test_image)
        self.source_box.activated.connect(self._on_source_chosen)
        self.scale_box.currentIndexChanged.connect(self._on_scale_chosen)
        self.evidence_box.currentIndexChanged.connect(lambda _i: self.controller.request_evidence())
        self.overview.unit_clicked.connect(self.select_unit)
        self.overview.unit_hovered.connect(self._on_hover)
        self.overview.hover_left.connect(self._on_hover_left)
        QShortcut(
            QKeySequence("Delete"), self, self.canvas.clear, context=Qt.WidgetWithChildrenShortcut
        )

    # -- the compute service ------------------------------------------------------------------
    def attach(self, context) -> None:
        super().attach(context)
        self._start()

    def _start(self) -> None:
        """The clients of the window's compute service (or of the page's own, without a
        window), then the shipped model and test image 0."""
        if self.jobs is None:
            c = self.controller
            answers = {"load": c.on_loaded, "test": c.on_test_image}
            answers |= {"trace": c.on_trace, "evidence": c.on_evidence}
            self.jobs = PageJobs(self, self.context.compute, answers)
        self.controller.start()

    def submit(self, name: str, source, job, *args) -> int:
        """The controller's jobs, on the compute service."""
        self._start()
        return self.jobs.submit(name, source, job, *args)

    def cancel(self, name: str) -> None:
        if self.jobs is not None:
            self.jobs.cancel(name)

    # -- what the controller keeps ------------------------------------------------------------
    trace = _kept("trace")  # the numpy-only Trace on screen
    info = _kept("info")  # the model's input contract
    selected = _kept("selected")  # (label, channel, row, col) of the clicked unit
    evidence = _kept("evidence")  # the evidence map on screen, with its method and class
    pending_lesson = _kept("pending_lesson")  # a lesson's unit, until its trace is in
    source_index = _kept("source_index")  # the Model box's entry in use
    trace_image = _kept("trace_image")  # the pixel image of the trace on screen
    request_id = _kept("request_id")  # the latest trace asked for
    shown_id = _kept("shown_id")  # the trace on screen (see traced: a model may be loading)

    def traced(self) -> bool:
        """The latest trace asked for is on screen."""
        return self.controller.traced()

    # -- models -------------------------------------------------------------------------------
    def use_source(self, source: ModelSource, index: int = DEFAULT, source_file=None) -> None:
        """Trace ``source``'s model from now on (built in the compute thread)."""
        self.controller.use_source(source, index, source_file)

    def _on_source_chosen(self, index: int) -> None:
        if index == DEFAULT:
            self.controller.use_source(self.controller.default, DEFAULT)
        elif index == TRAINING_RUN:
            self.use_training_run()
        elif index == CHECKPOINT:
            path, _ = QFileDialog.getOpenFileName(
                self, "Model checkpoint", "", "Checkpoints (*.pt)"
            )
            if path:
                self.use_checkpoint(path)
            else:
                self.controller.show_source(self.source_index)
        else:
            name = latest_opened_model()
            path = ask_weights_file(self, name) if name else ""
            if name is None:
                self.show_message(NO_OPENED_MODEL)
            if path:
                self.use_weights(name, path)
            else:
                self.controller.show_source(self.source_index)

    def use_weights(self, name: str, path) -> None:
        """Trace the model opened from a file as ``name`` with the weights of ``path``
        (trained elsewhere; read in the background)."""
        self.model_label.setText(f"Reading the weights of {path}…")
        self.controller.choices.choose("weights")
        self.weights.load(name, path)

    def _on_weights_loaded(self, result: dict) -> None:
        if not self.controller.choices.take("weights"):
            return  # another model was chosen while the file was read
        source = opened_source(result["name"], result["path"], result["state"])
        self.use_source(source, 3, (result["path"], result["name"]))

    def _on_weights_failed(self, text: str) -> None:
        if not self.controller.choices.take("weights"):
            return  # a file no longer chosen
        self.controller.refused(f"Cannot use these weights: {text}. The previous model stays.")

    def use_checkpoint(self, path) -> None:
        self.use_source(checkpoint_source(str(path)), CHECKPOINT, (str(path), None))

    def use_training_run(self) -> bool:
        """A snapshot of the model being trained, taken at a batch boundary."""
        return self.controller.use_training_run(self.context.request_training_model)

    def take_drawing(self, drawing: Drawing) -> None:
        """The Draw page's drawing and the source of its model ("Trace this drawing")."""
        if drawing.source is not None:
            self.use_source(drawing.source, drawing.source_index, drawing.source_file)
        self.controller.take_drawing(drawing.exact)
        self.image_input.put_drawing(drawing.canvas)
        self.controller.request_trace()

    # -- what the controller shows ------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_model_text(self, text: str) -> None:
        self.model_label.setText(text)

    def show_source(self, index: int) -> None:
        self.source_box.set_in_use(index)

    def show_test_image(self, index: int) -> None:
        """Trace test image ``index`` (read in the compute thread)."""
        self.controller.show_test_image(index)

    def put_test_image(self, index: int, image: np.ndarray, count: int) -> None:
        """Test image ``index`` of ``count`` has come: in the canvas, its number in the box."""
        self.image_input.put_test_image(index, image, count)

    def show_trace(self, trace) -> None:
        if self.overview.set_trace(trace, self.info.class_names):
            self._share_height()
        self.predicting.trace_shown(trace, self.info.class_names, self.controller.has_input())

    def show_prediction(self, text: str) -> None:
        self.prediction.setText(self.predicting.prediction_text(text))

    def set_predict_first(self, on: bool) -> None:
        self.predicting.set_on(on)

    def show_evidence(self, values, note: str) -> None:
        self.overview.set_evidence(values)
        self.evidence_note.setText(note)

    def canvas_image(self) -> np.ndarray:
        return self.canvas.to_array()

    def has_strokes(self) -> bool:
        return bool(self.canvas.strokes)

    def evidence_method(self) -> str:
        return self.evidence_box.currentData()

    # -- input --------------------------------------------------------------------------------
    def current_image(self) -> np.ndarray:
        """The pixel image traced (see :meth:`TraceController.current_image`)."""
        return self.controller.current_image()

    # -- the clicked unit ---------------------------------------------------------------------
    def clear_selection(self) -> None:
        self.overview.show_regions("selected", None)
        self.arithmetic.clear("Click any unit of the network above.")

    def select_unit(self, index: int, channel: int, row=None, col=None, keep_step=False) -> None:
        """Outline the unit's receptive field on every map and write out its arithmetic."""
        trace = self.trace
        if trace is None or self.predicting.click(index, row, col):
            return
        explanation = trace.explain(index, channel, row, col)
        regions = trace.dependencies(index, channel, row, col)
        self.controller.clicked(index, channel, row, col, keep_step)
        if not self.predicting.unit_selected(index, channel, row, col, regions, explanation):
            self.overview.show_regions("selected", regions, (index, channel, row, col))
            self.arithmetic.set_explanation(explanation, keep_step)
        self.update_legend()

    def _on_hover(self, index: int, channel: int, row, col) -> None:
        trace = self.trace
        if trace is None:
            return
        if self.predicting.on:  # the field it sees would give the answer away
            self.hover_label.setText("Predict first: click a unit to be asked what it sees.")
            return
        self.hover_label.setText(trace_views.hover_text(trace, index, channel, row, col))
        self.overview.show_regions("hovered", trace.dependencies(index, channel, row, col))

    def _on_hover_left(self) -> None:
        self.hover_label.setText(" ")
        self.overview.show_regions("hovered", None)

    def _on_scale_chosen(self, _index: int) -> None:
        self.overview.set_scale_mode(self.scale_box.currentData())
        self.update_legend()

    def update_legend(self) -> None:
        """The legend gives the values of the colours of the clicked map (or the network)."""
        if self.trace is None:
            return
        mode = self.scale_box.currentData()
        if mode == "network":
            self.legend.set_range(self.overview.network_scale(), "the whole network")
            return
        if self.selected is None:
            self.legend.set_range(None, "click a unit: its map's scale is shown here")
            return
        label, channel, _, _ = self.selected
        item = self.overview.items_by_node[self.trace.index(label)]
        if mode == "map" and item.node.is_map:
            self.legend.set_range(
                item.scale_of("map", 0, channel), f"{label}, channel {channel + 1}"
            )
        else:
            self.legend.set_range(item.scale_of("layer", 0, None), label)

    def _share_height(self) -> None:
        trace_views.share_height(self.splitter, self.overview, self.arithmetic)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if self.trace is not None:
            self._share_height()
        self.arithmetic.fit_cells()

    # -- lesson files -------------------------------------------------------------------------
    def lesson_state(self) -> dict:
        """The model's source, the input (a test image's number, or the drawing as PNG text
        with the exact image under it), the clicked unit and its arithmetic step, the colour
        scale and the evidence map."""
        if self.image_input.test_number() is not None:
            image: dict = {"test_image": self.image_input.test_number()}
        else:
            exact = self.controller.exact_input if not self.canvas.strokes else None
            image = {"canvas": encode_png(self.canvas.to_array()), "exact": exact_state(exact)}
        unit, step = self.controller.unit_state(self.arithmetic.step_bar.index)
        return {
            "model": source_state(self.source_index, *self.controller.source_file),
            "input": image,
            "unit": unit,
            "step": step,
            "scale": self.scale_box.currentData(),
            "evidence": self.evidence_box.currentData(),
        }

    def restore_lesson(self, state: dict) -> None:
        """Take a lesson's model and input (loaded in the compute thread, as when chosen),
        then click its unit and go to its step once the trace is in. ``ValueError``, nothing
        changed, for a malformed part; a model that then fails to load says so and the
        previous one stays."""
        lesson = check_trace_lesson(state)
        self._start()
        index, path, name = lesson["source"]
        # a choice still on its way (a snapshot, a weights file) would replace the lesson's
        # model when it comes: the lesson's model is a new choice, loaded again
        awaited = self.controller.choices.awaiting()
        reload = index != DEFAULT or self.controller.loading_other_than_default() or awaited
        image = lesson["input"]
        waits = ({"model"} if reload else set()) | ({"image"} if "test_image" in image else set())
        self.controller.expect_lesson(lesson["unit"], lesson["step"], waits)
        self.scale_box.setCurrentIndex(self.scale_box.findData(lesson["scale"]))
        self.evidence_box.setCurrentIndex(self.evidence_box.findData(lesson["evidence"]))
        if "test_image" in image:
            self.image_input.show_test_number(image["test_image"])
            self.show_test_image(image["test_image"])
        else:
            self._restore_drawing(image["canvas"], image["exact"])
        if not reload:
            return
        if index == DEFAULT:
            self.controller.use_source(self.controller.default, DEFAULT)
        elif index == TRAINING_RUN:
            self.use_training_run()  # none yet: the page says so and the model stays
        elif index == CHECKPOINT:
            self.use_checkpoint(path)
        else:
            self.use_weights(name, path)

    def _restore_drawing(self, canvas: np.ndarray, exact: np.ndarray | None) -> None:
        self.controller.take_drawing(None if exact is None else exact.astype(np.float32) / 255.0)
        self.image_input.put_drawing(canvas, blank_clears=True)
        self.controller.request_trace()

    def restoring(self) -> bool:
        return self.pending_lesson is not None

    def step_count(self) -> int:
        """The clicked unit's arithmetic steps (0 before a unit is clicked)."""
        return self.arithmetic.step_bar.count if self.arithmetic.explanation is not None else 0

    def no_steps_text(self) -> str:
        return (
            "Click a unit of the trace first: the steps of its arithmetic are what an "
            "animation of the Trace page shows."
        )

    def go_to_step(self, index: int) -> None:
        self.arithmetic.step_bar.set_index(index)

    def stage_parts(self, code: bool = False):
        """An animation frame shows the clicked unit's arithmetic (its grids and words) and
        the traced image with the unit's field outlined."""
        return self.arithmetic.stage_parts(self.trace_image)

    def figures(self):
        return [("forward pass", self.overview), ("unit arithmetic", self.arithmetic)]

    def lesson_title(self) -> str:
        return self.controller.lesson_title()

    # -- page interface -----------------------------------------------------------------------
    def apply_look(self, zoom: float, presenter: bool) -> None:
        scale = zoom * (1.35 if presenter else 1.0)
        self.overview.set_zoom(scale)
        self.arithmetic.set_cell_size(int(46 * scale))
        self._share_height()
        if self.selected is not None and self.trace is not None:
            label, channel, row, col = self.selected
            self.select_unit(self.trace.index(label), channel, row, col, keep_step=True)

    def stepper(self):
        return self.arithmetic.step_bar

    def shutdown(self) -> None:
        self.arithmetic.step_bar.stop()
        if self.jobs is not None:
            self.jobs.shutdown()
        self.weights.shutdown()

    def busy_text(self) -> str:
        if self.jobs is not None and self.jobs.running():
            return "finishing a trace"
        return "finishing reading a weights file" if self.weights.thread_running() else ""
