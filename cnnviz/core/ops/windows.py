"""Window arithmetic along one axis: which input positions a convolution's or a pooling's
window at an output index reads, and what a stack of windows sees (its receptive field).

The one implementation the quiz's receptive-field answers and the Trace page's fields share.
Positions count from 0; ``padding`` is the padding before the first input position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """One window layer along one axis."""

    kernel: int
    stride: int = 1
    padding: int = 0  # before the first position
    dilation: int = 1


def taps(index: int, window: Window, size: int) -> range:
    """The input positions inside ``0 .. size - 1`` that output ``index`` reads: its window
    starts at ``index·stride − padding`` and reads every ``dilation``-th position for
    ``kernel`` taps (those in the padding read no input). Empty where it reads only padding."""
    d = window.dilation
    first = index * window.stride - window.padding
    last = first + d * (window.kernel - 1)
    if first < 0:  # the first tap inside the input, on the window's grid
        first += -(first // d) * d
    if last > size - 1:
        last -= -((size - 1 - last) // d) * d
    return range(first, last + 1, d)


def reads(positions: Iterable[int], window: Window, size: int) -> set[int]:
    """The input positions that any of output ``positions`` reads."""
    return {p for i in positions for p in taps(i, window, size)}


def span(lo: int, hi: int, window: Window, size: int) -> tuple[int, int]:
    """(first, end) of the input positions outputs ``lo .. hi − 1`` read (end exclusive).
    Where they read only padding the span is empty, ``first == end``, at the first window's
    start clipped to the input."""
    reach = window.dilation * (window.kernel - 1)
    firsts: list[int] = []
    lasts: list[int] = []
    # only windows that start in the padding can read further left than a later one (their
    # first tap inside the input falls on their own dilation grid): the first window that
    # starts inside the input ends the search, and likewise from the other end
    for i in range(lo, hi):
        firsts += taps(i, window, size)[:1]
        if i * window.stride - window.padding >= 0:
            break
    for i in range(hi - 1, lo - 1, -1):
        lasts += taps(i, window, size)[-1:]
        if i * window.stride - window.padding + reach <= size - 1:
            break
    if not firsts:
        start = min(max(lo * window.stride - window.padding, 0), size)
        return start, start
    return min(firsts), max(lasts) + 1


def stack_reads(index: int, windows: Sequence[Window], sizes: Sequence[int]) -> list[set[int]]:
    """Walking unit ``index`` of the last of ``windows`` back to the input: the positions it
    sees in each layer's input, last layer first (``sizes``: each layer's input length)."""
    positions, found = {index}, []
    for window, size in zip(reversed(windows), reversed(sizes)):
        positions = reads(positions, window, size)
        found.append(positions)
        if not positions:
            break
    return found


@dataclass(frozen=True)
class Field:
    """A unit's theoretical field along one axis: its ``size`` in input positions, the
    ``jump`` between neighbouring units' fields (the product of the strides) and where unit
    0's field starts (negative where it reaches into the padding)."""

    size: int = 1
    jump: int = 1
    start: int = 0

    def then(self, window: Window) -> Field:
        """The field of ``window`` over units whose field is this one: each tap past the first
        adds ``dilation`` units, ``jump`` positions apart."""
        return Field(
            self.size + window.dilation * (window.kernel - 1) * self.jump,
            self.jump * window.stride,
            self.start - window.padding * self.jump,
        )


def stack_field(windows: Iterable[Window]) -> Field:
    """The theoretical field of a stack of windows, composed from the input forwards."""
    field = Field()
    for window in windows:
        field = field.then(window)
    return field
