"""ConvLessonController: the Convolution lesson's state and rules, Qt-free.

Besides the input it holds one kernel per input channel, keeps them as many as the channels
and writes each step's arithmetic out. The page
(:class:`~cnnviz.gui.pages.conv_page.ConvPage`) builds the plan from its settings and shows it.
"""

from __future__ import annotations

import numpy as np

from cnnviz.core.grid_text import resized
from cnnviz.core.ops import ActivationStep
from cnnviz.gui.pages.grid_controller import GridLessonController


class ConvLessonController(GridLessonController):
    """The input ``[C, H, W]`` and the kernels ``[C, kh, kw]``, one per input channel."""

    def __init__(self, build, example_prefix: str = "conv"):
        super().__init__(build, example_prefix)
        self.kernels = np.ones((1, 3, 3))

    def resize_kernels(self, size: tuple[int, int]) -> None:
        """Every kernel cut or grown (with zeros) to ``size``."""
        self.kernels = np.stack([resized(k, *size) for k in self.kernels])

    def fit_kernels(self, count: int) -> None:
        """As many kernels as ``count`` input channels: new ones are all ones."""
        c = self.kernels.shape[0]
        if count > c:
            extra = np.ones((count - c,) + self.kernels.shape[1:])
            self.kernels = np.concatenate([self.kernels, extra])
        else:
            self.kernels = self.kernels[:count]

    @staticmethod
    def describe(step) -> str:
        """The step's arithmetic, written out: one output cell, or the ReLU after them."""
        if isinstance(step, ActivationStep):
            return f"<b>Activation:</b> {step.expression()}"
        return f"<b>Output row {step.row + 1}, column {step.col + 1}:</b> {step.expression()}"
