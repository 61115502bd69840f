"""The registry: name → builder, one-line description, lecture slide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from .deeper import DeeperNet
from .densenet import DenseNet
from .inception_v3 import InceptionV3
from .lecture import InceptionNet, SimpleNet, simple_broken
from .resnet import ResNet


@dataclass(frozen=True)
class ZooEntry:
    """What the pages and the CLI show about a model."""

    name: str
    builder: Callable[..., nn.Module]
    description: str
    slide: str
    options: dict = field(default_factory=dict)  # extra keyword arguments and their defaults
    source_path: str | None = None  # set for models opened from a file
    opened: Any = None  # a model opened from a file: its UserModel (what opening reported)
    only_28: bool = False


_REGISTRY: dict[str, ZooEntry] = {}


def register(model: ZooEntry) -> None:
    """Add (or replace) a model; opened files use this too."""
    _REGISTRY[model.name] = model


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def available() -> list[str]:
    """Every model name, built-in ones first, in registry order."""
    return list(_REGISTRY)


def info(name: str) -> ZooEntry:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(_REGISTRY)}") from None


def build(
    name: str, in_channels: int = 1, num_classes: int = 10, input_size: int = 28, **options
) -> nn.Module:
    """A fresh model ``name`` for ``in_channels``×``input_size``² inputs and ``num_classes``."""
    entry = info(name)
    unknown = set(options) - set(entry.options)
    if unknown:
        raise ValueError(
            f"model {name!r} has no option(s) {', '.join(sorted(unknown))}; "
            f"it takes: {', '.join(entry.options) or 'none'}"
        )
    return entry.builder(
        in_channels=in_channels,
        num_classes=num_classes,
        input_size=input_size,
        **{**entry.options, **options},
    )


for _info in (
    ZooEntry(
        "simple",
        SimpleNet,
        "The lecture's simple CNN: two 5×5 convolutions with 2×2 max pooling, fc 320 → 10.",
        "Lecture 10: Simple CNN",
    ),
    ZooEntry(
        "simple_broken",
        simple_broken,
        "The lecture's first try, nn.Linear(100, 10): shows the size-mismatch error and "
        "its explanation (the flattened size is 20 × 4 × 4 = 320).",
        "Lecture 10: Simple CNN (RuntimeError: size mismatch)",
    ),
    ZooEntry(
        "deeper",
        DeeperNet,
        "More layers: three VGG-style stages of 3×3 conv + batch norm, max pooling.",
        "Exercise 10-1: Implement CNN with more layers",
    ),
    ZooEntry(
        "inception",
        InceptionNet,
        "The lecture's toy Inception net: two InceptionA modules (1×1, 5×5, 3×3 double, "
        "pool branches = 88 channels), fc 1408 → 10.",
        "Lecture 10-1: Inception Module",
    ),
    ZooEntry(
        "inception_v3",
        InceptionV3,
        "Inception v3 ideas: 5×5 as two 3×3, 1×n/n×1 factorisation, grid-size "
        "reduction blocks, optional auxiliary classifier.",
        "Exercise 10-2: Implement full Inception v3",
        {"aux_logits": False},
    ),
    ZooEntry(
        "resnet",
        ResNet,
        "ResNet for small images: basic residual blocks, stages halve the map and double "
        "the filters; depth 6n+2 (8, 20, 56); preact=True puts the identity after the "
        "addition.",
        "Exercise 10-3: ResNet",
        {"depth": 20, "preact": False},
    ),
    ZooEntry(
        "plain",
        lambda **kw: ResNet(shortcuts=False, **kw),
        "The resnet network with its shortcuts removed, to show the degradation problem "
        "side by side.",
        "Lecture 10-1: Deep networks (degradation problem)",
        {"depth": 20},
    ),
    ZooEntry(
        "densenet",
        DenseNet,
        "DenseNet-BC: dense blocks where every layer sees all earlier ones, growth "
        "rate 12, 1×1 bottlenecks, compressing transitions; depth 6n+4.",
        "Exercise 10-4: DenseNet",
        {"depth": 40, "growth": 12},
    ),
):
    register(_info)
