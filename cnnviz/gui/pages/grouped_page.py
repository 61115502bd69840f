"""GroupedPage: a convolution layer with several filters, in groups — depthwise when each
input channel is a group of its own, a 1×1 convolution across channels as the bottleneck —
with the channels each filter reads drawn, and its parameters and multiply-adds against the
full convolution."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSpinBox, QVBoxLayout, QWidget

from cnnviz.core.lesson_presets import (
    MAX_LAYER_CHANNELS,
    GroupedPreset,
    grouped_preset_from_state,
    grouped_state,
)
from cnnviz.core.ops import GroupedConvPlan, conv_code
from cnnviz.core.quiz import multiply_adds_question, parameters_question
from cnnviz.gui.pages.conv_page import big_symbol
from cnnviz.gui.pages.grid_predict import PredictingGridPage
from cnnviz.gui.widgets.channel_wiring import ChannelWiring
from cnnviz.gui.widgets.code_line import CodeLineView
from cnnviz.gui.widgets.grid_model import PADDING
from cnnviz.gui.widgets.pair_spin import PairSpin


def _fitted(weight: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``weight`` cut or grown to ``shape``; new weights are 1."""
    out = np.ones(shape)
    common = tuple(slice(0, min(a, b)) for a, b in zip(weight.shape, shape))
    out[common] = weight[common]
    return out


class GroupedPage(PredictingGridPage):
    """Input channels → the channels each filter reads (drawn) → filters → output channels."""

    status_hint = (
        "Change groups and channels and watch which input channels each output reads, and "
        "what it costs; step through with → or Space."
    )
    example_prefix = "group"
    state_of = staticmethod(grouped_state)
    preset_of_state = staticmethod(grouped_preset_from_state)
    legend_keys = ("window", "padding", "current", "reader")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.weight = np.ones((1, 1, 3, 3))
        self.structure: tuple = ()
        self.kernel_grids: list[list] = []
        self.channel_spin.setRange(1, MAX_LAYER_CHANNELS)
        self.channel_spin.setToolTip(f"Input channels (1–{MAX_LAYER_CHANNELS})")
        self.out_spin = QSpinBox()
        self.out_spin.setRange(1, MAX_LAYER_CHANNELS)
        self.out_spin.setToolTip(f"Output channels: the number of filters (1–{MAX_LAYER_CHANNELS})")
        self.add_field("out_channels", "Output channels", self.out_spin)
        self.groups_spin = QSpinBox()
        self.groups_spin.setRange(0, MAX_LAYER_CHANNELS)
        self.groups_spin.setValue(1)
        self.groups_spin.setToolTip(
            "groups: the channels split into this many groups; each filter reads only its "
            "group's input channels (groups = input channels: depthwise)"
        )
        self.add_field("groups", "Groups", self.groups_spin)
        self.kernel_spin = PairSpin((3, 3), 1, 5, "kernel size")
        self.add_field("kernel", "Kernel size", self.kernel_spin)
        self.padding_spin = PairSpin((0, 0), 0, 4, "padding")
        self.add_field("padding", "Padding", self.padding_spin)
        self.out_spin.valueChanged.connect(lambda _v: self._refit())
        self.groups_spin.valueChanged.connect(lambda _v: self._refit())
        self.kernel_spin.changed.connect(lambda _v: self._refit())
        self.padding_spin.changed.connect(lambda _v: self.recompute())
        self.wiring = ChannelWiring()
        # the costs are this lesson's formula (the output size is the Convolution page's)
        self.costs = self.formula
        self.code_line = CodeLineView()
        self.assemble()
        self.layout().addWidget(self.code_line)
        self.load_first_example()

    # -- state ------------------------------------------------------------------------------------
    def build_plan(self) -> GroupedConvPlan:
        return GroupedConvPlan(
            self.inputs,
            self.weight,
            None,
            padding=self.padding_spin.value(),
            groups=self.groups_spin.value(),
        )

    def _refit(self) -> None:
        """Give the weight the shape the settings ask for, then recompute."""
        c_in, groups = self.inputs.shape[0], self.groups_spin.value()
        per = c_in // groups if groups >= 1 and c_in % groups == 0 else self.weight.shape[1]
        shape = (self.out_spin.value(), max(per, 1)) + self.kernel_spin.value()
        self.weight = _fitted(self.weight, shape)
        self.recompute()

    def channels_changed(self, count: int) -> None:
        c_in, groups = count, self.groups_spin.value()
        if groups >= 1 and c_in % groups == 0:
            self.weight = _fitted(
                self.weight, (self.weight.shape[0], c_in // groups) + self.weight.shape[2:]
            )

    def field_for(self, message: str):
        if message.startswith("groups") or "group" in message.split(" (")[0]:
            return self.fields["groups"]
        return super().field_for(message)

    def apply_preset(self, preset) -> None:
        x, w = preset.arrays()
        for spin, value in (
            (self.out_spin, preset.out_channels),
            (self.groups_spin, preset.groups),
        ):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.set_inputs(x)
        self.weight = w
        self.kernel_spin.set_value(w.shape[2:])
        self.padding_spin.set_value(preset.padding)

    def current_preset(self) -> GroupedPreset:
        return GroupedPreset(
            self.example_name(),
            "",
            self.inputs.tolist(),
            self.weight.tolist(),
            self.groups_spin.value(),
            self.padding_spin.value(),
        )

    # -- predict first ----------------------------------------------------------------------------
    def settings_questions(self) -> list:
        """How many weights, and how many multiplications, the layer takes (asked first)."""
        kwargs = {
            "in_channels": int(self.inputs.shape[0]),
            "out_channels": self.out_spin.value(),
            "kernel_size": tuple(self.weight.shape[2:]),
            "padding": self.padding_spin.value(),
            "groups": self.groups_spin.value(),
        }  # with its bias, as the cost line counts it (the lesson's grids leave it out)
        try:
            return [
                parameters_question("Conv2d", kwargs),
                multiply_adds_question("Conv2d", kwargs, self.inputs.shape),
            ]
        except ValueError:
            return []

    def result_grids(self) -> list:
        return []  # the costs are held back (the formula line); the grids show

    # -- grids ------------------------------------------------------------------------------------
    def _rebuild_grids(self, plan: GroupedConvPlan) -> None:
        self.clear_grid_area(keep=[self.wiring])
        c_in = plan.input.shape[0]
        c_out, per = plan.weight.shape[:2]
        self.input_grids = [self.make_grid("Input", editable=True) for _ in range(c_in)]
        self.output_grids = [self.make_grid("Output", editable=False) for _ in range(c_out)]
        self.kernel_grids = []
        inputs, filters = QWidget(), QWidget()
        column = QVBoxLayout(inputs)
        for grid in self.input_grids:
            column.addWidget(grid, 0, Qt.AlignRight)
        rows = QVBoxLayout(filters)
        for o in range(c_out):
            row = QHBoxLayout()
            kernels = []
            for c in range(per):
                grid = self.make_grid("Filter", editable=True)
                grid.model.cell_edit_requested.connect(
                    lambda r, col, text, k=o * per + c: self._on_weight_edited(k, r, col, text)
                )
                kernels.append(grid)
                row.addWidget(grid, 0, Qt.AlignVCenter)
            row.addWidget(big_symbol("→"))
            row.addWidget(self.output_grids[o], 0, Qt.AlignVCenter)
            row.addStretch(1)
            self.kernel_grids.append(kernels)
            rows.addLayout(row)
        self.grid_layout.addWidget(inputs, 0, 0)
        self.grid_layout.addWidget(self.wiring, 0, 1)
        self.grid_layout.addWidget(filters, 0, 2)
        self.wire_grids(self.input_grids, self.output_grids)

    def _on_weight_edited(self, flat: int, row: int, col: int, text: str) -> None:
        kh, kw = self.weight.shape[2:]
        self.edit_cell(self.weight.reshape(-1, kh, kw), "filter", flat, row, col, text)

    def output_channel(self, input_channel: int) -> int:
        """The first output channel that reads ``input_channel`` (for hovering)."""
        plan = self.plan
        return (input_channel // plan.per_group) * plan.out_per_group

    def all_grids(self):
        return self.input_grids + [g for row in self.kernel_grids for g in row] + self.output_grids

    # -- showing ----------------------------------------------------------------------------------
    def show_plan(self) -> None:
        plan = self.plan
        structure = plan.weight.shape[:2] + (plan.input.shape[0],)
        if structure != self.structure:
            self._rebuild_grids(plan)
            self.structure = structure
        c_in = plan.input.shape[0]
        kinds = plan.padding_mask.astype(np.int8) * PADDING
        for ch, grid in enumerate(self.input_grids):
            grid.model.set_values(plan.padded[ch], kinds, padding_name="zeros")
            grid.set_title(f"<b>Input {ch + 1}</b>")
        for o, kernels in enumerate(self.kernel_grids):
            first = plan.reads(o).start
            for c, grid in enumerate(kernels):
                grid.model.set_values(plan.weight[o, c])
                # W o,c: filter o's kernel for input channel c (short: kernels may be 1×1)
                grid.set_title(f"<b>W</b> {o + 1},{first + c + 1}")
            self.output_grids[o].model.set_values(plan.output[o])
            self.output_grids[o].set_title(f"<b>Output {o + 1}</b>")
        self.wiring.set_layer(c_in, plan.weight.shape[0], plan.groups)
        self.costs.setText("<br>".join(plan.cost_lines()))
        self.code_line.set_line(
            conv_code(
                plan, tuple(int(v) for v in self.padding_spin.value()), plan.groups, bias=False
            )
        )

    def show_step(self, step) -> None:
        super().show_step(step)
        kh, kw = self.plan.weight.shape[2:]
        marks = {(r, c): "kernel" for r in range(kh) for c in range(kw)}
        for o, kernels in enumerate(self.kernel_grids):
            for grid in kernels:
                grid.model.set_highlights(marks if o == step.out_channel else {})
        self.wiring.set_current(step.out_channel)

    def describe(self, step) -> str:
        reads = self.plan.reads(step.out_channel)
        which = (
            f"input channel {reads.start + 1}"
            if reads.stop - reads.start == 1
            else f"input channels {reads.start + 1}–{reads.stop}"
        )
        return (
            f"<b>Output {step.out_channel + 1}, row {step.row + 1}, column {step.col + 1}</b> "
            f"(reads {which}): {step.expression()}"
        )
