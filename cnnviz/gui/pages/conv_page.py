"""ConvPage: convolution, padding, stride and dilation, one output cell at a time.

Its state and rules are a :class:`~cnnviz.gui.pages.conv_controller.ConvLessonController`."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.lesson_presets import ConvPreset, conv_preset_from_state, conv_state
from cnnviz.core.ops import ActivatedPlan, ActivationStep, ConvPlan, conv_code
from cnnviz.core.ops.params import PADDING_MODES
from cnnviz.core.quiz import cell_question, output_shape_question
from cnnviz.gui.appearance.look import named
from cnnviz.gui.pages.conv_controller import ConvLessonController
from cnnviz.gui.pages.grid_predict import PredictingGridPage
from cnnviz.gui.widgets.code_line import CodeLineView
from cnnviz.gui.widgets.grid_model import GRID_DECIMALS, PADDING
from cnnviz.gui.widgets.labeled_grid import LabeledGrid
from cnnviz.gui.widgets.pair_spin import PairSpin

PADDING_CHOICES = ("numbers", "same", "valid")


def big_symbol(text: str) -> QLabel:
    label = QLabel(text)
    named(label, "operator")
    label.setAlignment(Qt.AlignCenter)
    return label


class ConvPage(PredictingGridPage):
    """Input grids (one per channel) ∗ kernels = output, stepped through cell by cell."""

    status_hint = (
        "Pick an example, then step through it with → or Space; click an output cell to jump to it."
    )
    example_prefix = "conv"
    state_of = staticmethod(conv_state)
    preset_of_state = staticmethod(conv_preset_from_state)
    legend_keys = ("window", "gap", "padding", "current", "reader")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kernel_grids: list[LabeledGrid] = []
        self.kernel_spin = PairSpin((3, 3), 1, 15, "kernel size")
        self.kernel_spin.changed.connect(self._on_kernel_size_changed)
        self.add_field("kernel", "Kernel size", self.kernel_spin)
        self.stride_spin = PairSpin((1, 1), 0, 8, "stride")
        self.add_field("stride", "Stride", self.stride_spin)
        self.padding_kind = QComboBox()
        self.padding_kind.addItems(PADDING_CHOICES)
        self.padding_kind.setToolTip(
            "numbers: pad by the amounts given; same: keep the input "
            "size (stride 1); valid: no padding"
        )
        self.padding_spin = PairSpin((0, 0), 0, 16, "padding")
        self.padding_mode = QComboBox()
        self.padding_mode.addItems(PADDING_MODES)
        self.padding_mode.setToolTip(
            "What the padded cells hold: zeros, a mirror image of the "
            "border (reflect), the border repeated (replicate) or the "
            "opposite side (circular)"
        )
        padding_row = QWidget()
        # the kind above the amounts: side by side they made the settings column the widest
        # thing on the page, and the grids' room
        row = QVBoxLayout(padding_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.padding_kind, 0, Qt.AlignLeft)
        row.addWidget(self.padding_spin)
        self.add_field("padding", "Padding", padding_row)
        self.add_field("mode", "Padding mode", self.padding_mode)
        self.dilation_spin = PairSpin((1, 1), 0, 8, "dilation")
        self.add_field("dilation", "Dilation", self.dilation_spin)
        self.bias_spin = QDoubleSpinBox()
        self.bias_spin.setRange(-999, 999)
        self.bias_spin.setDecimals(2)
        self.bias_spin.setToolTip("Added to every output cell")
        self.add_field("bias", "Bias", self.bias_spin)
        self.relu_box = QCheckBox("ReLU after")
        self.relu_box.setToolTip(
            "Apply ReLU, max(0, x), to the output as one more step (the lecture's conv → ReLU)"
        )
        self.add_field("relu", "Activation", self.relu_box)
        self.relu_box.toggled.connect(self._on_relu_toggled)
        for control in (self.stride_spin, self.padding_spin, self.dilation_spin):
            control.changed.connect(lambda _v: self.recompute())
        self.padding_kind.currentTextChanged.connect(self._on_padding_kind_changed)
        self.padding_mode.currentTextChanged.connect(lambda _t: self.recompute())
        self.bias_spin.valueChanged.connect(lambda _v: self.recompute())
        self.output_grids = [self.make_grid("Output", editable=False)]
        self.wire_grids([], self.output_grids)
        self.relu_grid = self.make_grid("After ReLU", editable=False)
        self.relu_arrow = big_symbol("↓ ReLU")
        self.relu_grid.hide()
        self.relu_arrow.hide()
        # the output with its ReLU below it: one column, so ReLU costs no width
        self.output_column = QWidget()
        column = QVBoxLayout(self.output_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.output_grids[0], 0, Qt.AlignLeft)
        column.addWidget(self.relu_arrow, 0, Qt.AlignHCenter)
        column.addWidget(self.relu_grid, 0, Qt.AlignLeft)
        self.code_line = CodeLineView()
        self.assemble()
        self.layout().addWidget(self.code_line)
        self.channels_changed(1)
        self.load_first_example()

    def make_controller(self) -> ConvLessonController:
        return ConvLessonController(self.build_plan, self.example_prefix)

    @property
    def kernels(self) -> np.ndarray:
        """The kernels, ``[C, kh, kw]``: one per input channel."""
        return self.lesson.kernels

    @kernels.setter
    def kernels(self, value: np.ndarray) -> None:
        self.lesson.kernels = value

    # -- state --------------------------------------------------------------------------------
    def padding_value(self):
        kind = self.padding_kind.currentText()
        return kind if kind != "numbers" else self.padding_spin.value()

    def build_plan(self):
        plan = ConvPlan(
            self.inputs,
            self.kernels,
            self.bias_spin.value(),
            self.stride_spin.value(),
            self.padding_value(),
            self.dilation_spin.value(),
            self.padding_mode.currentText(),
        )
        return ActivatedPlan(plan) if self.relu_box.isChecked() else plan

    def _on_relu_toggled(self, on: bool) -> None:
        self.relu_grid.setVisible(on)
        self.relu_arrow.setVisible(on)
        self.recompute()

    def current_preset(self) -> ConvPreset:
        return ConvPreset(
            self.example_name(),
            "",
            self.inputs.tolist(),
            self.kernels.tolist(),
            self.bias_spin.value(),
            self.stride_spin.value(),
            self.padding_value(),
            self.dilation_spin.value(),
            self.padding_mode.currentText(),
            self.relu_box.isChecked(),
        )

    def _on_padding_kind_changed(self, kind: str) -> None:
        self.padding_spin.setEnabled(kind == "numbers")
        self.recompute()

    def _on_kernel_size_changed(self, size) -> None:
        self.lesson.resize_kernels(size)
        self.recompute()

    def channels_changed(self, count: int) -> None:
        self.lesson.fit_kernels(count)
        if len(self.input_grids) != count:
            self._rebuild_grids(count)

    def _rebuild_grids(self, count: int) -> None:
        self.clear_grid_area(keep=[self.output_column])
        self.input_grids, self.kernel_grids = [], []
        for ch in range(count):
            grid = self.make_grid("Input", editable=True)
            kernel = self.make_grid("Kernel", editable=True)
            kernel.model.cell_edit_requested.connect(
                lambda r, c, text, k=ch: self.edit_cell(self.kernels, "kernel", k, r, c, text)
            )
            self.input_grids.append(grid)
            self.kernel_grids.append(kernel)
            self.grid_layout.addWidget(grid, ch, 0, Qt.AlignVCenter | Qt.AlignRight)
            self.grid_layout.addWidget(big_symbol("∗"), ch, 1)
            self.grid_layout.addWidget(kernel, ch, 2, Qt.AlignVCenter)
        self.wire_grids(self.input_grids, [])
        self.grid_layout.addWidget(big_symbol("="), 0, 3, count, 1)
        self.grid_layout.addWidget(self.output_column, 0, 4, count, 1, Qt.AlignVCenter)

    def apply_preset(self, preset) -> None:
        x, w = preset.arrays()
        self.set_inputs(x)
        self.kernels = w.copy()
        self.kernel_spin.set_value(w.shape[1:])
        self.stride_spin.set_value(preset.stride)
        kind = preset.padding if isinstance(preset.padding, str) else "numbers"
        for widget, setter in (
            (self.padding_kind, lambda: self.padding_kind.setCurrentText(kind)),
            (self.padding_mode, lambda: self.padding_mode.setCurrentText(preset.padding_mode)),
            (self.bias_spin, lambda: self.bias_spin.setValue(preset.bias)),
        ):
            widget.blockSignals(True)
            setter()
            widget.blockSignals(False)
        self.padding_spin.setEnabled(kind == "numbers")
        self.padding_spin.set_value((0, 0) if isinstance(preset.padding, str) else preset.padding)
        self.dilation_spin.set_value(preset.dilation)
        if preset.relu is not None:  # the shipped examples leave the ReLU as it is
            with QSignalBlocker(self.relu_box):
                self.relu_box.setChecked(preset.relu)
            self.relu_grid.setVisible(preset.relu)
            self.relu_arrow.setVisible(preset.relu)

    # -- predict first ----------------------------------------------------------------------------
    def layer_kwargs(self) -> dict:
        """The layer as PyTorch builds it: ``nn.Conv2d(**layer_kwargs())``."""
        kwargs = {
            "in_channels": int(self.inputs.shape[0]),
            "out_channels": 1,
            "kernel_size": tuple(self.kernels.shape[1:]),
            "stride": self.stride_spin.value(),
            "padding": self.padding_value(),
            "dilation": self.dilation_spin.value(),
        }
        if self.padding_mode.currentText() != "zeros":
            kwargs["padding_mode"] = self.padding_mode.currentText()
        return kwargs

    def settings_questions(self) -> list:
        try:
            return [output_shape_question("Conv2d", self.layer_kwargs(), self.inputs.shape)]
        except ValueError:
            return []

    def step_question(self, step):
        if isinstance(step, ActivationStep) or self.padding_mode.currentText() != "zeros":
            return None  # (the quiz's cells are those of zero padding)
        try:
            return cell_question(
                "Conv2d",
                self.layer_kwargs(),
                self.inputs,
                (step.row, step.col),
                weight=self.kernels[None],
                bias_values=[self.bias_spin.value()],
                decimals=GRID_DECIMALS,  # checked as the grid shows it
            )
        except ValueError:
            return None

    def result_grids(self) -> list:
        return self.output_grids + [self.relu_grid]

    # -- showing --------------------------------------------------------------------------------
    def show_plan(self) -> None:
        plan = self.plan
        kinds = plan.padding_mask.astype(np.int8) * PADDING
        c, h, w = plan.input.shape
        hp, wp = plan.padded.shape[1:]
        pad_note = f", padded to {hp}×{wp} ({plan.padding_mode})" if (hp, wp) != (h, w) else ""
        for ch, grid in enumerate(self.input_grids):
            grid.model.set_values(plan.padded[ch], kinds, padding_name=plan.padding_mode)
            chan = f" · channel {ch + 1}" if c > 1 else ""
            grid.set_title(f"<b>Input</b>{chan} · {h}×{w}{pad_note}")
        for ch, grid in enumerate(self.kernel_grids):
            grid.model.set_values(plan.weight[ch])
            chan = f" · channel {ch + 1}" if c > 1 else ""
            grid.set_title(f"<b>Kernel</b>{chan} · {plan.weight.shape[1]}×{plan.weight.shape[2]}")
        out = self.output_grids[0]
        out.model.set_values(plan.output)
        bias = f" (bias {self.bias_spin.value():g})" if self.bias_spin.value() else ""
        out.set_title(f"<b>Output</b> · {plan.out_h.size}×{plan.out_w.size}{bias}")
        self.formula.setText(
            f"Output height: {plan.out_h.formula()}    Output width: {plan.out_w.formula()}"
        )
        relu = isinstance(plan, ActivatedPlan)
        if relu:
            self.relu_grid.model.set_values(plan.activated)
            self.relu_grid.set_title(f"<b>After ReLU</b> · {plan.out_h.size}×{plan.out_w.size}")
        self.code_line.set_line(conv_code(plan, self.padding_value(), relu=relu))

    def show_step(self, step) -> None:
        if isinstance(step, ActivationStep):
            for grid in self.input_grids:
                grid.model.set_highlights({})
            self.highlight_outputs(step)
            self.arithmetic.setText(self.describe(step))
        else:
            super().show_step(step)
        _, kh, kw = self.plan.weight.shape
        for grid in self.kernel_grids:
            grid.model.set_highlights({(r, c): "kernel" for r in range(kh) for c in range(kw)})

    def highlight_outputs(self, step) -> None:
        """The ReLU step marks the cells it zeroes; before it, the ReLU grid waits (grey)."""
        if not isinstance(step, ActivationStep):
            super().highlight_outputs(step)
            self.relu_grid.model.set_highlights({}, -1)
            return
        zeroed = {cell: "window" for cell in step.zeroed}
        self.output_grids[0].model.set_highlights(zeroed)
        self.relu_grid.model.set_highlights({cell: "current" for cell in step.zeroed})

    def describe(self, step) -> str:
        return self.lesson.describe(step)

    def all_grids(self):
        return self.input_grids + self.kernel_grids + self.output_grids + [self.relu_grid]
