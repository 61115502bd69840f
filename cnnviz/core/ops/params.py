"""Validation of the arguments shared by convolution and pooling.

Every rule torch enforces is checked here first, so that a bad combination raises a
``ValueError`` whose message names the parameter and the rule, in the lecture's words.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Literal

import numpy as np

IntOrPair = int | tuple[int, int]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_PAD_MODE: dict[str, Literal["reflect", "edge", "wrap"]] = {
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def _as_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def pair(value, name: str) -> tuple[int, int]:
    """Turn an int or an (h, w) pair into a pair of ints, or raise ``ValueError``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be one number or an (h, w) pair, got {value!r}")
        return _as_int(value[0], name), _as_int(value[1], name)
    v = _as_int(value, name)
    return v, v


def positive_pair(value, name: str) -> tuple[int, int]:
    """A pair whose entries must both be at least 1."""
    h, w = pair(value, name)
    for v in (h, w):
        if v <= 0:
            raise ValueError(f"{name} must be at least 1, got {v}")
    return h, w


def as_grid(x, name: str = "input") -> np.ndarray:
    """Return ``x`` as a float64 ``[C, H, W]`` array; accepts ``[H, W]`` or ``[C, H, W]``."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a grid of numbers ({exc})") from None
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise ValueError(f"{name} must be [H, W] or [C, H, W], got {arr.ndim} dimension(s)")
    if min(arr.shape) == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(arr.shape)}")
    return arr


def check_fits(padded: int, kernel: int, dilation: int, axis: str = "") -> None:
    """Raise unless a (dilated) kernel fits inside the padded input along one axis."""
    span = dilation * (kernel - 1) + 1
    where = f" in {axis}" if axis else ""
    if span > padded:
        if dilation == 1:
            raise ValueError(f"kernel {kernel} is larger than the padded input ({padded}){where}")
        raise ValueError(
            f"dilated kernel {span} (kernel {kernel}, dilation {dilation}) is larger than "
            f"the padded input ({padded}){where}"
        )


def pad_grid(x: np.ndarray, pads: tuple[int, int, int, int], mode: str) -> np.ndarray:
    """Pad a ``[C, H, W]`` grid by (top, bottom, left, right) the way ``F.pad`` does."""
    top, bottom, left, right = pads
    width = ((0, 0), (top, bottom), (left, right))
    if mode == "zeros":
        return np.pad(x, width, mode="constant", constant_values=0.0)
    _check_pad_mode_limits(x.shape[1], x.shape[2], pads, mode)
    return np.pad(x, width, mode=_NUMPY_PAD_MODE[mode])


def _check_pad_mode_limits(h: int, w: int, pads, mode: str) -> None:
    top, bottom, left, right = pads
    for axis, size, amounts in (("height", h, (top, bottom)), ("width", w, (left, right))):
        for p in amounts:
            if mode == "reflect" and p >= size:
                raise ValueError(
                    f"padding {p} with mode 'reflect' must be smaller than the input {axis} "
                    f"({size})"
                )
            if mode == "circular" and p > size:
                raise ValueError(
                    f"padding {p} with mode 'circular' must not exceed the input {axis} ({size})"
                )


def check_padding_mode(mode: str) -> str:
    if mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {', '.join(PADDING_MODES)}; got {mode!r}")
    return mode


def window_readers(
    prow: int, pcol: int, out_size: tuple[int, int], stride, dilation, kernel
) -> list[tuple[int, int]]:
    """Output cells whose (strided, dilated) window covers padded cell (prow, pcol)."""

    def hits(p, n_out, s, d, k):
        return [
            o
            for o in range(n_out)
            if p - o * s >= 0 and (p - o * s) % d == 0 and (p - o * s) // d < k
        ]

    rows = hits(prow, out_size[0], stride[0], dilation[0], kernel[0])
    cols = hits(pcol, out_size[1], stride[1], dilation[1], kernel[1])
    return [(r, c) for r in rows for c in cols]


class StepSequence(Sequence):
    """A plan's steps as a sequence: ``len``, indexing (negative too), slicing, iteration.

    Subclasses give ``__len__`` and ``_step(index)`` for a valid, non-negative index.
    """

    def _step(self, index: int):
        raise NotImplementedError

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._step(i) for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"step {index} out of range (0..{n - 1})")
        return self._step(index)
