"""The output-size formula, with its terms kept for display."""

from __future__ import annotations

from dataclasses import dataclass

from .params import _as_int, check_fits


@dataclass(frozen=True)
class OutputSize:
    """The length of a convolution or pooling output along one axis, and how it was found."""

    n: int
    kernel: int
    stride: int
    pad_before: int
    pad_after: int
    dilation: int
    ceil_mode: bool
    size: int
    last_window_dropped: bool = False

    def __int__(self) -> int:
        return self.size

    __index__ = __int__

    def __eq__(self, other):
        if isinstance(other, OutputSize):
            return self.size == other.size and self.formula() == other.formula()
        if isinstance(other, int):
            return self.size == other
        return NotImplemented

    def __hash__(self):
        return hash(self.size)

    def formula(self) -> str:
        """The formula with the numbers filled in, e.g.
        ``⌊(4 + 2·1 − 1·(3−1) − 1) / 2⌋ + 1 = 2``."""
        if self.pad_before == self.pad_after:
            pad = f" + 2·{self.pad_before}"
        else:
            pad = f" + {self.pad_before} + {self.pad_after}"
        inner = f"({self.n}{pad} − {self.dilation}·({self.kernel}−1) − 1) / {self.stride}"
        brackets = ("⌈", "⌉") if self.ceil_mode else ("⌊", "⌋")
        text = f"{brackets[0]}{inner}{brackets[1]} + 1"
        if self.last_window_dropped:
            text += " − 1 (last window would start in the padding)"
        return f"{text} = {self.size}"

    def __str__(self) -> str:
        return self.formula()


def _floor_div(a: int, b: int) -> int:
    return a // b  # Python's // already rounds towards −∞, like torch's div_rtn


def output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False) -> OutputSize:
    """Output length for input length ``n``; ``padding`` is an int or a (before, after) pair.

    Follows torch's rule exactly, including ceil_mode's: the last window must start inside
    the input or its leading padding, otherwise it is dropped.
    """
    n = _as_int(n, "input size")
    kernel = _as_int(kernel, "kernel_size")
    stride = _as_int(stride, "stride")
    dilation = _as_int(dilation, "dilation")
    if isinstance(padding, (tuple, list)):
        before, after = (_as_int(p, "padding") for p in padding)
    else:
        before = after = _as_int(padding, "padding")
    if n < 1:
        raise ValueError(f"input size must be at least 1, got {n}")
    if kernel < 1:
        raise ValueError(f"kernel_size must be at least 1, got {kernel}")
    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    if dilation < 1:
        raise ValueError(f"dilation must be at least 1, got {dilation}")
    if before < 0 or after < 0:
        raise ValueError(f"padding must not be negative, got {min(before, after)}")
    span = n + before + after - dilation * (kernel - 1) - 1
    size = _floor_div(span + (stride - 1 if ceil_mode else 0), stride) + 1
    if size < 1:  # without ceil_mode this is exactly "the kernel does not fit"
        check_fits(n + before + after, kernel, dilation)
    dropped = False
    if ceil_mode and (size - 1) * stride >= n + before:
        size -= 1
        dropped = True
    return OutputSize(n, kernel, stride, before, after, dilation, bool(ceil_mode), size, dropped)
