"""BackwardPage: how a convolution learns — ∂L/∂W, ∂L/∂b and ∂L/∂X stepped through with
their arithmetic for an editable ∂L/∂Y (or L = sum of the output), then one SGD step on the
kernel; and how pooling passes gradients back (max: to the winner; average: spread over the
divisor). Its state and rules are a
:class:`~cnnviz.gui.pages.backward_controller.BackwardLessonController`."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from cnnviz.core.lesson_presets import (
    MAX_LR,
    BackwardPreset,
    backward_preset_from_state,
    backward_state,
)
from cnnviz.gui.appearance.look import named
from cnnviz.gui.pages.backward_controller import BackwardLessonController
from cnnviz.gui.pages.backward_predict import backward_question, mask_gradients
from cnnviz.gui.pages.conv_page import big_symbol
from cnnviz.gui.pages.grid_controller import window_marks
from cnnviz.gui.pages.grid_predict import PredictingGridPage
from cnnviz.gui.widgets.grid_model import PADDING
from cnnviz.gui.widgets.pair_spin import PairSpin

KINDS = {"conv": "Convolution", "max": "Max pooling", "avg": "Average pooling"}


class BackwardPage(PredictingGridPage):
    """X ∗ W = Y and ∂L/∂Y in; ∂L/∂W, ∂L/∂b, ∂L/∂X out, one entry per step; SGD on W."""

    status_hint = (
        "Edit ∂L/∂Y (or keep L = sum of the output), step through the gradients, then take an "
        "SGD step and watch the filter change."
    )
    example_prefix = "back"
    state_of = staticmethod(backward_state)
    preset_of_state = staticmethod(backward_preset_from_state)
    legend_keys = ("window", "gap", "winner", "padding", "current")
    stage = ("grid_area", ("arithmetic", "formula", "loss_label"))  # the loss, the SGD step

    def __init__(self, parent=None):
        super().__init__(parent)
        self.settings_box.form.setRowVisible(self.fields["channels"], False)
        self.kind_box = QComboBox()
        for key, text in KINDS.items():
            self.kind_box.addItem(text, key)
        self.kind_box.setToolTip("Which layer the gradients flow back through")
        self.add_field("kind", "Layer", self.kind_box)
        self.kernel_spin = PairSpin((2, 2), 1, 7, "kernel size")
        self.add_field("kernel", "Kernel size", self.kernel_spin)
        self.stride_spin = PairSpin((1, 1), 0, 4, "stride")
        self.add_field("stride", "Stride", self.stride_spin)
        self.padding_spin = PairSpin((0, 0), 0, 4, "padding")
        self.add_field("padding", "Padding", self.padding_spin)
        self.sum_box = QCheckBox("L = sum of the output")
        self.sum_box.setChecked(True)
        self.sum_box.setToolTip(
            "∂L/∂Y = 1 everywhere (the loss is the sum of the output); type into the ∂L/∂Y "
            "grid to choose your own"
        )
        self.add_field("grad", "∂L/∂Y", self.sum_box)
        self.ceil_box = QCheckBox("ceil_mode")
        self.ceil_box.setToolTip("Pooling: round the output size up (keep a last, partial window)")
        self.include_pad_box = QCheckBox("count_include_pad")
        self.include_pad_box.setChecked(True)
        self.include_pad_box.setToolTip(
            "Average pooling: padded zeros count in the divisor, so each input cell gets a "
            "smaller share"
        )
        pool_row = QWidget()
        row = QHBoxLayout(pool_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ceil_box)
        row.addWidget(self.include_pad_box)
        self.add_field("pool", "Pooling", pool_row)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setRange(0.0, MAX_LR)
        self.lr_spin.setDecimals(3)
        self.lr_spin.setSingleStep(0.01)
        self.lr_spin.setValue(0.01)
        self.lr_spin.setToolTip("Learning rate of the SGD step: w ← w − lr·∂L/∂W")
        self.sgd_button = QPushButton("SGD step")
        self.sgd_button.setToolTip("Apply w ← w − lr·∂L/∂W to the kernel, then recompute")
        self.sgd_button.clicked.connect(self.sgd)
        sgd_row = QWidget()
        row = QHBoxLayout(sgd_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.lr_spin)
        row.addWidget(self.sgd_button)
        self.add_field("lr", "Learning rate", sgd_row)
        self.kind_box.currentIndexChanged.connect(self._on_kind_changed)
        self.kernel_spin.changed.connect(self._on_kernel_size_changed)
        for control in (self.stride_spin, self.padding_spin):
            control.changed.connect(lambda _v: self.recompute())
        for box in (self.sum_box, self.ceil_box, self.include_pad_box):
            box.toggled.connect(lambda _v: self.recompute())
        self._make_grids()
        self.loss_label = QLabel()
        named(self.loss_label, "formula")
        self.loss_label.setWordWrap(True)
        self.placed = ""
        self.assemble()
        self.layout().addWidget(self.loss_label)
        self.load_first_example()

    def make_controller(self) -> BackwardLessonController:
        return BackwardLessonController(self.build_plan, self.example_prefix)

    @property
    def kernel(self) -> np.ndarray:
        """The kernel W being learnt."""
        return self.lesson.kernel

    @kernel.setter
    def kernel(self, value: np.ndarray) -> None:
        self.lesson.kernel = value

    @property
    def grad_out(self) -> np.ndarray:
        """∂L/∂Y as typed (or all ones for L = sum of the output)."""
        return self.lesson.grad_out

    # -- grids ------------------------------------------------------------------------------------
    def _make_grids(self) -> None:
        make = self.make_grid
        self.x_grid, self.w_grid = make("X", editable=True), make("W", editable=True)
        self.y_grid, self.gy_grid = make("Y", editable=False), make("∂L/∂Y", editable=True)
        self.gw_grid, self.gb_grid = make("∂L/∂W", editable=False), make("∂L/∂b", editable=False)
        self.view_grid = make("∂L/∂Y, zeros inserted", editable=False)
        self.flipped_grid = make("W flipped", editable=False)
        self.gx_grid = make("∂L/∂X", editable=False)
        self.input_grids = [self.x_grid]
        self.output_grids = [self.y_grid]
        self.connect_input_edits(self.x_grid, 0)
        self.w_grid.model.cell_edit_requested.connect(
            lambda r, c, text: self.edit_cell(self.kernel[None], "kernel", 0, r, c, text)
        )
        self.gy_grid.model.cell_edit_requested.connect(self._on_grad_edited)
        self.gw_grid.view.cell_clicked.connect(
            lambda r, c: self._jump("weight", r * self.kernel.shape[1] + c)
        )
        self.gb_grid.view.cell_clicked.connect(lambda r, c: self._jump("bias", 0))
        self.gx_grid.view.cell_clicked.connect(
            lambda r, c: self._jump("input", r * self.inputs.shape[2] + c)
        )
        for grid in (self.y_grid, self.gy_grid):
            grid.view.cell_clicked.connect(self._on_output_clicked_here)
        # after an SGD step the weights have two decimals: the grids computed from them too
        for grid in (self.y_grid, self.gw_grid, self.flipped_grid, self.gx_grid):
            grid.model.set_decimals(2)

    def all_grids(self):
        return [
            self.x_grid,
            self.w_grid,
            self.y_grid,
            self.gy_grid,
            self.gw_grid,
            self.gb_grid,
            self.view_grid,
            self.flipped_grid,
            self.gx_grid,
        ]

    @property
    def kind(self) -> str:
        return self.kind_box.currentData()

    @property
    def shown_kind(self) -> str:
        """The layer of the plan on screen ("conv", "max", "avg"): the last one that worked,
        which the Layer box may no longer show while its settings are refused."""
        return self.lesson.shown_kind

    def _place_grids(self, kind: str) -> None:
        """Convolution: X ∗ W = Y and ∂L/∂Y above; ∂L/∂Y zero-inserted ∗ W flipped = ∂L/∂X,
        then ∂L/∂W (under ∂L/∂Y) and ∂L/∂b below. Pooling: X → Y, ∂L/∂Y above; ∂L/∂X below X."""
        self.placed = kind
        self.clear_grid_area(keep=self.all_grids())
        conv = kind == "conv"
        align = Qt.AlignCenter
        if conv:
            top = (self.x_grid, "∗", self.w_grid, "=", self.y_grid, self.gy_grid)
            bottom = (self.view_grid, "∗", self.flipped_grid, "=", self.gx_grid, self.gw_grid)
        else:
            top = (self.x_grid, "→", self.y_grid, self.gy_grid)
            bottom = (self.gx_grid,)
        for row, widgets in ((0, top), (1, bottom)):
            for col, widget in enumerate(widgets):
                if isinstance(widget, str):
                    self.grid_layout.addWidget(big_symbol(widget), row, col)
                else:
                    self.grid_layout.addWidget(widget, row, col, align)
        if conv:
            self.grid_layout.addWidget(self.gb_grid, 1, len(bottom), align)
        shown = set(top + bottom) | ({self.gb_grid} if conv else set())
        for grid in self.all_grids():
            grid.setVisible(grid in shown)
        self.fields["lr"].setEnabled(conv)
        self.fields["pool"].setEnabled(not conv)

    # -- state ------------------------------------------------------------------------------------
    def build_plan(self):
        return self.lesson.plan_for(
            self.kind,
            self.kernel_spin.value(),
            self.stride_spin.value(),
            self.padding_spin.value(),
            self.sum_box.isChecked(),
            self.rounding(),
        )

    def rounding(self) -> tuple[bool, bool]:
        """Pooling's (ceil_mode, count_include_pad)."""
        return self.ceil_box.isChecked(), self.include_pad_box.isChecked()

    def _on_kind_changed(self) -> None:
        self.step_bar.stop()
        self.lesson.last_update = ""
        self.recompute(step_index=0)

    def _on_kernel_size_changed(self, size) -> None:
        self.lesson.resize_kernel(size)
        self.recompute()

    def _on_grad_edited(self, row: int, col: int, text: str) -> None:
        if self.sum_box.isChecked():  # typing a gradient of one's own leaves L = sum
            self.sum_box.blockSignals(True)
            self.sum_box.setChecked(False)
            self.sum_box.blockSignals(False)
        self.edit_cell(self.grad_out[None], "∂L/∂Y", 0, row, col, text)

    def apply_preset(self, preset) -> None:
        self.kind_box.blockSignals(True)
        self.kind_box.setCurrentIndex(list(KINDS).index(preset.kind))
        self.kind_box.blockSignals(False)
        self.set_inputs(np.asarray(preset.input, float)[None])
        self.kernel = preset.kernel_array()
        self.kernel_spin.set_value(preset.kernel_size)
        self.stride_spin.set_value(preset.stride)
        self.padding_spin.set_value(preset.padding)
        if preset.grad_out is not None:
            self.lesson.grad_out = np.asarray(preset.grad_out, float)
        boxes = (self.sum_box, self.ceil_box, self.include_pad_box)
        flags = (preset.grad_out is None, preset.ceil_mode, preset.count_include_pad)
        for box, checked in zip(boxes, flags):
            with QSignalBlocker(box):
                box.setChecked(checked)
        self.lr_spin.setValue(preset.lr)  # nothing is computed from it before an SGD step
        self.lesson.last_update = ""

    def current_preset(self) -> BackwardPreset:
        custom = not self.sum_box.isChecked()
        return BackwardPreset(
            self.example_name(),
            "",
            self.kind,
            self.inputs[0].tolist(),
            self.kernel.tolist(),
            self.kernel_spin.value(),
            self.stride_spin.value(),
            self.padding_spin.value(),
            self.grad_out.tolist() if custom else None,
            self.ceil_box.isChecked(),
            self.include_pad_box.isChecked(),
            self.lr_spin.value(),
        )

    def field_for(self, message: str):
        if message.startswith("lr"):
            return self.fields["lr"]
        return super().field_for(message)

    # -- the SGD step -----------------------------------------------------------------------------
    def sgd(self) -> bool:
        """w ← w − lr·∂L/∂W on the kernel; the loss before and after is written out."""
        try:
            update = self.lesson.sgd_update(self.lr_spin.value())
        except ValueError as exc:
            self.fields["lr"].set_error(str(exc))
            return False
        if update is None:  # a pooling has no weights
            return False
        before, old = self.lesson.loss(), self.kernel
        self.kernel = update.after
        if not self.recompute(step_index=self.step_bar.index):
            self.kernel = old
            return False
        self.lesson.note_update(update, before)
        self._show_loss()
        return True

    def loss(self) -> float:
        """L = Σ ∂L/∂Y·Y of the current plan (Σ Y for L = sum of the output)."""
        return self.lesson.loss()

    def _show_loss(self) -> None:
        self.loss_label.setText(self.lesson.loss_text(self.sum_box.isChecked()))

    # -- showing ----------------------------------------------------------------------------------
    def show_plan(self) -> None:
        plan = self.plan
        if self.shown_kind != self.placed:
            self._place_grids(self.shown_kind)
        forward = plan.forward
        if self.shown_kind == "conv":
            kinds = forward.padding_mask.astype(np.int8) * PADDING
            self.x_grid.model.set_values(forward.padded[0], kinds, padding_name="zeros")
            self.w_grid.model.set_values(self.kernel)
            self.w_grid.set_title("<b>W</b>")
            self.y_grid.model.set_values(forward.output[0])
            self.gw_grid.model.set_values(plan.grad_weight[0, 0])
            self.gb_grid.model.set_values(plan.grad_bias[None])
            view = plan.input_view
            self.view_grid.model.set_values(view.grid[0], view.kinds, padding_name="inserted zero")
            self.flipped_grid.model.set_values(view.flipped[0, 0])
            self.gw_grid.set_title("<b>∂L/∂W</b>")
            self.gb_grid.set_title("<b>∂L/∂b</b>")
            # two short lines rather than one wide column
            self.view_grid.set_title("<b>∂L/∂Y</b><br>padded")
            self.flipped_grid.set_title("<b>W</b><br>flipped")
        else:
            label = "−∞" if self.shown_kind == "max" else "0"
            finite = np.where(np.isfinite(forward.padded[0]), forward.padded[0], 0)
            self.x_grid.model.set_values(finite, forward.cell_kind, padding_label=label)
            self.y_grid.model.set_values(forward.output[0])
        # short titles: seven grids share a row, and presenter mode makes type larger
        self.x_grid.set_title("<b>X</b>")
        self.y_grid.set_title("<b>Y</b>")
        self.gy_grid.model.set_values(plan.grad_out[0])
        self.gy_grid.set_title("<b>∂L/∂Y</b>")
        self.gx_grid.model.set_values(plan.grad_input[0])
        self.gx_grid.set_title("<b>∂L/∂X</b>")
        self.formula.setText(
            f"Output height: {forward.out_h.formula()}    Output width: {forward.out_w.formula()}"
        )
        self._show_loss()

    def show_step(self, step) -> None:
        if self.shown_kind == "conv":
            self._show_conv_step(step)
        else:
            self._show_pool_step(step)
        self.arithmetic.setText(self.describe(step))

    def _phase_marks(self, grid, phase: str, step_phase: str, local: int, cell=None) -> None:
        """A gradient grid before its phase: all grey; in it: the current cell and grey after;
        after it: plain."""
        order = ("weight", "bias", "input")
        if order.index(phase) > order.index(step_phase):
            grid.model.set_highlights({}, -1)
        elif phase == step_phase:
            grid.model.set_highlights({cell: "current"}, local)
        else:
            grid.model.set_highlights({})

    def _show_conv_step(self, step) -> None:
        plan = self.plan
        target, local = plan.phase(step.index)
        everything = {
            (r, c): "kernel"
            for r in range(plan.grad_out.shape[1])
            for c in range(plan.grad_out.shape[2])
        }
        kh, kw = self.kernel.shape
        kernel = {(r, c): "kernel" for r in range(kh) for c in range(kw)}
        self.x_grid.model.set_highlights(window_marks(step, 0) if target == "weight" else {})
        self.gy_grid.model.set_highlights(
            everything
            if target == "weight"
            else ({k: "window" for k in everything} if target == "bias" else {})
        )
        self.w_grid.model.set_highlights({})
        self.view_grid.model.set_highlights(window_marks(step, 0) if target == "input" else {})
        self.flipped_grid.model.set_highlights(kernel if target == "input" else {})
        self._phase_marks(self.gw_grid, "weight", target, local, step.cell[2:])
        self._phase_marks(self.gb_grid, "bias", target, local, (0, 0))
        self._phase_marks(self.gx_grid, "input", target, local, step.cell[1:])
        self.y_grid.model.set_highlights({})

    def _show_pool_step(self, step) -> None:
        plan = self.plan
        forward_step = plan.forward[step.index]
        self.x_grid.model.set_highlights(window_marks(forward_step, 0))
        self.y_grid.model.set_highlights({(step.row, step.col): "current"}, step.index)
        self.gy_grid.model.set_highlights({(step.row, step.col): "current"}, step.index)
        (ph, pw) = plan.forward.padding
        self.gx_grid.model.set_values(plan.grad_after(step.index)[0])
        self.gx_grid.model.set_highlights({(r - ph, c - pw): "current" for _, r, c in step.cells})

    def describe(self, step) -> str:
        return self.lesson.describe(step)

    def step_question(self, step):
        return backward_question(self, step)

    def mask_outputs(self, step) -> None:
        mask_gradients(self, step)

    # -- clicks -----------------------------------------------------------------------------------
    def _jump(self, target: str, local: int) -> None:
        if (index := self.lesson.step_of(target, local)) is not None:
            self.step_bar.stop()
            self.step_bar.set_index(index)

    def _on_output_clicked_here(self, row: int, col: int) -> None:
        if (index := self.lesson.step_at_output(row, col)) is not None:
            self.step_bar.stop()
            self.step_bar.set_index(index)

    def copy_output(self) -> str:
        """Copy ∂L/∂X (and, for a convolution, ∂L/∂W) as tab-separated text."""
        if text := self.lesson.output_text():
            QGuiApplication.clipboard().setText(text)
            self.hint.setText(
                "∂L/∂X copied to the clipboard"
                + (" (then ∂L/∂W)." if self.shown_kind == "conv" else ".")
            )
        return text
