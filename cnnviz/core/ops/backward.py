"""The backward pass of convolution and pooling: given ∂L/∂Y, the gradients torch.autograd
computes, each entry as a step with its arithmetic.

- ∂L/∂W: the input correlated with ∂L/∂Y (the window now steps by the dilation and its
  cells lie the stride apart);
- ∂L/∂b: the sum of ∂L/∂Y;
- ∂L/∂X: the full convolution of ∂L/∂Y (zeros inserted for the stride) with the flipped
  kernel — the same picture as a transposed convolution;
- pooling: max routes each gradient to the window's winner, average spreads it over the
  window's divisor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .grouped import GroupedConvPlan
from .numbers import format_number, operand
from .params import StepSequence, as_grid
from .pool import INPUT as INPUT_CELL
from .pool import PoolPlan
from .transposed import ZeroInsertedConv

WEIGHT, BIAS, INPUT = "weight", "bias", "input"


@dataclass(frozen=True)
class GradStep:
    """One entry of a gradient: ``value = Σ left·right`` (or Σ right for the bias).

    ``target`` is "weight" (``cell`` = (out channel, in channel, row, col)), "bias"
    (``cell`` = (out channel,)) or "input" (``cell`` = (channel, row, col) of the input).
    ``left_cells`` are where the left factors lie: the padded input for ∂L/∂W, the
    zero-inserted ∂L/∂Y grid for ∂L/∂X; ``right_cells`` the ∂L/∂Y cells (∂L/∂W, ∂L/∂b) or
    the flipped kernel's cells (∂L/∂X)."""

    index: int
    target: str
    cell: tuple[int, ...]
    left: tuple[float, ...]
    right: tuple[float, ...]
    left_cells: tuple[tuple[int, ...], ...]
    right_cells: tuple[tuple[int, ...], ...]
    value: float

    @property
    def cells(self) -> tuple[tuple[int, ...], ...]:
        """The cells the step reads on its main picture (like a forward step's window)."""
        return self.left_cells

    def expression(self) -> str:
        """``1×1 + 2×0 + … = 3`` (a bias: ``1 + 1 + 1 + 1 = 4``)."""
        if self.target == BIAS:
            terms = [operand(v) for v in self.right]
        else:
            terms = [f"{operand(a)}×{operand(b)}" for a, b in zip(self.left, self.right)]
        return " + ".join(terms) + f" = {format_number(self.value)}"


def _single_filter(weight) -> tuple[np.ndarray, bool]:
    w = np.asarray(weight, dtype=np.float64)
    if w.ndim in (2, 3):
        return (w[None] if w.ndim == 3 else w[None, None]), True
    return w, False


class ConvBackwardPlan(StepSequence):
    """Gradients of a convolution (zero padding, groups 1) for a given ∂L/∂Y, and the steps:
    every ∂L/∂W entry, every ∂L/∂b entry, then every ∂L/∂X entry."""

    def __init__(self, x, weight, grad_out, stride=1, padding=0, dilation=1):
        try:
            w4, self.single = _single_filter(weight)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"weight must be a grid of numbers ({exc})") from None
        self.forward = GroupedConvPlan(x, w4, None, stride, padding, dilation)
        f = self.forward
        self.input, self.weight = f.input, f.weight
        self.grad_out = as_grid(grad_out, "grad_out")
        if self.grad_out.shape != f.output.shape:
            raise ValueError(
                f"grad_out must have the output's shape {list(f.output.shape)}, got "
                f"{list(self.grad_out.shape)}"
            )
        c_out, c_in, kh, kw = self.weight.shape
        ho, wo = f.out_h.size, f.out_w.size
        (sh, sw), (dh, dw) = f.stride, f.dilation
        g = self.grad_out
        self.grad_weight = np.zeros_like(self.weight)
        for i in range(kh):
            for j in range(kw):
                window = f.padded[
                    :,
                    i * dh : i * dh + (ho - 1) * sh + 1 : sh,
                    j * dw : j * dw + (wo - 1) * sw + 1 : sw,
                ]
                self.grad_weight[:, :, i, j] = np.einsum("ohw,chw->oc", g, window)
        self.grad_bias = g.sum(axis=(1, 2))
        top, bottom, left, right = f.pads
        hp, wp = f.padded.shape[1:]
        rest_h = hp - ((ho - 1) * sh + dh * (kh - 1) + 1)  # rows no window reaches
        rest_w = wp - ((wo - 1) * sw + dw * (kw - 1) + 1)
        pads = (
            dh * (kh - 1) - top,
            dh * (kh - 1) - bottom + rest_h,
            dw * (kw - 1) - left,
            dw * (kw - 1) - right + rest_w,
        )
        # ∂L/∂X is ∂L/∂Y through the transposed convolution: weight [C_out, C_in, ..] is
        # exactly its [C_in, C_out, ..] layout
        self.input_view = ZeroInsertedConv(
            g, self.weight, f.stride, f.dilation, pads, np.zeros(c_in)
        )
        self.grad_input = self.input_view.output
        self.counts = (self.weight.size, c_out, len(self.input_view))

    def phase(self, index: int) -> tuple[str, int]:
        """("weight" | "bias" | "input", the index within that phase)."""
        n_w, n_b, _ = self.counts
        if index < n_w:
            return WEIGHT, index
        if index < n_w + n_b:
            return BIAS, index - n_w
        return INPUT, index - n_w - n_b

    def first_of(self, target: str) -> int:
        """The index of the first step of a phase."""
        n_w, n_b, _ = self.counts
        return {WEIGHT: 0, BIAS: n_w, INPUT: n_w + n_b}[target]

    def __len__(self) -> int:
        return sum(self.counts)

    def _step(self, index: int) -> GradStep:
        target, local = self.phase(index)
        g = self.grad_out
        _, ho, wo = g.shape
        if target == WEIGHT:
            o, c, i, j = np.unravel_index(local, self.weight.shape)
            (sh, sw), (dh, dw) = self.forward.stride, self.forward.dilation
            left_cells = tuple(
                (int(c), int(i) * dh + r * sh, int(j) * dw + q * sw)
                for r in range(ho)
                for q in range(wo)
            )
            right_cells = tuple((int(o), r, q) for r in range(ho) for q in range(wo))
            left = tuple(float(self.forward.padded[cell]) for cell in left_cells)
            right = tuple(float(g[cell]) for cell in right_cells)
            cell = (int(o), int(c), int(i), int(j))
            return GradStep(
                index,
                WEIGHT,
                cell,
                left,
                right,
                left_cells,
                right_cells,
                float(self.grad_weight[cell]),
            )
        if target == BIAS:
            right_cells = tuple((local, r, q) for r in range(ho) for q in range(wo))
            right = tuple(float(g[cell]) for cell in right_cells)
            return GradStep(
                index, BIAS, (local,), (), right, (), right_cells, float(self.grad_bias[local])
            )
        step = self.input_view[local]
        c_out, _, kh, kw = self.weight.shape
        c = step.out_channel  # the view's output channels are the forward's input channels
        # the flipped kernel's cell (a, b) is the forward weight's (kh−1−a, kw−1−b)
        kernel_cells = tuple(
            (o, c, kh - 1 - a, kw - 1 - b)
            for o in range(c_out)
            for a in range(kh)
            for b in range(kw)
        )
        return GradStep(
            index,
            INPUT,
            (c, step.row, step.col),
            step.inputs,
            step.weights,
            step.cells,
            kernel_cells,
            step.value,
        )


def conv2d_backward(x, weight, grad_out, stride=1, padding=0, dilation=1):
    """``(grad_input, grad_weight, grad_bias)`` of ``conv2d(x, weight, …)`` for ``grad_out``
    = ∂L/∂Y, shaped like ``x``, like ``weight`` and one per output channel (torch.autograd's
    numbers). Zero padding; ``padding`` may be a number, a pair, "valid" or "same"."""
    plan = ConvBackwardPlan(x, weight, grad_out, stride, padding, dilation)
    grad_input = plan.grad_input[0] if np.ndim(x) == 2 else plan.grad_input
    grad_weight = plan.grad_weight
    if plan.single:
        grad_weight = grad_weight[0, 0] if np.ndim(weight) == 2 else grad_weight[0]
    return grad_input.copy(), grad_weight.copy(), plan.grad_bias.copy()


def conv2d_backward_steps(x, weight, grad_out, stride=1, padding=0, dilation=1) -> ConvBackwardPlan:
    """Every gradient entry as a :class:`GradStep`: ∂L/∂W, then ∂L/∂b, then ∂L/∂X (a sequence:
    ``len``, indexing, iteration; ``phase(i)`` says which gradient step ``i`` belongs to)."""
    return ConvBackwardPlan(x, weight, grad_out, stride, padding, dilation)


@dataclass(frozen=True)
class RouteStep:
    """One output cell's gradient going back through a pooling window: ``cells`` (padded
    coordinates) each receive ``share`` (max: only the winner, the whole gradient)."""

    index: int
    channel: int
    row: int
    col: int
    kind: str
    grad: float
    cells: tuple[tuple[int, int, int], ...]
    share: float
    divisor: int | None = None

    def expression(self) -> str:
        g = format_number(self.grad)
        if self.kind == "max":
            if not self.cells:
                return f"∂L/∂y = {g}: no input cell won this window"
            return f"∂L/∂y = {g} goes to the window's maximum, all of it"
        return (
            f"∂L/∂y = {g} spread over the divisor: {g} / {self.divisor} = "
            f"{format_number(self.share)} to each of the {len(self.cells)} input cell(s)"
        )


class PoolBackwardPlan(StepSequence):
    """∂L/∂X of a pooling for a given ∂L/∂Y; one :class:`RouteStep` per output cell."""

    def __init__(
        self,
        x,
        kind,
        kernel_size,
        grad_out,
        stride=None,
        padding=0,
        ceil_mode=False,
        count_include_pad=True,
        dilation=1,
    ):
        self.forward = PoolPlan(
            x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
        )
        f = self.forward
        g = np.asarray(grad_out, dtype=np.float64) if _is_grid(grad_out) else None
        if g is None:
            raise ValueError(f"grad_out must be a grid of numbers, got {grad_out!r}")
        if g.ndim == 2 and np.ndim(x) == 2:
            g = g[None]
        if g.shape != f.output.shape:
            want = list(f.output.shape[1:]) if np.ndim(x) == 2 else list(f.output.shape)
            raise ValueError(f"grad_out must have the output's shape {want}, got {list(g.shape)}")
        self.grad_out = g
        self.kind = kind
        self._contributions()
        self.grad_padded = self._accumulate(len(self._steps))
        self.grad_input = self.crop(self.grad_padded)

    def _contributions(self) -> None:
        """Every (step, padded cell, share) at once, sorted by step: ∂L/∂X after any step is
        then a prefix sum. The same rules as the steps: max gives all to the first maximum
        among the input cells (reading order), average gives g / divisor to each input cell."""
        f, g = self.forward, self.grad_out
        c, ho, wo = f.output.shape
        (sh, sw), (dh, dw), (kh, kw) = f.stride, f.dilation, f.kernel
        rows = np.arange(ho)[:, None] * sh
        cols = np.arange(wo)[None, :] * sw
        step_ids = np.arange(c * ho * wo).reshape(c, ho, wo)
        found = np.zeros((c, ho, wo), dtype=bool)
        steps, targets, shares = [], [], []
        for i in range(kh):
            for j in range(kw):
                r = np.broadcast_to(rows + i * dh, (ho, wo))
                q = np.broadcast_to(cols + j * dw, (ho, wo))
                real = np.broadcast_to(f.cell_kind[r, q] == INPUT_CELL, (c, ho, wo))
                if self.kind == "max":
                    take = real & ~found & (f.padded[:, r, q] == f.output)
                    found |= take
                    share = g
                else:
                    take = real
                    share = g / f.divisor
                ch = np.broadcast_to(np.arange(c)[:, None, None], (c, ho, wo))
                flat = np.ravel_multi_index(
                    (
                        ch[take],
                        np.broadcast_to(r, (c, ho, wo))[take],
                        np.broadcast_to(q, (c, ho, wo))[take],
                    ),
                    f.padded.shape,
                )
                steps.append(step_ids[take])
                targets.append(flat)
                shares.append(np.broadcast_to(share, (c, ho, wo))[take])
        order = np.argsort(np.concatenate(steps), kind="stable")
        self._steps = np.concatenate(steps)[order]
        self._targets = np.concatenate(targets)[order]
        self._shares = np.concatenate(shares)[order]

    def _accumulate(self, count: int) -> np.ndarray:
        """The padded ∂L/∂X made by the first ``count`` contributions."""
        shape = self.forward.padded.shape
        flat = np.bincount(
            self._targets[:count], weights=self._shares[:count], minlength=int(np.prod(shape))
        )
        return flat.reshape(shape)

    def crop(self, padded: np.ndarray) -> np.ndarray:
        (ph, pw), (_, h, w) = self.forward.padding, self.forward.input.shape
        return padded[:, ph : ph + h, pw : pw + w]

    def grad_after(self, index: int) -> np.ndarray:
        """∂L/∂X (input-shaped) once steps 0 … ``index`` have passed their gradient back."""
        if index < 0:
            index += len(self)
        return self.crop(self._accumulate(int(np.searchsorted(self._steps, index, side="right"))))

    def __len__(self) -> int:
        return len(self.forward)

    def _step(self, index: int) -> RouteStep:
        s = self.forward[index]
        grad = float(self.grad_out[s.channel, s.row, s.col])
        if s.kind == "max":
            cells = (s.winner,) if s.winner is not None else ()
            return RouteStep(index, s.channel, s.row, s.col, "max", grad, cells, grad)
        real = tuple(c for c, pad in zip(s.cells, s.is_padding) if not pad)
        return RouteStep(
            index, s.channel, s.row, s.col, "avg", grad, real, grad / s.divisor, s.divisor
        )

    def step_at(self, row: int, col: int, channel: int = 0) -> int:
        return self.forward.step_at(row, col, channel)


def _is_grid(value) -> bool:
    try:
        np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def pool2d_backward(
    x,
    kind,
    kernel_size,
    grad_out,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    dilation=1,
) -> np.ndarray:
    """∂L/∂X of ``pool2d(x, kind, kernel_size, …)`` for ``grad_out`` = ∂L/∂Y, shaped like
    ``x``: max pooling routes each gradient to its window's winner, average pooling spreads it
    over the window's divisor (torch.autograd's numbers)."""
    plan = PoolBackwardPlan(
        x, kind, kernel_size, grad_out, stride, padding, ceil_mode, count_include_pad, dilation
    )
    return (plan.grad_input[0] if np.ndim(x) == 2 else plan.grad_input).copy()


def pool2d_backward_steps(
    x,
    kind,
    kernel_size,
    grad_out,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    dilation=1,
) -> PoolBackwardPlan:
    """One :class:`RouteStep` per output cell, channel by channel (a sequence; its
    ``grad_after(i)`` is ∂L/∂X after step ``i``)."""
    return PoolBackwardPlan(
        x, kind, kernel_size, grad_out, stride, padding, ceil_mode, count_include_pad, dilation
    )


@dataclass(frozen=True)
class SgdUpdate:
    """One plain SGD step on a weight: ``after = before − lr·grad`` (``torch.optim.SGD``
    without momentum or weight decay)."""

    before: np.ndarray = field(compare=False)
    grad: np.ndarray = field(compare=False)
    lr: float
    after: np.ndarray = field(compare=False)

    def expression(self, cell: tuple[int, ...]) -> str:
        """``1 − 0.1×12 = -0.2`` for one weight."""
        return (
            f"{format_number(float(self.before[cell]))} − {format_number(self.lr)}×"
            f"{operand(float(self.grad[cell]))} = {format_number(float(self.after[cell]))}"
        )


def sgd_step(weight, grad, lr) -> SgdUpdate:
    """``weight − lr·grad``; ``lr`` must be a finite number ≥ 0, ``grad`` shaped like
    ``weight``."""
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"lr must be a number, got {lr!r}") from None
    if not np.isfinite(lr) or lr < 0:
        raise ValueError(f"lr must be a finite number ≥ 0, got {lr}")
    w = np.asarray(weight, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    if w.shape != g.shape:
        raise ValueError(f"grad must have the weight's shape {list(w.shape)}, got {list(g.shape)}")
    return SgdUpdate(w.copy(), g.copy(), lr, w - lr * g)


def linear_loss(output, grad_out) -> float:
    """The loss whose gradient is ``grad_out``: L = Σ ∂L/∂Y · Y (Σ Y when ∂L/∂Y is all 1)."""
    return float(np.sum(np.asarray(output, dtype=np.float64) * np.asarray(grad_out, np.float64)))
