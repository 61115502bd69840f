"""Why did it say 7? Attribution maps (saliency, integrated gradients, occlusion, Grad-CAM;
:data:`METHODS` lists them with their labels and what each map says) and adversarial digits
(FGSM, targeted PGD) for one pixel image, numpy in and out; what a filter looks for (its most
exciting test patches, activation maximisation).

``image`` is the pixel image ``[C, H, W]`` in [0, 1] as :func:`cnnviz.inference.prepare`
gives it; ``info`` is the trained model's :class:`~cnnviz.core.inference.InputContract`, so
normalisation happens inside. captum does the work where it has the method.

The functions load on first use: the list of methods (a page's menu) imports neither torch nor
captum."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnnviz.core.lazy import lazy_names

from .methods import METHODS, AttributionMethod, by_label, by_name

if TYPE_CHECKING:
    from .adversarial import Robustness, fgsm, fgsm_robustness, pgd
    from .filters import (
        ReceptiveField,
        TopPatches,
        maximise_activation,
        receptive_field,
        top_patches,
    )
    from .maps import (
        conv_layers,
        grad_cam,
        integrated_gradients,
        occlusion,
        occlusion_positions,
        saliency,
    )

_LAZY = {
    "Robustness": "adversarial",
    "fgsm": "adversarial",
    "fgsm_robustness": "adversarial",
    "pgd": "adversarial",
    "ReceptiveField": "filters",
    "TopPatches": "filters",
    "maximise_activation": "filters",
    "receptive_field": "filters",
    "top_patches": "filters",
    "conv_layers": "maps",
    "grad_cam": "maps",
    "integrated_gradients": "maps",
    "occlusion": "maps",
    "occlusion_positions": "maps",
    "saliency": "maps",
}

__all__ = [
    "METHODS",
    "AttributionMethod",
    "ReceptiveField",
    "Robustness",
    "TopPatches",
    "by_label",
    "by_name",
    "conv_layers",
    "fgsm",
    "fgsm_robustness",
    "grad_cam",
    "integrated_gradients",
    "maximise_activation",
    "occlusion",
    "occlusion_positions",
    "pgd",
    "receptive_field",
    "saliency",
    "top_patches",
]

__getattr__ = lazy_names(__name__, _LAZY, globals())
