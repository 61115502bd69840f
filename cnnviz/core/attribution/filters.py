"""What a filter looks for: the test-set patches that excite one channel of a convolution
layer most (cropped to the unit's receptive field), and an activation-maximisation image."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.core.explain import ReceptiveField, trace_forward
from cnnviz.core.inference import MNIST_INFO, InputContract

from ._common import as_numpy, device_of, evaluating, run_slices


def receptive_field(
    model: nn.Module, layer: str, info: InputContract = MNIST_INFO
) -> ReceptiveField:
    """The receptive field of the convolution ``layer``'s units (size, jump and start; its
    ``box(row, col)`` is a unit's), as :mod:`cnnviz.core.explain` composes it over the forward
    pass: exact for a chain of layers, the union of the branches where they meet."""
    modules = dict(model.named_modules())
    if layer not in modules or not isinstance(modules[layer], nn.Conv2d):
        convs = [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]
        raise ValueError(f"{layer!r} is not a convolution layer of this model; they are {convs}")
    blank = np.zeros(tuple(info.input_shape), np.float32)
    return trace_forward(model, blank).layer_field(layer)


@dataclass(frozen=True)
class TopPatches:
    """For each channel of ``layer``: the ``k`` test images whose strongest unit of that
    channel is strongest (``indices``, ``values``, the unit's ``units`` row and column) and
    the input patches those units see (``patches`` ``[channels, k, C, rows, columns]`` of the
    field's size, 0–1, zero beyond the border)."""

    layer: str
    field: ReceptiveField
    indices: np.ndarray
    values: np.ndarray
    units: np.ndarray
    patches: np.ndarray


def top_patches(
    *args, progress: Callable[[int, int], None] | None = None, should_stop=None, **kwargs
) -> TopPatches | None:
    """The ``k`` most exciting patches of every channel of a convolution layer over test
    images: :func:`top_patches_slices` (the same arguments) in one piece, ``progress(done,
    total)`` after each batch, ``should_stop()`` between batches (None when it said stop)."""
    return run_slices(top_patches_slices(*args, **kwargs), progress, should_stop)


def top_patches_slices(
    model: nn.Module,
    images: torch.Tensor,
    layer: str,
    info: InputContract = MNIST_INFO,
    k: int = 9,
    batch_size: int = 1000,
) -> Generator[tuple[int, int], None, TopPatches]:
    """The ``k`` most exciting patches of every channel of the convolution ``layer`` over
    ``images`` (uint8 ``[N, C, H, W]``, as the datasets hold them), in slices: yields ``(done,
    total)`` after each batch and returns the :class:`TopPatches`. Its hook is on the layer
    only while a batch runs, and gradients are switched off only inside a slice: other jobs
    may use the model between two slices."""
    field = receptive_field(model, layer, info)
    if len(images) < k:
        raise ValueError(f"need at least {k} images, got {len(images)}")
    target = dict(model.named_modules())[layer]
    device = device_of(model)
    best_values: torch.Tensor | None = None
    best_index: torch.Tensor | None = None
    best_unit: torch.Tensor | None = None
    width = 0
    for start in range(0, len(images), batch_size):
        saved: dict[str, torch.Tensor] = {}
        handle = target.register_forward_hook(
            lambda _m, _i, out, saved=saved: saved.update(out=out)
        )
        try:
            with torch.no_grad(), evaluating(model):
                x = images[start : start + batch_size].to(device).float() / 255.0
                model((x - info.mean) / info.std)
        finally:
            handle.remove()
        maps = saved["out"].float()  # [B, channels, h, w]
        width = maps.shape[-1]
        strongest, where = maps.flatten(2).max(dim=2)  # [B, channels]
        index = torch.arange(start, start + len(x), device=device)[:, None]
        values = strongest if best_values is None else torch.cat([best_values, strongest])
        units = where if best_unit is None else torch.cat([best_unit, where])
        owners = index.expand_as(strongest)
        owners = owners if best_index is None else torch.cat([best_index, owners])
        top = values.topk(k, dim=0)  # per channel, over the images so far
        best_values = top.values
        best_index = owners.gather(0, top.indices)
        best_unit = units.gather(0, top.indices)
        yield min(start + batch_size, len(images)), len(images)
    assert best_values is not None and best_index is not None and best_unit is not None
    indices = best_index.T.cpu().numpy()  # [channels, k]
    units = torch.stack([best_unit // width, best_unit % width], dim=-1).transpose(0, 1)
    units_np = units.cpu().numpy()
    return TopPatches(
        layer=layer,
        field=field,
        indices=indices,
        values=as_numpy(best_values.T),
        units=units_np,
        patches=_crop(images, indices, units_np, field),
    )


def _crop(images: torch.Tensor, indices, units, field: ReceptiveField) -> np.ndarray:
    """The receptive-field patch of each (image, unit), zero where it passes the border."""
    n, c, h, w = images.shape
    assert field.size is not None  # a convolution's units see part of the input
    out = np.zeros((*indices.shape, c, *field.size), dtype=np.float32)
    pixels = images.numpy() if images.device.type == "cpu" else images.cpu().numpy()
    for ch in range(indices.shape[0]):
        for j in range(indices.shape[1]):
            top, left, bottom, right = field.box(*units[ch, j])
            t, lft, b, r = max(top, 0), max(left, 0), min(bottom, h), min(right, w)
            if t < b and lft < r:
                patch = pixels[indices[ch, j], :, t:b, lft:r]
                out[ch, j, :, t - top : b - top, lft - left : r - left] = patch / 255.0
    return out


def maximise_activation(
    *args, progress: Callable[[int, int], None] | None = None, should_stop=None, **kwargs
) -> np.ndarray | None:
    """An input image that excites one unit of a convolution layer:
    :func:`maximise_activation_slices` (the same arguments) in one piece, ``progress(step,
    steps)`` after each step, ``should_stop()`` before each (None when it said stop)."""
    return run_slices(maximise_activation_slices(*args, **kwargs), progress, should_stop)


def maximise_activation_slices(
    model: nn.Module,
    layer: str,
    channel: int,
    info: InputContract = MNIST_INFO,
    steps: int = 150,
    lr: float = 0.05,
    decay: float = 1e-3,
    blur_every: int = 4,
    seed: int = 0,
) -> Generator[tuple[int, int], None, np.ndarray]:
    """An input image (``[C, H, W]``, 0–1; greyscale for one channel) that excites the
    centre unit of ``channel`` of ``layer``: gradient ascent from a grey image with a little
    noise, with L2 decay towards grey and a light blur every ``blur_every`` steps so the
    picture stays smooth; in slices: yields ``(step, steps)`` after each step and returns the
    image. Its hook is on the layer only while a step runs: other jobs may use
    the model between two steps."""
    modules = dict(model.named_modules())
    if layer not in modules or not isinstance(modules[layer], nn.Conv2d):
        raise ValueError(f"{layer!r} is not a convolution layer of this model")
    channels = modules[layer].out_channels
    if not 0 <= int(channel) < channels:
        raise ValueError(f"channel must be 0–{channels - 1}, got {channel}")
    device = device_of(model)
    generator = torch.Generator().manual_seed(seed)
    start = 0.5 + 0.05 * torch.randn(1, *info.input_shape, generator=generator)
    pixels = start.clamp(0, 1).to(device).requires_grad_(True)
    optimiser = torch.optim.Adam([pixels], lr=lr)
    blur = torch.tensor([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]], device=device) / 16
    kernel = blur.expand(info.input_shape[0], 1, 3, 3)
    for step in range(int(steps)):
        saved: dict[str, torch.Tensor] = {}
        handle = modules[layer].register_forward_hook(
            lambda _m, _i, out, saved=saved: saved.update(out=out)
        )
        try:
            with evaluating(model):
                model((pixels - info.mean) / info.std)
        finally:
            handle.remove()
        maps = saved["out"][0, int(channel)]
        unit = maps[maps.shape[0] // 2, maps.shape[1] // 2]
        loss = -unit + decay * ((pixels - 0.5) ** 2).sum()
        # the image's gradient only: the model's own .grad stays untouched
        (pixels.grad,) = torch.autograd.grad(loss, pixels)
        optimiser.step()
        with torch.no_grad():
            if blur_every and (step + 1) % blur_every == 0:
                padded = F.pad(pixels, (1, 1, 1, 1), mode="replicate")
                pixels.copy_(F.conv2d(padded, kernel, groups=info.input_shape[0]))
            pixels.clamp_(0, 1)
        yield step + 1, int(steps)
    return as_numpy(pixels[0])
