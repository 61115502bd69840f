"""ReLU after a convolution (the lecture's conv → ReLU → pool), as one more step of its plan."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .numbers import format_number
from .params import StepSequence


def relu(x) -> np.ndarray:
    """``max(0, x)`` cell by cell (``F.relu``)."""
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


@dataclass(frozen=True)
class ActivationStep:
    """The step after the last output cell: ReLU applied to the whole output at once."""

    index: int
    before: np.ndarray = field(compare=False)
    after: np.ndarray = field(compare=False)
    cells: tuple = ()  # reads no input window

    @property
    def zeroed(self) -> list[tuple[int, ...]]:
        """Output cells that were negative and became 0."""
        return [tuple(int(v) for v in cell) for cell in np.argwhere(self.before < 0)]

    def expression(self) -> str:
        """``ReLU: max(0, x) on every cell; 2 negative values became 0 (−3 → 0, −1 → 0)``."""
        negatives = [float(self.before[cell]) for cell in self.zeroed]
        if not negatives:
            return "ReLU: max(0, x) on every cell; no value was negative, nothing changes"
        shown = ", ".join(f"{format_number(v)} → 0" for v in negatives[:6])
        more = ", …" if len(negatives) > 6 else ""
        n = len(negatives)
        return (
            f"ReLU: max(0, x) on every cell; {n} negative value{'s' if n != 1 else ''} "
            f"became 0 ({shown}{more})"
        )


class ActivatedPlan(StepSequence):
    """A plan (convolution) with ReLU as its last step; everything else is the plan's own."""

    def __init__(self, plan):
        self.plan = plan
        self.activated = relu(plan.output)

    def __getattr__(self, name):
        if name == "plan":  # not set yet (copying, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.plan, name)

    def __len__(self) -> int:
        return len(self.plan) + 1

    def _step(self, index: int):
        if index < len(self.plan):
            return self.plan[index]
        return ActivationStep(index, self.plan.output, self.activated)
