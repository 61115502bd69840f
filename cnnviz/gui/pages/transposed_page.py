"""TransposedPage: transposed convolution in both of its pictures, side by side.

Left, the scatter view: each input cell times the kernel, added into the output (drawn before
the padding cuts its border off). Right, the same numbers as an ordinary stride-1 convolution
over the input with zeros inserted and a border added, with the kernel flipped. The step bar
walks one view at a time (the "Step through" box).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel

from cnnviz.core.grid_text import resized
from cnnviz.core.lesson_presets import (
    CONVOLUTION,
    SCATTER,
    TransposedPreset,
    transposed_preset_from_state,
    transposed_state,
)
from cnnviz.core.ops import ScatterStep, TransposedConvPlan, transposed_code
from cnnviz.core.quiz import cell_question, output_shape_question
from cnnviz.gui.appearance.look import named
from cnnviz.gui.pages.conv_page import big_symbol
from cnnviz.gui.pages.grid_controller import window_marks
from cnnviz.gui.pages.grid_predict import PredictingGridPage
from cnnviz.gui.widgets.code_line import CodeLineView
from cnnviz.gui.widgets.grid_model import GRID_DECIMALS, PADDING
from cnnviz.gui.widgets.pair_spin import PairSpin


class TransposedWalk:
    """The plan the step bar walks: the scatter steps or the convolution view's steps of one
    :class:`TransposedConvPlan` (everything else is the plan's)."""

    def __init__(self, plan: TransposedConvPlan, view: str):
        self.plan, self.view = plan, view
        self.steps = plan if view == SCATTER else plan.as_convolution

    def __getattr__(self, name):
        if name in ("plan", "steps", "view"):
            raise AttributeError(name)
        return getattr(self.plan, name)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index):
        return self.steps[index]


class TransposedPage(PredictingGridPage):
    """Input ⊛ kernel, scattered (left) and as a convolution (right); the output-size
    formula filled in; the PyTorch line."""

    status_hint = (
        "Step through the scatter view (each input cell stamps the kernel) or the convolution "
        "view (zeros inserted, kernel flipped); both give the same output."
    )
    example_prefix = "tconv"
    state_of = staticmethod(transposed_state)
    preset_of_state = staticmethod(transposed_preset_from_state)
    legend_keys = ("window", "gap", "padding", "current", "reader")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kernel = np.ones((2, 2))
        # one channel in, one out
        self.settings_box.form.setRowVisible(self.fields["channels"], False)
        self.kernel_spin = PairSpin((2, 2), 1, 7, "kernel size")
        self.kernel_spin.changed.connect(self._on_kernel_size_changed)
        self.add_field("kernel", "Kernel size", self.kernel_spin)
        self.stride_spin = PairSpin((2, 2), 0, 6, "stride")
        self.add_field("stride", "Stride", self.stride_spin)
        self.padding_spin = PairSpin((0, 0), 0, 8, "padding")
        self.padding_spin.setToolTip("Cells cut off each border of the output")
        self.add_field("padding", "Padding", self.padding_spin)
        self.output_padding_spin = PairSpin((0, 0), 0, 6, "output_padding")
        self.output_padding_spin.setToolTip(
            "Extra rows and columns added at the bottom and right (smaller than the stride "
            "or the dilation)"
        )
        self.add_field("output_padding", "Output padding", self.output_padding_spin)
        self.dilation_spin = PairSpin((1, 1), 0, 4, "dilation")
        self.add_field("dilation", "Dilation", self.dilation_spin)
        self.bias_spin = QDoubleSpinBox()
        self.bias_spin.setRange(-999, 999)
        self.bias_spin.setDecimals(2)
        self.bias_spin.setToolTip("Added to every output cell")
        self.add_field("bias", "Bias", self.bias_spin)
        self.view_box = QComboBox()
        self.view_box.addItem("the scatter view", SCATTER)
        self.view_box.addItem("the convolution view", CONVOLUTION)
        self.view_box.setToolTip(
            "Which picture the step buttons walk: one input cell at a time (scatter) or one "
            "output cell at a time (convolution)"
        )
        self.add_field("view", "Step through", self.view_box)
        for control in (
            self.stride_spin,
            self.padding_spin,
            self.output_padding_spin,
            self.dilation_spin,
        ):
            control.changed.connect(lambda _v: self.recompute())
        self.bias_spin.valueChanged.connect(lambda _v: self.recompute())
        self.view_box.currentIndexChanged.connect(lambda _i: self.recompute(step_index=0))
        self._build_grids()
        self.code_line = CodeLineView()
        self.assemble()
        self.layout().addWidget(self.code_line)
        self.load_first_example()

    # -- grids ------------------------------------------------------------------------------------
    def _build_grids(self) -> None:
        self.input_grid = self.make_grid("Input", editable=True)
        self.kernel_grid = self.make_grid("Kernel", editable=True)
        self.canvas_grid = self.make_grid("Output", editable=False)
        self.spread_grid = self.make_grid("Zeros inserted", editable=False)
        self.flipped_grid = self.make_grid("Kernel flipped", editable=False)
        self.conv_output_grid = self.make_grid("Output", editable=False)
        self.flipped_grid.model.set_decimals(2)  # as many as the kernel it flips shows
        self.input_grids = [self.input_grid]
        self.output_grids = [self.conv_output_grid]
        self.connect_input_edits(self.input_grid, 0)
        self.kernel_grid.model.cell_edit_requested.connect(self._on_kernel_edited)
        self.input_grid.view.cell_clicked.connect(self._on_input_clicked)
        self.conv_output_grid.view.cell_clicked.connect(self._on_output_clicked_here)
        self.canvas_grid.view.cell_hovered.connect(self._on_canvas_hovered)
        self.spread_grid.view.cell_hovered.connect(self._on_spread_hovered)
        for grid in (self.canvas_grid, self.spread_grid):
            grid.view.hover_left.connect(lambda: self.hint.setText(""))
        scatter_title = QLabel("<b>Scatter:</b> each input cell × the kernel, added in")
        conv_title = QLabel("<b>As a convolution:</b> zeros inserted, kernel flipped")
        for label in (scatter_title, conv_title):
            named(label, "gridTitle")
        # the two pictures one above the other, column for column: the input beside the
        # zero-inserted input, the kernel beside the flipped kernel, output beside output
        grid = self.grid_layout
        grid.addWidget(scatter_title, 0, 0, 1, 5)
        grid.addWidget(conv_title, 2, 0, 1, 5)
        for row, widgets in (
            (1, (self.input_grid, "×", self.kernel_grid, "→", self.canvas_grid)),
            (3, (self.spread_grid, "∗", self.flipped_grid, "=", self.conv_output_grid)),
        ):
            for col, widget in enumerate(widgets):
                if isinstance(widget, str):
                    grid.addWidget(big_symbol(widget), row, col)
                else:
                    grid.addWidget(widget, row, col, Qt.AlignCenter)

    def all_grids(self):
        return [
            self.input_grid,
            self.kernel_grid,
            self.canvas_grid,
            self.spread_grid,
            self.flipped_grid,
            self.conv_output_grid,
        ]

    # -- state ------------------------------------------------------------------------------------
    @property
    def view(self) -> str:
        return self.view_box.currentData()

    def build_plan(self) -> TransposedWalk:
        plan = TransposedConvPlan(
            self.inputs,
            self.kernel,
            self.bias_spin.value(),
            self.stride_spin.value(),
            self.padding_spin.value(),
            self.output_padding_spin.value(),
            self.dilation_spin.value(),
        )
        return TransposedWalk(plan, self.view)

    def _on_kernel_size_changed(self, size) -> None:
        self.kernel = resized(self.kernel, *size)
        self.recompute()

    def _on_kernel_edited(self, row: int, col: int, text: str) -> None:
        grids = self.kernel[None]  # edit_cell writes into [C, H, W]; a view of self.kernel
        self.edit_cell(grids, "kernel", 0, row, col, text)

    def field_for(self, message: str):
        if message.startswith("output_padding"):
            return self.fields["output_padding"]
        return super().field_for(message)

    def apply_preset(self, preset) -> None:
        x, w = preset.arrays()
        self.set_inputs(x)
        self.kernel = w.copy()
        self.kernel_spin.set_value(w.shape)
        self.stride_spin.set_value(preset.stride)
        self.padding_spin.set_value(preset.padding)
        self.output_padding_spin.set_value(preset.output_padding)
        self.dilation_spin.set_value(preset.dilation)
        with QSignalBlocker(self.bias_spin), QSignalBlocker(self.view_box):
            self.bias_spin.setValue(preset.bias)
            self.view_box.setCurrentIndex(self.view_box.findData(preset.view))

    def current_preset(self) -> TransposedPreset:
        return TransposedPreset(
            self.example_name(),
            "",
            self.inputs[0].tolist(),
            self.kernel.tolist(),
            self.stride_spin.value(),
            self.padding_spin.value(),
            self.output_padding_spin.value(),
            self.dilation_spin.value(),
            self.bias_spin.value(),
            self.view,
        )

    # -- showing ----------------------------------------------------------------------------------
    # -- predict first ----------------------------------------------------------------------------
    def settings_questions(self) -> list:
        kwargs = {
            "in_channels": 1,
            "out_channels": 1,
            "kernel_size": tuple(self.kernel.shape[-2:]),
            "stride": self.stride_spin.value(),
            "padding": self.padding_spin.value(),
            "output_padding": self.output_padding_spin.value(),
            "dilation": self.dilation_spin.value(),
        }
        try:
            return [output_shape_question("ConvTranspose2d", kwargs, self.inputs.shape)]
        except ValueError:
            return []

    def step_question(self, step):
        """In the convolution view, each output cell: the ordinary convolution on screen (the
        zero-inserted input, the flipped kernel, stride 1) gives it."""
        if isinstance(step, ScatterStep):
            return None
        view = self.plan.plan.as_convolution
        kwargs = {
            "in_channels": 1,
            "out_channels": 1,
            "kernel_size": tuple(view.flipped.shape[2:]),
            "dilation": tuple(view.dilation),
        }
        try:
            return cell_question(
                "Conv2d",
                kwargs,
                view.grid,
                (step.row, step.col),
                weight=view.flipped,
                bias_values=[self.bias_spin.value()],
                decimals=GRID_DECIMALS,
            )
        except ValueError:
            return None

    def result_grids(self) -> list:
        return [self.canvas_grid, self.spread_grid, self.conv_output_grid]

    def held_title(self, grid) -> str:
        return "<b>With zeros</b><br>?×?" if grid is self.spread_grid else super().held_title(grid)

    def masks(self, step) -> bool:
        return not isinstance(step, ScatterStep)

    def show_plan(self) -> None:
        plan = self.plan.plan
        view = plan.as_convolution
        _, h, w = plan.input.shape
        kh, kw = plan.weight.shape[2:]
        self.input_grid.model.set_values(plan.input[0])
        self.input_grid.set_title(f"<b>Input</b> · {h}×{w}")
        self.kernel_grid.model.set_values(plan.weight[0, 0])
        self.kernel_grid.set_title(f"<b>Kernel</b> · {kh}×{kw}")
        self._show_canvas(plan.canvas[0])
        rows, cols = plan.canvas_shape
        ho, wo = plan.out_h.size, plan.out_w.size
        cut = ", grey: cut off" if (rows, cols) != (ho, wo) else ""
        self.canvas_grid.set_title(f"<b>Output</b> · {ho}×{wo}{cut}")
        self.spread_grid.model.set_values(
            view.grid[0], view.kinds, padding_name="an inserted or border zero"
        )
        self.spread_grid.set_title(
            f"<b>With zeros</b><br>{view.grid.shape[1]}×{view.grid.shape[2]}"
        )
        self.flipped_grid.model.set_values(view.flipped[0, 0])
        self.flipped_grid.set_title("<b>Kernel</b><br>flipped")  # two short lines: narrow
        self.conv_output_grid.model.set_values(plan.output[0])
        bias = f" (bias {self.bias_spin.value():g})" if self.bias_spin.value() else ""
        self.conv_output_grid.set_title(f"<b>Output</b> · {ho}×{wo}{bias}")
        self.formula.setText(
            f"Output height: {plan.out_h.formula()}    Output width: {plan.out_w.formula()}"
            "    — (i−1)·s − 2p + d·(k−1) + output_padding + 1"
        )
        self.code_line.set_line(transposed_code(plan))

    def _show_canvas(self, canvas: np.ndarray) -> None:
        kinds = self.plan.plan.canvas_mask.astype(np.int8) * PADDING
        self.canvas_grid.model.set_values(canvas, kinds, padding_name="cut off by the padding")

    def show_step(self, step) -> None:
        plan = self.plan.plan
        kh, kw = plan.weight.shape[2:]
        kernel_marks = {(r, c): "kernel" for r in range(kh) for c in range(kw)}
        if isinstance(step, ScatterStep):
            self.input_grid.model.set_highlights({(step.row, step.col): "current"})
            self.kernel_grid.model.set_highlights(kernel_marks)
            self._show_canvas(plan.canvas_after(step.index)[0])
            self.canvas_grid.model.set_highlights({cell[1:]: "window" for cell in step.cells})
            for grid in (self.spread_grid, self.flipped_grid):
                grid.model.set_highlights({})
            self.conv_output_grid.model.set_highlights({})
            self.input_grid.view.scrollTo(self.input_grid.model.index(step.row, step.col))
        else:
            self.input_grid.model.set_highlights({})
            self.kernel_grid.model.set_highlights({})
            self._show_canvas(plan.canvas[0])
            self.canvas_grid.model.set_highlights({})
            self.spread_grid.model.set_highlights(window_marks(step, 0))
            self.flipped_grid.model.set_highlights(kernel_marks)
            self.highlight_outputs(step)
        self.arithmetic.setText(self.describe(step))

    def describe(self, step) -> str:
        if isinstance(step, ScatterStep):
            plan = self.plan.plan
            (ph, pw), (ho, wo) = plan.padding, (plan.out_h.size, plan.out_w.size)
            rows = sorted({r - ph for _, r, _ in step.cells})
            cols = sorted({c - pw for _, _, c in step.cells})
            cut = any(plan.canvas_mask[r, c] for _, r, c in step.cells)
            return (
                f"<b>Input row {step.row + 1}, column {step.col + 1}:</b> {step.expression()}, "
                f"added into output rows {rows[0] + 1}–{rows[-1] + 1}, columns "
                f"{cols[0] + 1}–{cols[-1] + 1}"
                + (f" (what falls outside the {ho}×{wo} output is cut off)" if cut else "")
            )
        return f"<b>Output row {step.row + 1}, column {step.col + 1}:</b> {step.expression()}"

    def highlight_outputs(self, step) -> None:
        if isinstance(step, ScatterStep):
            return
        super().highlight_outputs(step)

    # -- clicks and hovering --------------------------------------------------------------------
    def _on_input_clicked(self, row: int, col: int) -> None:
        if self.plan is not None and self.view == SCATTER:
            self.step_bar.stop()
            self.step_bar.set_index(self.plan.plan.step_at(row, col))

    def _on_output_clicked_here(self, row: int, col: int) -> None:
        if self.plan is not None and self.view == CONVOLUTION:
            self.step_bar.stop()
            self.step_bar.set_index(self.plan.steps.step_at(row, col))

    def _on_canvas_hovered(self, row: int, col: int) -> None:
        if self.plan is None:
            return
        writers = self.plan.plan.writers(row, col)
        n = len(writers)
        cut = " (cut off by the padding)" if self.plan.plan.canvas_mask[row, col] else ""
        self.hint.setText(
            f"This output cell{cut} receives the kernel from {n} input cell{'s' if n != 1 else ''}."
        )

    def _on_spread_hovered(self, row: int, col: int) -> None:
        if self.plan is None:
            return
        view = self.plan.plan.as_convolution
        source = view.source(row, col)
        n = len(view.readers(row, col))
        what = (
            f"input row {source[0] + 1}, column {source[1] + 1}"
            if source is not None
            else "an inserted or border zero"
        )
        self.hint.setText(f"This cell is {what}; {n} output cell{'s' if n != 1 else ''} read it.")

    # -- sizing -----------------------------------------------------------------------------------
