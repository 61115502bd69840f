"""BackwardLessonController: the Backward lesson's state and rules, Qt-free.

Besides the input it holds the kernel being learnt and the gradient ∂L/∂Y coming back; it
builds the backward plan of a convolution or a pooling from the page's settings, takes SGD
steps on the kernel, works out the loss and writes each step's arithmetic out. The page
(:class:`~cnnviz.gui.pages.backward_page.BackwardPage`) shows it.
"""

from __future__ import annotations

import numpy as np

from cnnviz.core.grid_text import format_grid, resized
from cnnviz.core.ops import (
    ConvBackwardPlan,
    ConvPlan,
    PoolBackwardPlan,
    PoolPlan,
    format_number,
    linear_loss,
    sgd_step,
)
from cnnviz.gui.pages.grid_controller import GridLessonController


class BackwardLessonController(GridLessonController):
    """X, W and ∂L/∂Y in; the plan of ∂L/∂W, ∂L/∂b and ∂L/∂X (or a pooling's ∂L/∂X) out."""

    def __init__(self, build, example_prefix: str = "back"):
        super().__init__(build, example_prefix)
        self.kernel = np.ones((2, 2))
        self.grad_out = np.ones((2, 2))
        self.last_update = ""  # the last SGD step, written out ("" since the layer changed)

    # -- plans ----------------------------------------------------------------------------------
    def plan_for(
        self,
        kind: str,
        kernel_size,
        stride,
        padding,
        loss_is_sum: bool,
        rounding: tuple[bool, bool],
    ):
        """The backward plan of ``kind`` ("conv", "max", "avg") for the input, the kernel
        (pooling: ``kernel_size``) and ∂L/∂Y: all ones when ``loss_is_sum``, else the one
        typed, cut or grown to the output's size (and kept so). ``rounding``: pooling's
        (ceil_mode, count_include_pad). ``ValueError`` when the settings make no layer."""
        if kind == "conv":
            shape = ConvPlan(self.inputs, self.kernel, 0, stride, padding).output.shape
        else:
            forward = PoolPlan(self.inputs, kind, kernel_size, stride, padding, 1, *rounding)
            shape = forward.output.shape[1:]
        grad = np.ones(shape) if loss_is_sum else resized(self.grad_out, *shape)
        if kind == "conv":
            plan = ConvBackwardPlan(self.inputs, self.kernel, grad, stride, padding)
        else:
            plan = PoolBackwardPlan(
                self.inputs, kind, kernel_size, grad[None], stride, padding, *rounding
            )
        self.grad_out = grad
        return plan

    @property
    def shown_kind(self) -> str:
        """The layer of the plan on screen ("conv", "max", "avg")."""
        return "conv" if isinstance(self.plan, ConvBackwardPlan) else self.plan.kind

    def resize_kernel(self, size: tuple[int, int]) -> None:
        self.kernel = resized(self.kernel, *size)

    def step_of(self, target: str, local: int) -> int | None:
        """The step computing entry ``local`` of a convolution's ``target`` gradient
        ("weight", "bias", "input"); None for a pooling."""
        if isinstance(self.plan, ConvBackwardPlan):
            return self.plan.first_of(target) + local
        return None

    def step_at_output(self, row: int, col: int) -> int | None:
        """The step of a pooling's output cell; None for a convolution."""
        if isinstance(self.plan, PoolBackwardPlan):
            return self.plan.step_at(row, col)
        return None

    # -- the loss and the SGD step --------------------------------------------------------------
    def loss(self) -> float:
        """L = Σ ∂L/∂Y·Y of the current plan (Σ Y for L = sum of the output)."""
        output = self.plan.forward.output
        return linear_loss(output, self.plan.grad_out.reshape(output.shape))

    def loss_text(self, loss_is_sum: bool) -> str:
        """The loss, and the last SGD step if the layer has not changed since."""
        what = "L = sum of the output" if loss_is_sum else "L = Σ ∂L/∂Y·Y"
        text = f"{what} = {format_number(self.loss())}"
        return text + (f"    {self.last_update}" if self.last_update else "")

    def sgd_update(self, lr: float):
        """w ← w − lr·∂L/∂W for the kernel (None for a pooling); ``ValueError`` for a bad lr."""
        if not isinstance(self.plan, ConvBackwardPlan):
            return None
        return sgd_step(self.kernel, self.plan.grad_weight[0, 0], lr)

    def note_update(self, update, loss_before: float) -> None:
        """The SGD step ``update`` has been taken and its plan built: write it out."""
        self.last_update = (
            f"SGD step, lr {format_number(update.lr)}: w ← w − lr·∂L/∂W, e.g. row 1, column 1: "
            f"{update.expression((0, 0))}. L: {format_number(loss_before)} → "
            f"{format_number(self.loss())}"
        )

    # -- words ------------------------------------------------------------------------------------
    def describe(self, step) -> str:
        """The step's arithmetic, written out."""
        if self.shown_kind != "conv":
            where = f"<b>∂L/∂Y row {step.row + 1}, column {step.col + 1}:</b> {step.expression()}"
            (ph, pw) = self.plan.forward.padding
            cells = ", ".join(f"({r - ph + 1}, {c - pw + 1})" for _, r, c in step.cells)
            return where + (
                f" — X cell{'s' if len(step.cells) != 1 else ''} {cells}" if cells else ""
            )
        if step.target == "weight":
            _, _, r, c = step.cell
            return (
                f"<b>∂L/∂W row {r + 1}, column {c + 1}</b> = Σ X·∂L/∂Y over the X cells this "
                f"weight met: {step.expression()}"
            )
        if step.target == "bias":
            return f"<b>∂L/∂b</b> = Σ ∂L/∂Y: {step.expression()}"
        _, r, c = step.cell
        return (
            f"<b>∂L/∂X row {r + 1}, column {c + 1}</b> = ∂L/∂Y (zeros inserted) ∗ W flipped: "
            f"{step.expression()}"
        )

    def output_text(self) -> str:
        """∂L/∂X (and, for a convolution, then ∂L/∂W) as tab-separated text."""
        if self.plan is None:
            return ""
        text = format_grid(self.plan.grad_input[0])
        if isinstance(self.plan, ConvBackwardPlan):
            text += "\n\n" + format_grid(self.plan.grad_weight[0, 0])
        return text
