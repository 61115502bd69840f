"""Why did it say 7? Attribution maps (saliency, integrated gradients, occlusion, Grad-CAM;
:data:`METHODS` lists them with their labels and what each map says) and adversarial digits
(FGSM, targeted PGD) for one pixel image, numpy in and out; what a filter looks for (its most
exciting test patches, activation maximisation).

``image`` is the pixel image ``[C, H, W]`` in [0, 1] as :func:`cnnviz.inference.prepare`
gives it; ``info`` is the trained model's :class:`~cnnviz.core.inference.InputContract`, so
normalisation happens inside. captum does the work where it has the method."""

from cnnviz.core.attribution_methods import METHODS, AttributionMethod, by_label, by_name

from .adversarial import Robustness, fgsm, fgsm_robustness, fgsm_robustness_slices, pgd
from .filters import (
    ReceptiveField,
    TopPatches,
    maximise_activation,
    maximise_activation_slices,
    receptive_field,
    top_patches,
    top_patches_slices,
)
from .maps import (
    conv_layers,
    grad_cam,
    integrated_gradients,
    occlusion,
    occlusion_positions,
    saliency,
)

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
    "fgsm_robustness_slices",
    "grad_cam",
    "integrated_gradients",
    "maximise_activation",
    "maximise_activation_slices",
    "occlusion",
    "occlusion_positions",
    "pgd",
    "receptive_field",
    "saliency",
    "top_patches",
    "top_patches_slices",
]
