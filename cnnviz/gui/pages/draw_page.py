"""DrawPage: draw a digit and watch the network classify it, live, with its feature maps.

The page holds no torch module: its state and rules are :class:`DrawController`'s, and every
model job (what a model is, a prediction, the panels' maps) runs on the window's compute
service, on the model built there from the page's :class:`~cnnviz.core.model_source.ModelSource`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout

from cnnviz.core.inference import has_ink, prepare
from cnnviz.core.lesson_pictures import encode_png
from cnnviz.core.model_source import checkpoint_source, default_source, opened_source
from cnnviz.core.training import CheckpointError
from cnnviz.gui.data.datasets import MNIST, data_dir
from cnnviz.gui.pages import TRACE
from cnnviz.gui.pages.base import Drawing, Page, PageContext
from cnnviz.gui.pages.draw_controller import Choice, DrawController
from cnnviz.gui.pages.draw_views import build_tools, build_views
from cnnviz.gui.pages.page_jobs import PageJobs
from cnnviz.gui.widgets.draw_canvas import SIDE, DrawCanvas
from cnnviz.gui.widgets.source_choice import CHECKPOINT, DEFAULT, OPENED, TRAINING_RUN
from cnnviz.gui.widgets.weights_dialogs import ask_before_unpickling, ask_weights_file
from cnnviz.gui.workers.attribution_jobs import METHODS
from cnnviz.gui.workers.draw_jobs import describe_model, prediction
from cnnviz.gui.workers.weights_loader import (
    NO_OPENED_MODEL,
    WeightsLoader,
    latest_opened_model,
)

CANVAS_SHARE = 0.55  # at most this share of the page's width goes to the canvas


class DrawPage(Page):
    """Canvas → 28×28 → network → probability bars, feature maps and Inception branches."""

    status_hint = "Draw a digit with the mouse; the prediction follows every stroke."
    uses_dataset = True
    page_shortcuts = (
        ("Ctrl+Z", "undo the last stroke"),
        ("Delete", "clear the canvas"),
        ("E", "eraser on / off"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.controller = DrawController(MNIST, data_dir)
        self.jobs: PageJobs | None = None  # predictions, and each model asked for described
        self.weights = WeightsLoader(self, ask_before_unpickling)
        self.weights.loaded.connect(self._on_weights_loaded)
        self.weights.failed.connect(self._on_weights_failed)
        self.canvas = DrawCanvas()
        self.canvas.changed.connect(self.request_prediction)
        self._views: dict | None = None  # a lesson's layer and block, until its model is known
        build_tools(self)
        build_views(self)
        layout = QHBoxLayout(self)
        layout.addLayout(self.left_column)
        layout.addLayout(self.middle_column, 3)
        layout.addLayout(self.right_column, 4)
        self.request_prediction()

    def attach(self, context: PageContext) -> None:
        """The window lends its compute service: the default model is asked for."""
        super().attach(context)
        self._connect()

    def _connect(self) -> None:
        """The page's clients of the window's compute service; a page made without a window
        (a lesson exported from the command line) starts one of its own, stopped with it."""
        if self.jobs is not None:
            return
        answers = {"prediction": self._on_result, "model": self._on_described}
        self.jobs = PageJobs(self, self.context.compute, answers)
        self.why_tabs.use_service(self.jobs.service)
        self._ask(self.controller.in_use)

    def _fit_canvas(self) -> None:
        """The canvas square and as large as the page allows: the height under the tools,
        within its share of the width and leaving the columns beside it their least width."""
        layout = self.layout()
        margins = layout.contentsMargins()
        tools = self.left_column.itemAt(0).layout().sizeHint().height()
        room = self.height() - margins.top() - margins.bottom() - tools
        room -= self.left_column.spacing()
        others = sum(layout.itemAt(i).minimumSize().width() for i in range(1, layout.count()))
        others += layout.spacing() * (layout.count() - 1) + margins.left() + margins.right()
        width = min(int(self.width() * CANVAS_SHARE), self.width() - others)
        self.canvas.set_side(max(200, min(room, width)))

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_canvas()

    def event(self, event):
        if event.type() == QEvent.LayoutRequest:  # a neighbour's least width may have changed
            self._fit_canvas()
        return super().event(event)

    # -- models ---------------------------------------------------------------------------------
    def _ask(self, choice: Choice) -> None:
        """Ask the compute service for the model of ``choice``; it is used once described
        (a snapshot or weights file of a choice before it is dropped when it comes)."""
        self._connect()
        self.controller.choices.choose()
        self.controller.ask(choice)
        self.source_box.set_in_use(choice.index)
        if self.controller.facts is None:
            self.model_label.setText(self.controller.model_text())
        self.jobs.submit("model", choice.source, describe_model)

    def _on_described(self, result: dict) -> None:
        if "error" in result:
            self._on_refused(result["error"])
            return
        choice = self.controller.adopt(result)
        info = self.controller.info
        self.why_tabs.set_model(choice.source, result)
        self.bars.set_class_names(info.class_names)
        c, h, w = info.input_shape
        self.seen.title.setText(f"What the network sees ({c}×{h}×{w})")
        for box, items in ((self.layer_box, result["layers"]), (self.block_box, result["blocks"])):
            box.blockSignals(True)
            box.clear()
            box.addItems(list(items))
            box.blockSignals(False)
        self.branch_panel.setVisible(bool(result["blocks"]))
        self._restore_views()
        self.model_label.setText(self.controller.model_text())
        self.show_message("")
        self._note_dataset()
        self.request_prediction()

    def _on_refused(self, error: str) -> None:
        """The model asked for cannot be used: the page says why; the one in use stays."""
        self.show_message(self.controller.refuse(error))
        self.model_label.setText(self.controller.model_text())
        self.source_box.set_in_use(self.controller.in_use.index)

    def switching(self) -> bool:
        """Whether a model asked for (or a training snapshot, a weights file) is still on
        its way."""
        return self.controller.switching() or self.controller.choices.awaiting()

    def set_dataset(self, choice) -> None:
        """Follow the chosen dataset: its test images, and a note when the model in use was
        trained on something else."""
        self.controller.dataset = choice
        self._note_dataset()

    def _note_dataset(self) -> None:
        note = self.controller.dataset_note()
        self.dataset_note.setText(note)
        self.dataset_note.setVisible(bool(note))

    def use_training_run(self, keep_exact: bool = False) -> bool:
        """Ask for a snapshot of the model being trained (taken between two batches: it may
        arrive a moment later); False, with a message, when there is no run."""
        done = lambda source: self._on_training_snapshot(source, keep_exact)  # noqa: E731
        # asked before the request: a run that is not active answers at once
        if not self.context.request_training_model(self.controller.choices.ask("snapshot", done)):
            self.controller.choices.stop_waiting()
            self.show_message(
                "No training run yet: start one on the Train page. The previous model stays."
            )
            return False
        if self.controller.awaiting_snapshot:
            self.model_label.setText("Taking a snapshot of the training run…")
        return True

    def _on_training_snapshot(self, source, keep_exact: bool = False) -> None:
        """``source``: the run's :class:`~cnnviz.core.model_source.ModelSource` (None: the
        run has no model yet)."""
        if source is None:
            self.show_message(
                "The training run has no model yet (it is still setting up). "
                "The previous model stays."
            )
            self.model_label.setText(self.controller.model_text())
            return
        self._ask(Choice(source, TRAINING_RUN, keep_exact=keep_exact))

    def use_checkpoint(self, path, keep_exact: bool = False) -> bool:
        """Use the checkpoint at ``path``: False, saying why, when it cannot be read; else it
        is built in the compute service (weights that do not fit are said there)."""
        from cnnviz.core.training import load_checkpoint

        try:
            load_checkpoint(path)  # a file that is no checkpoint is refused at once
        except CheckpointError as exc:
            self.show_message(f"Cannot use this checkpoint: {exc}. The previous model stays.")
            return False
        self._ask(Choice(checkpoint_source(path), CHECKPOINT, str(path), keep_exact=keep_exact))
        return True

    def use_weights(self, name: str, path) -> None:
        """Put the weights of ``path`` (trained elsewhere) on the model opened from a file
        as ``name``; read in the background, the model changes when they fit."""
        self.model_label.setText(f"Reading the weights of {path}…")
        self.controller.choices.choose("weights")
        self.weights.load(name, path)

    def _on_weights_loaded(self, result: dict) -> None:
        if not self.controller.choices.take("weights"):
            return  # another model was chosen while the file was read
        name, path = result["name"], result["path"]
        source = opened_source(name, path, result["state"])
        self._ask(Choice(source, OPENED, str(path), name))

    def _on_weights_failed(self, text: str) -> None:
        if not self.controller.choices.take("weights"):
            return  # a file no longer chosen
        self.show_message(f"Cannot use these weights: {text}. The previous model stays.")
        self.model_label.setText(self.controller.model_text())
        self.source_box.set_in_use(self.controller.in_use.index)

    def _choose_weights(self) -> bool:
        """The model box's last entry: weights for the model opened last."""
        name = latest_opened_model()
        if name is None:
            self.show_message(NO_OPENED_MODEL)
            return False
        path = ask_weights_file(self, name)
        if not path:
            return False
        self.use_weights(name, path)
        return True

    def _on_source_chosen(self, index: int) -> None:
        if index == DEFAULT:
            self._ask(Choice(default_source()))
            return
        if index == TRAINING_RUN:
            chosen = self.use_training_run()
        elif index == CHECKPOINT:
            path, _ = QFileDialog.getOpenFileName(
                self, "Model checkpoint", "", "Checkpoints (*.pt)"
            )
            chosen = bool(path) and self.use_checkpoint(path)
        else:
            chosen = self._choose_weights()
        if not chosen:
            self.source_box.set_in_use(self.controller.in_use.index)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- predictions ----------------------------------------------------------------------------
    def _exact(self) -> np.ndarray | None:
        return self.controller.exact(self.canvas.background is not None, bool(self.canvas.strokes))

    def request_prediction(self) -> None:
        """Preprocess the drawing and ask for a prediction; an empty canvas shows none."""
        controller = self.controller
        controller.new_request()
        drawing, exact, info = self.canvas.to_array(), self._exact(), controller.info
        if exact is None and not has_ink(drawing):
            controller.answered()
            if self.jobs is not None:
                self.jobs.cancel("prediction")
            self.bars.set_probabilities(None)
            self.prediction.setText(controller.empty_text())
            self.seen.set_maps(np.zeros(info.input_shape[1:], np.float32), levels=(0, 1))
            self.why_tabs.set_image(None)
            return
        image = exact if exact is not None else prepare(drawing, info)
        self.seen.set_maps(image.mean(axis=0), levels=(0, 1))
        if controller.source is not None:  # else asked again once the model is described
            layers = controller.layers_to_show(
                self.layer_box.currentText(), self.block_box.currentText()
            )
            self.jobs.submit("prediction", controller.source, prediction, image, layers)
        self.why_tabs.set_image(image)  # after the prediction: the service runs it first

    def _on_result(self, result: dict) -> None:
        self.controller.answered()
        if "error" in result:
            self.show_message(self.controller.error_text(result["error"]))
            return
        probabilities = result["probabilities"]
        self.bars.set_probabilities(probabilities)
        self.prediction.setText(self.controller.prediction_text(probabilities))
        activations = result["activations"]
        layer = self.layer_box.currentText()
        if layer in activations:
            maps = activations[layer]
            self.maps.set_maps(
                maps, f"{layer}: {maps.shape[0]} feature maps of {maps.shape[1]}×{maps.shape[2]}"
            )
        branches, levels = self.controller.branches(activations, self.block_box.currentText())
        for view, (label, maps) in zip(self.branch_views, branches):
            view.set_maps(maps, label, levels=levels)

    def settled(self) -> bool:
        """No model on its way, and the latest drawing's answer is shown."""
        return not self.controller.choices.awaiting() and self.controller.settled()

    # the controller's state that other pages, tests and the screenshots read
    request_id = property(lambda self: self.controller.request_id)
    shown_id = property(lambda self: self.controller.shown_id)
    exact_input = property(lambda self: self.controller.exact_input)
    awaiting_snapshot = property(lambda self: self.controller.awaiting_training_model())
    source_index = property(lambda self: self.controller.in_use.index)
    source = property(lambda self: self.controller.source)
    info = property(lambda self: self.controller.info)
    rng = property(
        lambda self: self.controller.rng, lambda self, rng: setattr(self.controller, "rng", rng)
    )

    def try_test_digit(self) -> int | None:
        """Put a random test image on the canvas (the model gets it exactly); returns its
        label, or None when no test images fit this model."""
        image, label, why_not = self.controller.random_test_image()
        if image is None:
            self.show_message(why_not)
            return None
        self.show_test_image(image)
        return label

    def show_test_image(self, image: np.ndarray, snapshot=None) -> None:
        """Put a test image (uint8 ``[C, H, W]``) on the canvas, given to the network exactly;
        with ``snapshot`` (the training run's ModelSource), classified by that model."""
        if snapshot is not None:
            self._on_training_snapshot(snapshot, keep_exact=True)
        self.controller.set_exact(image)
        self.canvas.set_background(image.mean(axis=0).astype(np.uint8))

    def trace_drawing(self):
        """Show the Trace page on this drawing, with the model in use."""
        controller = self.controller
        page = self.context.show_page(TRACE)
        if page is not None:
            choice = controller.in_use
            page.take_drawing(
                Drawing(
                    self.canvas.to_array(),
                    self._exact(),
                    controller.source,
                    choice.index,
                    (choice.path, choice.name),
                )
            )
        return page

    # -- lesson files -----------------------------------------------------------------------------
    def lesson_state(self) -> dict:
        """The model's source, the drawing (PNG text), the exact test image under it if one
        is in use, the layer and Inception block shown, and the tab beside with its method."""
        views = {
            "layer": self.layer_box.currentText(),
            "block": self.block_box.currentText(),
            "tab": self.why_tabs.currentIndex(),
            "method": self.why_tabs.why.method_box.currentText(),
        }
        canvas = self.canvas
        return self.controller.lesson_state(
            encode_png(canvas.to_array()),
            canvas.background is not None,
            bool(canvas.strokes),
            views,
        )

    def restore_lesson(self, state: dict) -> None:
        """Take a lesson's model, drawing and views; the drawing is classified as a new
        stroke is. ``ValueError``, nothing changed, when a part is malformed or its checkpoint
        cannot be read. A training run that does not exist yet, or weights that turn out not
        to fit, say so on the page and the previous model stays."""
        method = self.why_tabs.why.method_box.currentText()
        lesson = self.controller.check_lesson(state, SIDE, METHODS, method, self.why_tabs.count())
        self._connect()  # a page made without a window: its own compute service, from now on
        index, path, name = lesson["source"]
        if index == CHECKPOINT:  # read first: a checkpoint that cannot be used changes nothing
            from cnnviz.core.training import load_checkpoint

            try:
                load_checkpoint(path)
            except CheckpointError as exc:
                raise ValueError(f"its checkpoint {path} cannot be used: {exc}") from None
        self.show_message("")
        # a choice still on its way (a snapshot, a weights file, a model being built) would
        # replace the lesson's model when it comes: the lesson's model is a new choice
        in_use, asked = self.controller.in_use, self.controller.asked
        pending = asked not in (None, in_use) or self.controller.choices.awaiting()
        if index == DEFAULT and (in_use.index != DEFAULT or pending):
            self._ask(Choice(default_source(), keep_exact=True))
        elif index == TRAINING_RUN:
            self.use_training_run(keep_exact=True)  # none yet: the page says so
        elif index == CHECKPOINT:
            self._ask(Choice(checkpoint_source(path), CHECKPOINT, path, keep_exact=True))
        elif index == OPENED:
            self.use_weights(name, path)  # read in the background, as when chosen
        self._views = lesson  # the layer and block: now, and again once a new model is known
        self._restore_views()
        self.why_tabs.setCurrentIndex(lesson["tab"])
        self.why_tabs.why.method_box.setCurrentText(lesson["method"])
        exact = lesson["exact"]
        self.controller.exact_input = None if exact is None else exact.astype(np.float32) / 255.0
        if lesson["canvas"].any():
            self.canvas.set_background(lesson["canvas"])  # classified as a new stroke would be
        else:
            self.canvas.clear()

    def _restore_views(self) -> None:
        """A lesson's layer and block, once the model in use has them."""
        if self._views is None:
            return
        if not self.controller.switching():
            self._views, views = None, self._views
        else:
            views = self._views
        for box, key in ((self.layer_box, "layer"), (self.block_box, "block")):
            if box.findText(views[key]) >= 0:
                box.setCurrentText(views[key])

    def figures(self):
        return [("feature maps", self.maps), ("what the network sees", self.seen)]

    def shutdown(self) -> None:
        if self.jobs is not None:
            self.jobs.shutdown()  # the window stops its own compute service
        self.weights.shutdown()
        self.why_tabs.shutdown()

    def busy_text(self) -> str:
        if self.jobs is not None and self.jobs.running():
            return "finishing a model job"
        return "finishing reading a weights file" if self.weights.thread_running() else ""
