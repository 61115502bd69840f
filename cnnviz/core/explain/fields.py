"""Receptive fields: which channels and which rectangle of every earlier output one unit
depends on, followed back through the traced graph to the input pixels.

Regions are bounding boxes (bottom and right exclusive) with the set of channels they cover;
a vector's region is the set of its entries. A unit's receptive field is its region on the
input. The theoretical field size and jump (the product of the strides) of a layer are found
the other way, from the input forwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.core.ops.windows import Field, Window, reads, span

from .graph import (
    ADAPTIVE_AVG,
    ADAPTIVE_MAX,
    ADD,
    CAT,
    CONV,
    ELEMENTWISE,
    INPUT,
    RESHAPE,
    UNRECORDED,
    WINDOW_KINDS,
    TraceNode,
)


@dataclass
class Region:
    """What of one node's output a unit depends on: a channel (or entry) mask and, for feature
    maps, the box ``top, left, bottom, right`` (bottom and right exclusive). ``lines``: the
    rows and the columns inside the box that are read, where a dilated window's taps leave
    gaps between them (None: every row and column of the box)."""

    mask: np.ndarray  # bool over channels (maps) or entries (vectors)
    box: tuple[int, int, int, int] | None = None
    lines: tuple[frozenset[int], frozenset[int]] | None = None

    def union(self, other: Region) -> Region:
        mask = self.mask | other.mask
        if self.box is None or other.box is None:
            return Region(mask, self.box or other.box)
        a, b = self.box, other.box
        box = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
        if self.lines is None and other.lines is None:
            return Region(mask, box)
        (rows, cols), (more_rows, more_cols) = self.axes(), other.axes()
        return Region(mask, box, (frozenset(rows) | more_rows, frozenset(cols) | more_cols))

    def axes(self) -> tuple[frozenset[int], frozenset[int]]:
        """The rows and the columns read (of a feature map's region)."""
        if self.lines is not None:
            return self.lines
        t, left, b, r = _box(self)
        return frozenset(range(t, b)), frozenset(range(left, r))

    def with_mask(self, mask: np.ndarray) -> Region:
        """The same positions, other channels."""
        return Region(mask, self.box, self.lines)

    @property
    def channels(self) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.mask)]


@dataclass(frozen=True)
class ReceptiveField:
    """The input pixels units see, in (rows, columns).

    Of a layer: its units' theoretical field ``size``, the ``jump`` between neighbouring units'
    fields (the product of the strides) and where unit (0, 0)'s field starts (``start``;
    negative where it reaches into the padding): unit (row, col) sees :meth:`box`. All three
    are ``None`` where the layer sees the whole input (after a flatten or a fully connected
    layer). Of one unit, also ``pixels``: the input pixels it depends on, followed back through
    every path of the network and clipped to the input (``top, left, bottom, right``, bottom
    and right exclusive)."""

    size: tuple[int, int] | None
    jump: tuple[int, int] | None
    start: tuple[int, int] | None = None
    pixels: tuple[int, int, int, int] | None = None

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) of unit (row, col)'s theoretical field, in input pixels,
        bottom and right exclusive; it may reach past the border."""
        if self.size is None or self.jump is None or self.start is None:
            raise ValueError("this layer's units see the whole input")
        top = self.start[0] + row * self.jump[0]
        left = self.start[1] + col * self.jump[1]
        return top, left, top + self.size[0], left + self.size[1]

    def _pixels(self) -> tuple[int, int, int, int]:
        if self.pixels is None:
            raise ValueError("a layer's field has no pixels of its own: see box(row, col)")
        return self.pixels

    @property
    def top(self) -> int:
        return self._pixels()[0]

    @property
    def left(self) -> int:
        return self._pixels()[1]

    @property
    def bottom(self) -> int:
        return self._pixels()[2]

    @property
    def right(self) -> int:
        return self._pixels()[3]

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    def describe(self) -> str:
        """The field in words, its rows and columns counted from 1 as the grid lessons count
        (``top``, ``left``, ``bottom`` and ``right`` stay 0-based pixel indices)."""
        where = (
            f"rows {self.top + 1}–{self.bottom}, columns {self.left + 1}–{self.right} "
            f"({self.height}×{self.width} pixels)"
        )
        if self.size is None or self.jump is None:
            return where
        return (
            f"{where}; theoretical field {self.size[0]}×{self.size[1]}, jump "
            f"{self.jump[0]}×{self.jump[1]}"
        )


WHOLE_INPUT = ReceptiveField(None, None)


def _box(region: Region) -> tuple[int, int, int, int]:
    assert region.box is not None, "a feature map's region has a box"
    return region.box


def full_region(node: TraceNode) -> Region:
    mask = np.ones(node.shape[0], dtype=bool)
    if node.is_map:
        return Region(mask, (0, 0, node.shape[1], node.shape[2]))
    return Region(np.ones(node.value.size, dtype=bool))


def unit_region(node: TraceNode, channel: int, row: int | None, col: int | None) -> Region:
    """The region of one unit of ``node`` itself."""
    if node.is_map:
        assert row is not None and col is not None
        mask = np.zeros(node.shape[0], dtype=bool)
        mask[channel] = True
        return Region(mask, (row, col, row + 1, col + 1))
    mask = np.zeros(node.value.size, dtype=bool)
    mask[channel] = True
    return Region(mask)


def _adaptive_span(lo: int, hi: int, out: int, size: int) -> tuple[int, int]:
    return (lo * size) // out, -(-(hi * size) // out)


@dataclass
class _Shape:
    """Stands in for a node of another shape (the pooled maps before a flatten)."""

    shape: tuple
    params: dict | None = None
    kind: str = ""

    @property
    def is_map(self) -> bool:
        return len(self.shape) == 3

    @property
    def value(self):
        return np.empty(self.shape, np.float32)

    def like(self, node) -> _Shape:
        return _Shape(self.shape, node.params, node.kind)


def _elements(node, region: Region) -> np.ndarray:
    """Flat indices (row-major) of the elements a region covers."""
    if not node.is_map:
        return np.flatnonzero(region.mask)
    t, left, b, r = _box(region)
    c = np.flatnonzero(region.mask)
    h, w = node.shape[1:]
    rows, cols = np.arange(t, b), np.arange(left, r)
    grid = (c[:, None, None] * h + rows[None, :, None]) * w + cols[None, None, :]
    return grid.ravel()


def _from_elements(node, flat: np.ndarray) -> Region:
    if not node.is_map:
        mask = np.zeros(node.value.size, dtype=bool)
        mask[flat] = True
        return Region(mask)
    c, rows, cols = np.unravel_index(flat, node.shape)
    mask = np.zeros(node.shape[0], dtype=bool)
    mask[c] = True
    return Region(
        mask, (int(rows.min()), int(cols.min()), int(rows.max()) + 1, int(cols.max()) + 1)
    )


def parent_regions(nodes: list[TraceNode], node: TraceNode, region: Region) -> dict[int, Region]:
    """What each parent of ``node`` contributes to ``region`` of its output."""
    parents = [nodes[i] for i in node.parents]
    if not parents:
        return {}
    kind = node.kind
    windowed = kind in WINDOW_KINDS or (kind == UNRECORDED and "kernel" in node.params)
    window_node: Any = node
    if windowed and not node.is_map and "pooled_shape" in node.params and parents[0].is_map:
        # pooled, then flattened (recognised from the numbers): back to the pooled maps first
        pooled = _Shape(tuple(node.params["pooled_shape"]))
        region = _from_elements(pooled, _elements(node, region))
        window_node = pooled.like(node)
    if windowed and window_node.is_map and parents[0].is_map:
        parent = parents[0]
        p = node.params
        (kh, kw), (sh, sw), (dh, dw) = p["kernel"], p["stride"], p["dilation"]
        (ph, _), (pw, _) = p["padding"]
        if kind == CONV:
            mask = _conv_channels(region.mask, parent.shape[0], p["groups"])
        else:
            mask = region.mask.copy()
        return {
            parent.index: _window_region(region, mask, parent, (kh, sh, ph, dh), (kw, sw, pw, dw))
        }
    if kind in (ADAPTIVE_AVG, ADAPTIVE_MAX) and node.is_map and parents[0].is_map:
        parent = parents[0]
        t, left, b, r = _box(region)
        rows = _adaptive_span(t, b, node.shape[1], parent.shape[1])
        cols = _adaptive_span(left, r, node.shape[2], parent.shape[2])
        return {parent.index: Region(region.mask.copy(), (rows[0], cols[0], rows[1], cols[1]))}
    if kind in ELEMENTWISE or kind == ADD:
        out = {}
        for parent in parents:
            if parent.shape == node.shape:
                out[parent.index] = region.with_mask(region.mask.copy())
            else:  # broadcast: a different shape is read whole
                out[parent.index] = full_region(parent)
        return out
    if kind == CAT and node.is_map:
        out, offset = {}, 0
        for parent in parents:
            n = parent.shape[0]
            part = region.mask[offset : offset + n]
            if part.any() and parent.is_map:
                out[parent.index] = region.with_mask(part.copy())
            offset += n
        return out
    if kind == UNRECORDED and len(parents) == 1 and parents[0].shape == node.shape:
        return {parents[0].index: region.with_mask(region.mask.copy())}  # position-wise
    if (
        kind in (RESHAPE, UNRECORDED)
        and len(parents) == 1
        and parents[0].value.size == node.value.size
    ):
        return {parents[0].index: _from_elements(parents[0], _elements(node, region))}
    return {parent.index: full_region(parent) for parent in parents}


def _window_region(region: Region, mask: np.ndarray, parent, *windows) -> Region:
    """What a window operation's ``region`` reads of its parent (``windows``: the rows' and
    the columns' kernel, stride, padding before, dilation), the very taps, as the quiz's
    receptive fields (cnnviz.core.ops.windows)."""
    found = [
        reads(positions, Window(*w), size)
        for positions, w, size in zip(region.axes(), windows, parent.shape[1:])
    ]
    rows, cols = found
    if not rows or not cols:  # only padding: an empty box where the windows start
        top, left, bottom, right = _box(region)
        (t, b), (lt, r) = (
            span(lo, hi, Window(*w), size)
            for lo, hi, w, size in zip((top, left), (bottom, right), windows, parent.shape[1:])
        )
        return Region(mask, (t, lt, b, r))
    box = (min(rows), min(cols), max(rows) + 1, max(cols) + 1)
    gaps = len(rows) < box[2] - box[0] or len(cols) < box[3] - box[1]
    return Region(mask, box, (frozenset(rows), frozenset(cols)) if gaps else None)


def _conv_channels(out_mask: np.ndarray, in_channels: int, groups: int) -> np.ndarray:
    if groups == 1:
        return np.ones(in_channels, dtype=bool)
    out_per_group = len(out_mask) // groups
    in_per_group = in_channels // groups
    mask = np.zeros(in_channels, dtype=bool)
    for g in {int(c) // out_per_group for c in np.flatnonzero(out_mask)}:
        mask[g * in_per_group : (g + 1) * in_per_group] = True
    return mask


def dependencies(nodes: list[TraceNode], start: int, region: Region) -> dict[int, Region]:
    """Every node's region that ``region`` of node ``start`` depends on (itself included)."""
    regions = {start: region}
    for index in range(start, -1, -1):
        own = regions.get(index)
        if own is None:
            continue
        for parent, part in parent_regions(nodes, nodes[index], own).items():
            regions[parent] = regions[parent].union(part) if parent in regions else part
    return regions


def theoretical_fields(nodes: list[TraceNode]) -> list[ReceptiveField]:
    """For every node: its units' field (size, jump and start in input pixels), composed from
    the input forwards; :data:`WHOLE_INPUT` once the whole input is seen (after a flatten, a
    fully connected layer or a softmax)."""
    fields: list[ReceptiveField] = []
    for node in nodes:
        fields.append(_field(node, [fields[i] for i in node.parents], nodes))
    return fields


def compose(
    field: ReceptiveField, kernel, stride, padding=(0, 0), dilation=(1, 1)
) -> ReceptiveField:
    """The field of a window operation (convolution, pooling) over maps whose field is
    ``field``: each argument a (rows, columns) pair, ``padding`` the padding before."""
    size, jump, start = field.size, field.jump, field.start
    assert size is not None and jump is not None and start is not None
    rows, cols = (
        Field(size[i], jump[i], start[i]).then(
            Window(kernel[i], stride[i], padding[i], dilation[i])
        )
        for i in (0, 1)
    )
    return ReceptiveField((rows.size, cols.size), (rows.jump, cols.jump), (rows.start, cols.start))


def _union(fields: list[ReceptiveField]) -> ReceptiveField:
    """The field covering each of ``fields`` (branches that meet in a sum or a concatenation)."""
    tops, lefts, bottoms, rights, jumps = [], [], [], [], []
    for f in fields:
        assert f.size is not None and f.jump is not None and f.start is not None
        tops.append(f.start[0])
        lefts.append(f.start[1])
        bottoms.append(f.start[0] + f.size[0])
        rights.append(f.start[1] + f.size[1])
        jumps.append(f.jump)
    start = (min(tops), min(lefts))
    return ReceptiveField(
        (max(bottoms) - start[0], max(rights) - start[1]),
        (max(j[0] for j in jumps), max(j[1] for j in jumps)),
        start,
    )


def _field(node: TraceNode, parents: list[ReceptiveField], nodes: list[TraceNode]):
    if node.kind == INPUT:
        return ReceptiveField((1, 1), (1, 1), (0, 0))
    if not node.is_map or not parents or any(p.size is None for p in parents):
        return WHOLE_INPUT
    if node.kind in WINDOW_KINDS or (node.kind == UNRECORDED and "kernel" in node.params):
        p = node.params
        padding = tuple(before for before, _after in p["padding"])
        return compose(parents[0], p["kernel"], p["stride"], padding, p["dilation"])
    if node.kind in (ADAPTIVE_AVG, ADAPTIVE_MAX):
        parent = nodes[node.parents[0]]
        ks = [math.ceil(i / o) for i, o in zip(parent.shape[1:], node.shape[1:])]
        ss = [max(i // o, 1) for i, o in zip(parent.shape[1:], node.shape[1:])]
        return compose(parents[0], ks, ss)
    if node.kind == UNRECORDED and parents and nodes[node.parents[0]].shape == node.shape:
        return parents[0]
    if node.kind in ELEMENTWISE or node.kind in (ADD, CAT):
        return _union(parents)
    return WHOLE_INPUT


def field_of(
    nodes: list[TraceNode], fields: list, index: int, channel: int | None, row, col
) -> ReceptiveField:
    """The receptive field of a unit (``channel`` None: of any channel at row, col)."""
    node = nodes[index]
    if node.is_map:
        mask = np.zeros(node.shape[0], dtype=bool)
        if channel is None:
            mask[:] = True
        else:
            mask[channel] = True
        region = Region(mask, (row, col, row + 1, col + 1))
    else:
        region = unit_region(node, channel or 0, None, None)
    regions = dependencies(nodes, index, region)
    found = regions.get(0)
    if found is None or found.box is None:  # a unit that reads no pixel (a constant)
        top = left = bottom = right = 0
    else:
        top, left, bottom, right = found.box
    layer = fields[index]
    return ReceptiveField(layer.size, layer.jump, layer.start, (top, left, bottom, right))
