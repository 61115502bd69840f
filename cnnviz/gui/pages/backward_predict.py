""" "Predict first" on the Backward page: before each gradient step, a cell of ∂L/∂W or ∂L/∂X
(convolution) or where max pooling routes the gradient (the input cell clicked); the
gradient grids hold back the cells not computed yet, and the one asked about. The questions
are the quiz engine's (:mod:`cnnviz.core.quiz`)."""

from __future__ import annotations

from cnnviz.core.quiz import GRAD_INPUT, GRAD_WEIGHT, gradient_cell_question, winner_question

PHASES = ("weight", "bias", "input")


def backward_question(page, step):
    """The question asked before ``step`` of the Backward page's plan shows, or None."""
    kind, plan = page.shown_kind, page.plan
    try:
        if kind == "conv":
            target, _ = plan.phase(step.index)
            if target == "bias":
                return None
            of, cell = (
                (GRAD_WEIGHT, step.cell[2:])
                if target == "weight"
                else (
                    GRAD_INPUT,
                    step.cell[1:],
                )
            )
            kwargs = {
                "in_channels": 1,
                "out_channels": 1,
                "kernel_size": tuple(page.kernel.shape),
                "stride": page.stride_spin.value(),
                "padding": page.padding_spin.value(),
                "bias": True,
            }
            weight = page.kernel[None, None]
            return gradient_cell_question(kwargs, page.inputs, weight, plan.grad_out, of, cell)
        if kind == "max":
            ceil, _ = page.rounding()
            kwargs = {
                "kernel_size": page.kernel_spin.value(),
                "stride": page.stride_spin.value(),
                "padding": page.padding_spin.value(),
                "ceil_mode": ceil,
            }
            return winner_question(kwargs, page.inputs, (step.row, step.col), step.channel)
    except ValueError:
        return None
    return None


def mask_gradients(page, step) -> None:
    """While predicting, the gradient cells not computed yet show "?" (and the one a question
    waits for); max pooling's ∂L/∂X waits whole while its route is asked. Off: all show."""
    on, waiting = page.predict.on, page.predict.holds("step")
    grids = {"weight": page.gw_grid, "bias": page.gb_grid, "input": page.gx_grid}
    if page.shown_kind != "conv":
        for grid in grids.values():
            grid.model.set_hidden_from(None)
        page.gx_grid.model.set_hidden_from(0 if on and waiting else None)
        return
    target, local = page.plan.phase(step.index)
    for phase, grid in grids.items():
        first = None
        if on and PHASES.index(phase) > PHASES.index(target):
            first = 0
        elif on and phase == target:
            first = local + (0 if waiting else 1)
        grid.model.set_hidden_from(first)
