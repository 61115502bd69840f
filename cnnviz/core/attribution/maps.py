"""Attribution maps: which pixels made the network decide. Saliency, integrated gradients and
Grad-CAM come from captum; occlusion is one batched forward pass over every window position
(captum's Occlusion spreads each window's drop over its pixels, and the lesson wants one value
per window position)."""

from __future__ import annotations

import numpy as np
import torch
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Saliency
from torch import nn

from cnnviz.core.inference import MNIST_INFO, InputContract

from ._common import as_numpy, check_class, evaluating, pixel_tensor, probabilities, scores

OCCLUSION_BATCH = 256  # window positions per forward pass


def saliency(
    model: nn.Module, image: np.ndarray, target: int, info: InputContract = MNIST_INFO
) -> np.ndarray:
    """``[H, W]``: the maximum over channels of ``|∂ output_target / ∂ pixel|`` (captum's
    Saliency; the output is the model's score for ``target`` before softmax)."""
    target = check_class(target, info)
    with evaluating(model):
        x = pixel_tensor(model, image, info)
        grads = Saliency(scores(model, info)).attribute(x, target=target, abs=True)
    return as_numpy(grads[0].amax(dim=0))


def integrated_gradients(
    model: nn.Module,
    image: np.ndarray,
    target: int,
    info: InputContract = MNIST_INFO,
    steps: int = 50,
) -> np.ndarray:
    """``[H, W]``: captum's integrated gradients of the target's score along the straight
    path from a black image (all pixels 0) to ``image``, summed over channels. Positive:
    evidence for the class; negative: against it. The map sums to about
    score(image) − score(black)."""
    target = check_class(target, info)
    if int(steps) < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    with evaluating(model):
        x = pixel_tensor(model, image, info)
        attributions = IntegratedGradients(scores(model, info)).attribute(
            x, baselines=torch.zeros_like(x), target=target, n_steps=int(steps)
        )
    return as_numpy(attributions[0].sum(dim=0))


def occlusion_positions(height: int, width: int, window: int, stride: int) -> list[tuple[int, int]]:
    """(top, left) of each window position, row by row: the order the window moves in."""
    if not 1 <= window <= min(height, width):
        raise ValueError(f"window must be 1–{min(height, width)} pixels, got {window}")
    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    rows = range(0, height - window + 1, stride)
    cols = range(0, width - window + 1, stride)
    return [(top, left) for top in rows for left in cols]


@torch.no_grad()
def occlusion(
    model: nn.Module,
    image: np.ndarray,
    target: int,
    info: InputContract = MNIST_INFO,
    window: int = 7,
    stride: int = 7,
) -> np.ndarray:
    """``[(H−window)//stride + 1, (W−window)//stride + 1]``: for each window position, the
    target's softmax probability on the clean image minus its probability with the
    window×window square there set to 0 (black) in every channel."""
    target = check_class(target, info)
    window, stride = int(window), int(stride)
    _, h, w = info.input_shape
    positions = occlusion_positions(h, w, window, stride)
    rows = (h - window) // stride + 1
    cols = (w - window) // stride + 1
    with evaluating(model):
        x = pixel_tensor(model, image, info)
        forward = probabilities(model, info)
        clean = forward(x)[0, target]
        drops = []
        for start in range(0, len(positions), OCCLUSION_BATCH):
            chunk = positions[start : start + OCCLUSION_BATCH]
            batch = x.repeat(len(chunk), 1, 1, 1)
            for i, (top, left) in enumerate(chunk):
                batch[i, :, top : top + window, left : left + window] = 0.0
            drops.append(clean - forward(batch)[:, target])
    return as_numpy(torch.cat(drops).reshape(rows, cols))


def conv_layers(model: nn.Module) -> list[str]:
    """Names of the model's convolution layers (the layers Grad-CAM can look at)."""
    return [name for name, m in model.named_modules() if name and isinstance(m, nn.Conv2d)]


def grad_cam(
    model: nn.Module,
    image: np.ndarray,
    target: int,
    info: InputContract = MNIST_INFO,
    layer: str | None = None,
) -> np.ndarray:
    """``[H, W]``: captum's Grad-CAM on ``layer`` (a module name; default: the last
    convolution), the sum over its channels of activation × mean gradient of the target's
    score, upsampled bilinearly to the input. Signed: negative marks evidence against the
    class (the classic Grad-CAM keeps only the positive part)."""
    target = check_class(target, info)
    layers = conv_layers(model)
    name = layer if layer is not None else (layers[-1] if layers else None)
    modules = dict(model.named_modules())
    if not name or name not in modules:
        raise ValueError(f"no layer {name!r} in this model; convolution layers: {layers}")
    _, h, w = info.input_shape
    with evaluating(model):
        x = pixel_tensor(model, image, info)
        cam = LayerGradCam(scores(model, info), modules[name]).attribute(x, target=target)
        if cam.dim() != 4:
            raise ValueError(f"layer {name!r} gives no feature maps (output {list(cam.shape)})")
        cam = LayerAttribution.interpolate(cam, (h, w), interpolate_mode="bilinear")
    return as_numpy(cam[0, 0])
