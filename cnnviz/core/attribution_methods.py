"""The attribution methods, in one place: each one's name (its function's name in
:mod:`cnnviz.attribution` and a lesson file's word for it), the label a menu shows, what its
map says, and the function. The Draw page's Why? panel, the Trace page's evidence map and the
library all read this list; a new method joins here. Reading the list imports neither torch
nor captum (a page's menu is built before PyTorch is loaded): it sits beside the attribution
package, whose functions load on a method's first use.

    >>> method = by_name("occlusion")
    >>> method.compute(model, image, 7, info, window=7, stride=2)   # [rows, cols] of windows
    >>> method.pixel_map(model, image, 7, info, window=7, stride=2)  # [H, W]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from torch import nn

    from cnnviz.core.inference import InputContract


@dataclass(frozen=True)
class AttributionMethod:
    """One attribution method: ``name`` is its function's in :mod:`cnnviz.attribution`;
    ``function(model, image, target, info, **options)`` gives its map; ``options`` names the
    keyword settings it takes. ``per_window``: the map has one value per window position
    (occlusion), not one per pixel."""

    name: str
    label: str
    description: str
    options: tuple[str, ...] = ()
    per_window: bool = False
    settings: Callable[..., str] | None = None  # the options in words, for a menu entry

    @property
    def function(self) -> Callable[..., np.ndarray]:
        """The method's function (imports torch and captum the first time)."""
        return getattr(importlib.import_module("cnnviz.core.attribution.maps"), self.name)

    def compute(
        self,
        model: nn.Module,
        image: np.ndarray,
        target: int,
        info: InputContract | None = None,
        **options,
    ) -> np.ndarray:
        """The method's map of ``target`` on ``image``, with those of ``options`` it takes
        (the others are another method's and left out)."""
        chosen = {k: v for k, v in options.items() if k in self.options}
        if info is not None:
            chosen["info"] = info  # else the function's own default: MNIST
        return self.function(model, image, target, **chosen)

    def pixel_map(
        self,
        model: nn.Module,
        image: np.ndarray,
        target: int,
        info: InputContract | None = None,
        **options,
    ) -> np.ndarray:
        """``[H, W]`` at the input's size: a per-window map is spread over the pixels, each
        pixel getting the mean of the windows that cover it."""
        values = self.compute(model, image, target, info, **options)
        if not self.per_window:
            return values
        window = int(options.get("window", 7))
        stride = int(options.get("stride", 7))
        return _spread(values, tuple(np.shape(image)[1:]), window, stride)

    def label_with(self, **options) -> str:
        """The label with its settings, "Occlusion (7×7 window, stride 2)"."""
        if self.settings is None:
            return self.label
        return f"{self.label} ({self.settings(**options)})"


def _spread(values: np.ndarray, shape: tuple, window: int, stride: int) -> np.ndarray:
    total = np.zeros(shape, np.float64)
    count = np.zeros(shape, np.float64)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            top, left = i * stride, j * stride
            total[top : top + window, left : left + window] += values[i, j]
            count[top : top + window, left : left + window] += 1
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def _window_words(window: int = 7, stride: int = 7, **_other) -> str:
    return f"{window}×{window} window, stride {stride}"


def _layer_words(layer: str | None = None, **_other) -> str:
    return f"layer {layer}" if layer else "last convolution"


METHODS: tuple[AttributionMethod, ...] = (
    AttributionMethod(
        "saliency",
        "Saliency",
        "How strongly each pixel's change moves the class score (size only)",
    ),
    AttributionMethod(
        "integrated_gradients",
        "Integrated gradients",
        "Each pixel's share of the class score, from a black image to the drawing: orange "
        "raises it, blue lowers it",
        options=("steps",),
    ),
    AttributionMethod(
        "occlusion",
        "Occlusion",
        "How much the class probability drops when the window hides that place (orange: it "
        "drops, blue: it rises)",
        options=("window", "stride"),
        per_window=True,
        settings=_window_words,
    ),
    AttributionMethod(
        "grad_cam",
        "Grad-CAM",
        "Where the chosen layer's feature maps speak for the class (orange) or against it (blue)",
        options=("layer",),
        settings=_layer_words,
    ),
)


def names() -> tuple[str, ...]:
    return tuple(m.name for m in METHODS)


def labels() -> tuple[str, ...]:
    return tuple(m.label for m in METHODS)


def by_name(name: str) -> AttributionMethod:
    """The method called ``name`` (``ValueError`` naming the methods there are)."""
    for method in METHODS:
        if method.name == name:
            return method
    raise ValueError(f"unknown attribution method {name!r}; one of {', '.join(names())}")


def by_label(label: str) -> AttributionMethod:
    """The method a menu shows as ``label`` (``ValueError`` naming the labels there are)."""
    for method in METHODS:
        if method.label == label:
            return method
    raise ValueError(f"unknown method {label!r}; one of {', '.join(labels())}")
