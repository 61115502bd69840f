"""A model's structure as nodes for a block diagram: layers, Inception blocks with their
branches, residual blocks with their shortcut, dense blocks with their layers.

Derived from the layer table (the order layers really ran in), so it works for any model;
blocks of the zoo carry ``diagram_kind`` to be drawn as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, cast

from torch import nn

from .table import LayerTable

QUIET = (nn.BatchNorm1d, nn.BatchNorm2d, nn.ReLU, nn.Dropout, nn.Identity, nn.Flatten)


@dataclass
class Box:
    """One drawn layer: the module it stands for, what it is, the shape it outputs."""

    name: str
    title: str
    shape: str = ""
    failed: bool = False


@dataclass
class Node:
    """A step of the diagram: a plain layer, or a block drawn with its inside."""

    kind: str  # "layer", "inception", "residual", "dense"
    name: str
    title: str
    shape: str = ""
    boxes: list[Box] = field(default_factory=list)  # layer: one; residual / dense: the path
    branches: list[tuple[str, list[Box]]] = field(default_factory=list)  # inception
    shortcut: str = ""  # residual: "shortcut: identity", "shortcut: 1×1 conv" or "" (plain)
    failed: bool = False


def _k(size) -> str:
    size = size if isinstance(size, tuple) else (size, size)
    return f"{size[0]}×{size[1]}"


def describe(module: nn.Module) -> str:
    """A short name for a layer as the lecture would say it."""
    if isinstance(module, nn.Conv2d):
        extra = f", stride {module.stride[0]}" if module.stride != (1, 1) else ""
        return f"conv {_k(module.kernel_size)}, {module.in_channels}→{module.out_channels}{extra}"
    if isinstance(module, nn.Linear):
        return f"fc {module.in_features}→{module.out_features}"
    if isinstance(module, nn.MaxPool2d):
        return f"max pool {_k(module.kernel_size)}"
    if isinstance(module, nn.AvgPool2d):
        return f"avg pool {_k(module.kernel_size)}"
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return "global avg pool" if isinstance(module, nn.AdaptiveAvgPool2d) else "global max pool"
    convs = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
    if len(convs) == 1:
        norm = " + BN" if any(isinstance(m, nn.BatchNorm2d) for m in module.modules()) else ""
        return describe(convs[0]) + norm
    if type(module).__name__ == "DenseLayer":
        return f"dense layer: 1×1 → {convs[0].out_channels}, 3×3 → {convs[-1].out_channels}"
    return type(module).__name__


def _shape(shape) -> str:
    return "×".join(str(s) for s in shape) if shape else ""


def build_diagram(model: nn.Module, table: LayerTable) -> list[Node]:
    """Nodes in the order the layers ran; failed layers are marked."""
    blocks = {name: m for name, m in model.named_modules() if getattr(m, "diagram_kind", None)}
    nodes: list[Node] = []
    done_blocks: set[str] = set()
    for row in table.rows:
        if not row.is_leaf:
            continue
        owner = _outermost_block(row.name, blocks)
        if owner is not None:
            if owner not in done_blocks:
                done_blocks.add(owner)
                nodes.append(_block_node(owner, blocks[owner], table))
            continue
        module = model.get_submodule(row.name)
        if isinstance(module, QUIET) and not row.failed:
            continue
        box = Box(row.name, describe(module), _shape(row.output_shape), row.failed)
        nodes.append(Node("layer", row.name, row.label, box.shape, [box], failed=row.failed))
    return nodes


def _outermost_block(name: str, blocks: dict) -> str | None:
    parts = name.split(".")
    for i in range(1, len(parts)):
        prefix = ".".join(parts[:i])
        if prefix in blocks:
            return prefix
    return None


def _row_shape(table: LayerTable, name: str) -> tuple[str, bool]:
    rows = [r for r in table.rows if r.name == name]
    return (_shape(rows[0].output_shape), rows[0].failed) if rows else ("", False)


def _box(table: LayerTable, block: nn.Module, prefix: str, child: str) -> Box:
    shape, failed = _row_shape(table, f"{prefix}.{child}")
    return Box(f"{prefix}.{child}", describe(block.get_submodule(child)), shape, failed)


class DiagramBlock(Protocol):
    """What a block of the zoo that is drawn as a block carries (see ``diagram_kind``)."""

    diagram_kind: str
    layers: nn.ModuleList

    def diagram_branches(self) -> list[tuple[str, list[str]]]: ...

    def shortcut_label(self) -> str: ...

    def named_children(self) -> Iterator[tuple[str, nn.Module]]: ...


def _block_node(name: str, module: nn.Module, table: LayerTable) -> Node:
    shape, failed = _row_shape(table, name)
    block = cast(DiagramBlock, module)
    kind = block.diagram_kind
    node = Node(kind, name, f"{name} · {type(block).__name__}", shape, failed=failed)
    if kind == "inception":
        for label, children in block.diagram_branches():
            boxes = [_box(table, module, name, c) for c in children]
            widths = [m.group(1) for b in boxes for m in [re.search(r"→(\d+)", b.title)] if m]
            node.branches.append((f"{label} ({widths[-1]})" if widths else label, boxes))
    elif kind == "residual":
        node.boxes = [
            _box(table, module, name, c)
            for c, m in block.named_children()
            if isinstance(m, nn.Conv2d)
        ]
        node.shortcut = block.shortcut_label()
    elif kind == "dense":
        node.boxes = [_box(table, module, name, f"layers.{i}") for i in range(len(block.layers))]
    return node
