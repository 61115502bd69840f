"""LearnPage ("One step"): one training step of the trained net, every number traceable — the
image and its label, the loss, ∂L/∂(every output) right to left, a gradient unit's chain rule,
then the SGD update: each filter before → after, the loss and probabilities on the same image
and on 1,000 test images, a batch's shares, step after step.

A page of its own beside the Trace page (which is at its size limit): it shares the Trace
page's image input, model sources, overview (here coloured with gradients) and arithmetic
panel. It steps any model the Trace page can trace whose input is MNIST's: the shipped one, the
Train page's run, a checkpoint, an opened model with its weights, or a fresh net. The page holds
no model: its state and rules are :class:`LearnController`'s, the session's
weights are plain numpy there, and every computation is a job of the compute service on a
module of this page's own (the latest request of each kind wins).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut

from cnnviz.gui.pages import learn_lesson, learn_views
from cnnviz.gui.pages.base import Drawing, Page
from cnnviz.gui.pages.learn_arithmetic import (
    backward_lesson,
    conv_reader,
    gradient_unit,
    parameter_unit,
)
from cnnviz.gui.pages.learn_controller import LearnController
from cnnviz.gui.pages.learn_sources import LearnSources
from cnnviz.gui.pages.learn_walk import hover_text
from cnnviz.gui.pages.page_jobs import PageJobs

CLICK_HINT = "Click any unit of the gradients above: its chain rule, with the numbers."


class LearnPage(Page):
    """The backward pass of one image in the middle, the update on the right."""

    status_hint = (
        "Walk the backward pass from the loss, click any gradient for its chain rule, then "
        "take the step and watch the weights and the loss move."
    )
    steps_through = True
    stage = ("overview", ("walk_text", "prediction"))  # an animation: the backward walk
    page_shortcuts = (
        ("Delete", "clear the drawing"),
        ("Ctrl+Return", "take the step (again)"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.jobs: PageJobs | None = None
        self.controller = LearnController(self, self)
        self.stepped: dict | None = None  # the last step's answer (weights before, after)
        self._build()
        self.sources = LearnSources(self)  # the Model box's choices

    def _build(self) -> None:
        left = learn_views.input_widgets()
        middle = learn_views.backward_widgets()
        right = learn_views.update_widgets()
        for part in (left, middle, right):
            for name, widget in vars(part).items():
                if name != "layout":
                    setattr(self, name, widget)
        learn_views.lay_out(self, left, middle, right)
        self.image_input.image_changed.connect(self.controller.canvas_changed)
        self.image_input.test_chosen.connect(self.controller.show_test_image)
        self.label_box.activated.connect(lambda i: self.controller.set_label(i))
        self.scale_box.currentIndexChanged.connect(self._on_scale_chosen)
        self.walk_bar.index_changed.connect(self._on_walk)
        self.overview.unit_clicked.connect(self.select_unit)
        self.overview.unit_hovered.connect(self._on_hover)
        self.overview.hover_left.connect(lambda: self.hover_label.setText(" "))
        self.step_button.clicked.connect(self.take_step)
        self.reset_button.clicked.connect(self.reset)
        self.backward_link.clicked.connect(self.open_on_backward_page)
        self.weights.weight_clicked.connect(self.select_weight)
        # after the panel has shown the step (connected before): gradients are small numbers
        self.arithmetic.step_bar.index_changed.connect(self._fit_decimals)
        context = Qt.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Delete"), self, self.canvas.clear, context=context)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.take_step, context=context)

    # -- the compute service ------------------------------------------------------------------
    def attach(self, context) -> None:
        super().attach(context)
        self._start()

    def _start(self) -> None:
        if self.jobs is None:
            c = self.controller
            answers = {"start": c.on_started, "test": c.on_test_image}
            answers |= {"backward": c.on_backward, "step": c.on_step, "measure": c.on_measured}
            self.jobs = PageJobs(self, self.context.compute, answers)
        self.controller.start()

    def submit(self, name: str, source, job, *args) -> int:
        self._start()
        return self.jobs.submit(name, source, job, *args)

    def cancel(self, name: str) -> None:
        if self.jobs is not None:
            self.jobs.cancel(name)

    def ready(self) -> bool:
        """The latest gradients asked for are on screen and no step, no model (nor the training
        run's snapshot, nor a weights file) is on its way."""
        return (
            self.controller.ready() and not self.controller.stepping and not self.sources.awaiting()
        )

    def measured(self) -> bool:
        """The last step's 1,000 test images are measured (or no step was taken)."""
        return self.controller.measured()

    # -- what the controller shows ------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_model_text(self, text: str) -> None:
        self.model_label.setText(text)

    def show_model(self, index: int) -> None:
        """The Model box's entry in use, named without choosing it again."""
        self.model_box.set_in_use(index)

    def put_test_image(self, index: int, image: np.ndarray, count: int) -> None:
        self.image_input.put_test_image(index, image, count)

    def show_label(self, label: int) -> None:
        self.label_box.setCurrentIndex(label)

    def show_backward(self, result: dict) -> None:
        """The gradients of every output, the loss and the prediction."""
        if self.overview.set_trace(result["trace"], ()):
            self._share_height()
        self.overview.set_scale_mode(self.scale_box.currentData())
        self.plots.set_start(result["loss"])
        self.walk_bar.set_count(len(self.controller.walk()), self.walk_bar.index)
        probs = result["probabilities"]
        top = int(np.argmax(probs))
        self.prediction.setText(f"{result['loss_text']}\n(it says {top}: {100 * probs[top]:.1f}%)")
        self._update_legend()
        self._show_weights()

    def show_walk(self, node_index: int | None, text: str) -> None:
        """The walk's layer outlined, scrolled into view, and what its step says."""
        self.walk_text.setText(text)
        if node_index is None or self.controller.selected is not None:
            return
        trace = self.controller.backward["trace"]
        node = trace.nodes[node_index]
        self.overview.show_regions("selected", {node_index: _whole(node)})
        item = self.overview.items_by_node[node_index]
        self.overview.ensureVisible(item.sceneBoundingRect(), 20, 20)
        self._show_weights()

    def _on_walk(self, step: int) -> None:
        """The walk moved: its layer takes the focus from a clicked unit (the bar also says
        its index again when its count is set: that moves nothing)."""
        if step != self.controller.walk_index and self.controller.selected is not None:
            self.controller.clear_selection()
        self.controller.walk_to(step)

    def go_to_walk(self, step: int) -> None:
        self.walk_bar.set_index(step)

    def select_unit(self, index: int, channel: int, row=None, col=None, keep_step=False) -> None:
        """The unit's chain rule, and the units of the layer after that it depends on."""
        backward = self.controller.backward
        if backward is None:
            return
        explanation, regions = gradient_unit(backward, index, channel, row, col)
        self.controller.clicked(index, channel, row, col)
        self.overview.show_regions("selected", regions, (index, channel, row, col))
        self.arithmetic.set_explanation(explanation, keep_step)
        self.backward_link.setVisible(conv_reader(backward, index) is not None)
        if not keep_step:
            self.tabs.setCurrentIndex(0)
        self._show_weights()

    def select_weight(self, name: str, index: tuple) -> None:
        """A weight's gradient by the chain rule, the outputs it sums over outlined; its
        shares are shown from the next step on."""
        backward = self.controller.backward
        if backward is None:
            return
        explanation, regions = parameter_unit(backward, name, index)
        self.controller.choose_weight(name, index)
        self.overview.show_regions("selected", regions)
        self.arithmetic.set_explanation(explanation)
        self.backward_link.hide()
        self.tabs.setCurrentIndex(0)

    def _fit_decimals(self, _index: int) -> None:
        """Enough decimals for the ∂L/∂Y grid and the products to show their numbers (the
        trained net's gradients are often below 0.001), between 3 and 6."""
        e = self.arithmetic.explanation
        if e is None or not e.steps:
            return
        step = e.steps[min(self.arithmetic.step_bar.index, len(e.steps) - 1)]
        for grid, values in (
            (self.arithmetic.window, step.window),
            (self.arithmetic.products, step.products),
        ):
            if values is not None:
                grid.model.set_decimals(decimals_for(values))

    def clear_selection(self) -> None:
        self.overview.show_regions("selected", None)
        self.arithmetic.clear(CLICK_HINT)
        self.backward_link.hide()

    def go_to_unit_step(self, step: int) -> None:
        """The clicked unit's arithmetic step (a lesson's)."""
        self.arithmetic.step_bar.set_index(step)

    def show_update(self, result: dict, history: list[dict], text: str) -> None:
        self.stepped = result
        self.result.setText(text)
        self.step_button.setText("Step again")
        self.plots.set_history(history)
        self.plots.set_probabilities(result["probs_before"], result["probs_after"])
        if result.get("shares") is not None:
            self.plots.set_shares(result["shares"], result["share_mean"])
        self.tabs.setCurrentIndex(1)
        self._show_weights()

    def show_update_text(self, text: str) -> None:
        self.result.setText(text)

    def clear_update(self) -> None:
        self.stepped = None
        self.step_button.setText("Take the step")
        self.result.setText("Take the step: the weights move against the gradient.")
        self.plots.clear()

    def canvas_image(self) -> np.ndarray:
        return self.canvas.to_array()

    def has_strokes(self) -> bool:
        return bool(self.canvas.strokes)

    # -- input --------------------------------------------------------------------------------
    def take_drawing(self, drawing: Drawing) -> None:
        """The Draw page's drawing (its model stays this page's own)."""
        self.controller.take_drawing(drawing.exact)
        self.image_input.put_drawing(drawing.canvas)
        self.controller.request_backward()

    def _on_scale_chosen(self, _index: int) -> None:
        self.overview.set_scale_mode(self.scale_box.currentData())
        self._update_legend()

    def _update_legend(self) -> None:
        if self.controller.backward is None:
            return
        if self.scale_box.currentData() == "network":
            self.legend.set_range(self.overview.network_scale(), "∂L/∂ of the whole network")
        else:
            self.legend.set_range(None, "each layer on its own scale")

    def _on_hover(self, index: int, channel: int, row, col) -> None:
        backward = self.controller.backward
        if backward is None:
            return
        self.hover_label.setText(hover_text(backward, index, channel, row, col))

    # -- the update ---------------------------------------------------------------------------
    def take_step(self) -> None:
        """One SGD step on the next batch (the answer comes from the compute thread)."""
        if self.controller.take_step(self.lr.value(), self.momentum.value(), self.batch.value()):
            self.result.setText("Taking the step…")

    def reset(self) -> None:
        self.controller.reset()

    def _show_weights(self) -> None:
        """The parameters of the layer looked at, in the Weights tab."""
        backward = self.controller.backward
        layer = self.controller.focus_label()
        names = backward["layer_params"].get(layer or "", []) if backward else []
        if not names:
            self.weights.clear(f"{layer} has no weights: walk or click to a layer that has.")
            return
        step = None
        if self.stepped is not None:
            step = (self.stepped["before"], self.stepped["state"])
        now = {n: backward["weights"][n] for n in names}
        self.weights.show_layer(layer, names, now, backward["parameters"], step)

    def open_on_backward_page(self) -> None:
        """The clicked convolution unit's numbers as a Backward page lesson."""
        from cnnviz.gui.pages import PAGES

        entry = next(e for e in PAGES if e.title == "Backward")
        try:
            state = backward_lesson(
                self.controller.backward, self.controller.selected, self.lr.value()
            )
        except ValueError as exc:
            self.show_message(f"Cannot open these numbers on the Backward page: {exc}")
            return
        page = self.context.show_page(entry)
        if page is not None:
            page.restore_lesson(state)

    # -- lesson files and the Step menu --------------------------------------------------------
    def lesson_state(self) -> dict:
        """See :func:`~cnnviz.gui.pages.learn_lesson.page_state`."""
        return learn_lesson.page_state(self)

    def restore_lesson(self, state: dict) -> None:
        """See :func:`~cnnviz.gui.pages.learn_lesson.restore`."""
        self._start()
        learn_lesson.restore(self, state)

    def restoring(self) -> bool:
        return self.controller.pending_lesson is not None

    def step_count(self) -> int:
        """The backward walk's steps, from the loss back to the first layer."""
        return self.walk_bar.count

    def no_steps_text(self) -> str:
        return "The gradients are not in yet: the walk through the backward pass is the animation."

    def go_to_step(self, index: int) -> None:
        """Step ``index`` of the walk through the backward pass (the Step menu, an animation)."""
        self.walk_bar.set_index(index)

    def stepper(self):
        return self.walk_bar

    def figures(self):
        return [
            ("backward pass", self.overview),
            ("chain rule", self.arithmetic),
            ("loss by step", self.plots),
        ]

    def lesson_title(self) -> str:
        return self.controller.lesson_title()

    def _share_height(self) -> None:
        """The overview takes the height its network needs, at most 45 % (the chain rule's
        words and grids below need the rest)."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        wanted = int(self.overview.sceneRect().height()) + 24
        top = max(160, min(wanted, int(0.45 * total)))
        self.splitter.setSizes([top, total - top])
        self.arithmetic.fit_cells()

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if self.controller.backward is not None:
            self._share_height()

    def apply_look(self, zoom: float, presenter: bool) -> None:
        scale = zoom * (1.35 if presenter else 1.0)
        self.overview.set_zoom(scale)
        self.arithmetic.set_cell_size(int(46 * scale))
        if self.controller.backward is not None:
            self._share_height()

    def shutdown(self) -> None:
        self.walk_bar.stop()
        self.arithmetic.step_bar.stop()
        if self.jobs is not None:
            self.jobs.shutdown()
        self.sources.shutdown()

    def busy_text(self) -> str:
        if self.jobs is not None and self.jobs.running():
            return "finishing a training step"
        return "finishing reading a weights file" if self.sources.busy() else ""


def decimals_for(values) -> int:
    """Decimals that show the largest of ``values`` with 2 significant digits (3 to 6)."""
    finite = np.abs(np.asarray(values, float))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if not finite.size:
        return 3
    return int(np.clip(1 - np.floor(np.log10(finite.max())), 3, 6))


def _whole(node):
    """A region covering every unit of ``node``."""
    from cnnviz.core.explain import Region

    if node.is_map:
        c, h, w = node.shape
        return Region(np.ones(c, bool), (0, 0, h, w))
    return Region(np.ones(node.value.size, bool))
