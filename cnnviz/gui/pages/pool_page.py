"""PoolPage: max and average pooling, window by window, channel by channel."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel

from cnnviz.core.lesson_presets import PoolPreset, pool_preset_from_state, pool_state
from cnnviz.core.ops import PoolPlan, pool_code
from cnnviz.core.quiz import cell_question, output_shape_question, winner_question
from cnnviz.gui.appearance.look import named
from cnnviz.gui.pages.grid_predict import PredictingGridPage
from cnnviz.gui.widgets.code_line import CodeLineView
from cnnviz.gui.widgets.grid_model import GRID_DECIMALS
from cnnviz.gui.widgets.pair_spin import PairSpin

KINDS = {"max": "Max pooling", "avg": "Average pooling"}


class PoolPage(PredictingGridPage):
    """Each input channel → its pooled output; max shows the winner, avg sum ÷ divisor."""

    status_hint = (
        "Pick an example, then step through it with → or Space; hover an input cell to see "
        "who reads it."
    )
    example_prefix = "pool"
    state_of = staticmethod(pool_state)
    preset_of_state = staticmethod(pool_preset_from_state)
    legend_keys = ("window", "winner", "gap", "padding", "current", "reader")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind_box = QComboBox()
        for key, text in KINDS.items():
            self.kind_box.addItem(text, key)
        self.kind_box.setToolTip(
            "Max keeps the largest number of each window; average "
            "divides the window's sum by its size"
        )
        self.add_field("kind", "Pooling", self.kind_box)
        self.kernel_spin = PairSpin((2, 2), 0, 15, "kernel size")
        self.add_field("kernel", "Kernel size", self.kernel_spin)
        self.stride_spin = PairSpin((2, 2), 0, 8, "stride")
        self.add_field("stride", "Stride", self.stride_spin)
        self.padding_spin = PairSpin((0, 0), 0, 8, "padding")
        self.add_field("padding", "Padding", self.padding_spin)
        self.dilation_spin = PairSpin((1, 1), 0, 8, "dilation")
        self.add_field("dilation", "Dilation", self.dilation_spin)
        self.ceil_box = QCheckBox("ceil_mode")
        self.ceil_box.setToolTip(
            "Round the output size up: keep a last, partial window "
            "(if it starts inside the input or its left/top padding)"
        )
        self.add_field("ceil", "Rounding", self.ceil_box)
        self.include_pad_box = QCheckBox("count_include_pad")
        self.include_pad_box.setChecked(True)
        self.include_pad_box.setToolTip("Average pooling: count padded zeros in the divisor")
        self.add_field("include_pad", "Divisor", self.include_pad_box)
        for control in (self.kernel_spin, self.stride_spin, self.padding_spin, self.dilation_spin):
            control.changed.connect(lambda _v: self.recompute())
        for box in (self.ceil_box, self.include_pad_box):
            box.toggled.connect(lambda _v: self.recompute())
        self.kind_box.currentIndexChanged.connect(self._on_kind_changed)
        self.code_line = CodeLineView()
        self.assemble()
        self.layout().addWidget(self.code_line)
        self.channels_changed(1)
        self.load_first_example()

    @property
    def kind(self) -> str:
        return self.kind_box.currentData()

    def build_plan(self) -> PoolPlan:
        dilation = self.dilation_spin.value() if self.kind == "max" else 1
        return PoolPlan(
            self.inputs,
            self.kind,
            self.kernel_spin.value(),
            self.stride_spin.value(),
            self.padding_spin.value(),
            dilation,
            self.ceil_box.isChecked(),
            self.include_pad_box.isChecked(),
        )

    def current_preset(self) -> PoolPreset:
        return PoolPreset(
            self.example_name(),
            "",
            self.inputs.tolist(),
            self.kind,
            self.kernel_spin.value(),
            self.stride_spin.value(),
            self.padding_spin.value(),
            self.dilation_spin.value(),
            self.ceil_box.isChecked(),
            self.include_pad_box.isChecked(),
        )

    def _on_kind_changed(self) -> None:
        self._sync_enabled()
        self.recompute()

    def _sync_enabled(self) -> None:
        is_max = self.kind == "max"
        self.dilation_spin.setEnabled(is_max)
        self.dilation_spin.setToolTip("" if is_max else "Average pooling has no dilation")
        self.include_pad_box.setEnabled(not is_max)

    def channels_changed(self, count: int) -> None:
        if len(self.input_grids) == count:
            return
        self.clear_grid_area()
        self.input_grids = [self.make_grid("Input", editable=True) for _ in range(count)]
        self.output_grids = [self.make_grid("Output", editable=False) for _ in range(count)]
        self.arrows = []
        for ch in range(count):
            arrow = QLabel()
            named(arrow, "operator")
            arrow.setAlignment(Qt.AlignCenter)
            self.arrows.append(arrow)
            self.grid_layout.addWidget(self.input_grids[ch], ch, 0, Qt.AlignVCenter | Qt.AlignRight)
            self.grid_layout.addWidget(arrow, ch, 1)
            self.grid_layout.addWidget(self.output_grids[ch], ch, 2, Qt.AlignVCenter | Qt.AlignLeft)
        self.wire_grids(self.input_grids, self.output_grids)

    def apply_preset(self, preset) -> None:
        self.set_inputs(preset.array())
        self.kind_box.blockSignals(True)
        self.kind_box.setCurrentIndex(list(KINDS).index(preset.kind))
        self.kind_box.blockSignals(False)
        for box, checked in (
            (self.ceil_box, preset.ceil_mode),
            (self.include_pad_box, preset.count_include_pad),
        ):
            box.blockSignals(True)
            box.setChecked(checked)
            box.blockSignals(False)
        self.kernel_spin.set_value(preset.kernel)
        self.stride_spin.set_value(preset.stride)
        self.padding_spin.set_value(preset.padding)
        self.dilation_spin.set_value(preset.dilation)
        self._sync_enabled()

    # -- predict first ----------------------------------------------------------------------------
    def layer(self) -> str:
        return "MaxPool2d" if self.kind == "max" else "AvgPool2d"

    def layer_kwargs(self) -> dict:
        """The layer as PyTorch builds it: ``nn.MaxPool2d(**layer_kwargs())`` (or AvgPool2d)."""
        kwargs = {
            "kernel_size": self.kernel_spin.value(),
            "stride": self.stride_spin.value(),
            "padding": self.padding_spin.value(),
        }
        if self.kind == "max":
            kwargs["dilation"] = self.dilation_spin.value()
        kwargs["ceil_mode"] = self.ceil_box.isChecked()
        if self.kind == "avg":
            kwargs["count_include_pad"] = self.include_pad_box.isChecked()
        return kwargs

    def settings_questions(self) -> list:
        try:
            return [output_shape_question(self.layer(), self.layer_kwargs(), self.inputs.shape)]
        except ValueError:
            return []

    def step_question(self, step):
        cell, kwargs = (step.row, step.col), self.layer_kwargs()
        try:
            if self.kind == "max":
                return winner_question(kwargs, self.inputs, cell, step.channel)
            return cell_question(
                "AvgPool2d", kwargs, self.inputs, cell, channel=step.channel, decimals=GRID_DECIMALS
            )
        except ValueError:
            return None

    # -- showing --------------------------------------------------------------------------------
    def show_plan(self) -> None:
        plan = self.plan
        c, h, w = plan.input.shape
        hp, wp = plan.padded.shape[1:]
        grown = (hp, wp) != (h, w)
        pad_label = "−∞" if plan.kind == "max" else "0"
        note = f", padded to {hp}×{wp}" if grown else ""
        for ch in range(c):
            chan = f" · channel {ch + 1}" if c > 1 else ""
            self.input_grids[ch].model.set_values(
                np.where(np.isfinite(plan.padded[ch]), plan.padded[ch], 0),
                plan.cell_kind,
                padding_label=pad_label,
                padding_name="−∞ for max pooling" if plan.kind == "max" else "zeros",
            )
            self.input_grids[ch].set_title(f"<b>Input</b>{chan} · {h}×{w}{note}")
            self.output_grids[ch].model.set_values(plan.output[ch])
            self.output_grids[ch].set_title(
                f"<b>Output</b>{chan} · {plan.out_h.size}×{plan.out_w.size}"
            )
            self.arrows[ch].setText(f"{plan.kind} {plan.kernel[0]}×{plan.kernel[1]}\n→")
        self.formula.setText(
            f"Output height: {plan.out_h.formula()}    Output width: {plan.out_w.formula()}"
        )
        self.code_line.set_line(pool_code(plan))

    def describe(self, step) -> str:
        where = f"<b>Output row {step.row + 1}, column {step.col + 1}"
        where += f", channel {step.channel + 1}:</b> " if len(self.input_grids) > 1 else ":</b> "
        text = where + step.expression()
        if step.kind == "max" and step.winner is not None:
            top, left = self.plan.padding
            text += (
                f" (the winner is input row {step.winner[1] - top + 1}, "
                f"column {step.winner[2] - left + 1})"
            )
        return text
