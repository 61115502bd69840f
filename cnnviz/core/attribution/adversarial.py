"""Adversarial digits: a small change of every pixel (at most ``eps``) that fools the network.
FGSM and PGD are captum's (captum.robust), run on the pixel image so the change and the
[0, 1] range are those the student sees."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from captum.robust import FGSM, PGD
from torch import nn

from cnnviz.core.inference import MNIST_INFO, InputContract

from ._common import (
    as_numpy,
    check_class,
    check_eps,
    device_of,
    evaluating,
    pixel_tensor,
    probabilities,
    run_slices,
)


def _fgsm_batch(model: nn.Module, pixels: torch.Tensor, labels, eps: float, info) -> torch.Tensor:
    attack = FGSM(probabilities(model, info), lower_bound=0.0, upper_bound=1.0)
    return attack.perturb(pixels, epsilon=eps, target=labels).detach()


def fgsm(
    model: nn.Module,
    image: np.ndarray,
    label: int,
    eps: float,
    info: InputContract = MNIST_INFO,
) -> np.ndarray:
    """The adversarial pixel image (``[C, H, W]``) of one fast-gradient-sign step away from
    ``label``: each pixel moves by ``eps`` in the direction that raises the loss for
    ``label``, then is clipped to [0, 1]."""
    label = check_class(label, info, "label")
    eps = check_eps(eps)
    with evaluating(model):
        x = pixel_tensor(model, image, info)
        adversarial = _fgsm_batch(model, x, label, eps, info)
    return as_numpy(adversarial[0])


def pgd(
    model: nn.Module,
    image: np.ndarray,
    target: int,
    eps: float,
    steps: int = 40,
    info: InputContract = MNIST_INFO,
    step_size: float | None = None,
) -> np.ndarray:
    """The adversarial pixel image of a targeted projected-gradient-descent attack: ``steps``
    signed-gradient steps (of ``step_size``, default 2.5·eps/steps) towards ``target``, each
    followed by projection into the ``eps`` box around ``image`` and into [0, 1]."""
    target = check_class(target, info)
    eps = check_eps(eps)
    if int(steps) < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    size = 2.5 * eps / int(steps) if step_size is None else float(step_size)
    with evaluating(model):
        x = pixel_tensor(model, image, info)
        attack = PGD(probabilities(model, info), lower_bound=0.0, upper_bound=1.0)
        adversarial = attack.perturb(
            x, radius=eps, step_size=size, step_num=int(steps), target=target, targeted=True
        )
    return as_numpy(adversarial[0])


@dataclass(frozen=True)
class Robustness:
    """Test-set accuracy under FGSM at each ``eps``, and the fooled fraction: of the images
    classified right without the attack, the share classified wrong with it."""

    eps: tuple[float, ...]
    accuracy: tuple[float, ...]
    fooled: tuple[float, ...]
    images: int


def fgsm_robustness(
    *args, progress: Callable[[int, int], None] | None = None, should_stop=None, **kwargs
) -> Robustness | None:
    """Accuracy against ``eps`` for FGSM on a test set: :func:`fgsm_robustness_slices` (the
    same arguments) in one piece, ``progress(done, total)`` after each batch and ε,
    ``should_stop()`` checked between batches (None returned when it said stop)."""
    return run_slices(fgsm_robustness_slices(*args, **kwargs), progress, should_stop)


def fgsm_robustness_slices(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    eps_values: Sequence[float],
    info: InputContract = MNIST_INFO,
    batch_size: int = 500,
) -> Generator[tuple[int, int], None, Robustness]:
    """Accuracy against ``eps`` for FGSM on a test set (``images`` uint8 ``[N, C, H, W]`` as
    the datasets hold them), in slices: yields ``(done, total)`` after each batch and ε and
    returns the :class:`Robustness`. Nothing of it stays set in the thread between two
    slices (eval mode is set again for each, gradients are never switched off across a
    yield): other jobs may use the model in between."""
    eps_values = [check_eps(e) for e in eps_values]
    if len(images) == 0 or len(images) != len(labels):
        raise ValueError("images and labels must be non-empty and of the same length")
    device = device_of(model)
    total = len(images) * len(eps_values)
    correct = np.zeros(len(eps_values))
    fooled = np.zeros(len(eps_values))
    clean_right = 0
    done = 0
    forward = probabilities(model, info)
    for start in range(0, len(images), batch_size):
        x = (images[start : start + batch_size].to(device).float() / 255.0).requires_grad_()
        y = labels[start : start + batch_size].to(device)
        with evaluating(model), torch.no_grad():
            right = forward(x).argmax(1) == y
        clean_right += int(right.sum())
        for k, eps in enumerate(eps_values):
            with evaluating(model):
                adversarial = _fgsm_batch(model, x, y, eps, info)
                with torch.no_grad():
                    still = forward(adversarial).argmax(1) == y
            correct[k] += int(still.sum())
            fooled[k] += int((right & ~still).sum())
            done += len(x)
            yield done, total
    n = len(images)
    return Robustness(
        eps=tuple(eps_values),
        accuracy=tuple(float(c / n) for c in correct),
        fooled=tuple(float(f / max(clean_right, 1)) for f in fooled),
        images=n,
    )
