"""What every attribution method shares: checking the arguments and the model as a function
of the pixel image (normalisation inside, so captum works on pixels in [0, 1])."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn

from cnnviz.core.denormals import denormals_flushed
from cnnviz.core.inference import InputContract

# captum warns each time it switches on gradients of an input it was given; ours never need
# them beforehand (the images are fresh tensors)
warnings.filterwarnings(
    "ignore", message="Input Tensor .* did not already require gradients", module="captum"
)


def pixel_tensor(model: nn.Module, image: np.ndarray, info: InputContract) -> torch.Tensor:
    """``image`` (``[C, H, W]`` in [0, 1], as ``info`` says) as a ``[1, C, H, W]`` float32
    tensor on the model's device, with gradients on; ValueError for another shape or for
    values outside [0, 1]."""
    arr = info.checked_pixels(image)
    x = torch.from_numpy(np.ascontiguousarray(arr))[None].to(device_of(model))
    return x.requires_grad_(True)  # captum would switch gradients on (with a warning)


def device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def check_class(index, info: InputContract, what: str = "target") -> int:
    """``index`` as a class number of ``info``; ValueError when it is none."""
    classes = len(info.class_names)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise ValueError(f"{what} must be a class number 0–{classes - 1}, got {index!r}")
    if not 0 <= int(index) < classes:
        raise ValueError(f"{what} must be a class number 0–{classes - 1}, got {index}")
    return int(index)


def check_eps(eps: float) -> float:
    eps = float(eps)
    if not np.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a number ≥ 0, got {eps}")
    return eps


def scores(model: nn.Module, info: InputContract) -> Callable[[torch.Tensor], torch.Tensor]:
    """The model as a function of pixel images ``[N, C, H, W]`` in [0, 1] → its logits.

    A network that ends in log_softmax (the lecture's) answers log-probabilities, whose
    gradients vanish once it is sure; its logits are then the output of its last linear
    layer, read by a hook (the model must not run in another thread meanwhile)."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    last = linears[-1] if linears else None

    def forward(pixels: torch.Tensor) -> torch.Tensor:
        captured: list[torch.Tensor] = []
        handle = (
            last.register_forward_hook(lambda _m, _i, out: captured.append(out))
            if last is not None
            else None
        )
        try:
            out = model((pixels - info.mean) / info.std).float()
        finally:
            if handle is not None:
                handle.remove()
        if captured and captured[-1].shape == out.shape and _log_probabilities(out):
            return captured[-1].float()
        return out

    return forward


def _log_probabilities(out: torch.Tensor) -> bool:
    """Does every row of ``out`` hold log-probabilities (logsumexp 0)?"""
    with torch.no_grad():
        return bool((out.logsumexp(dim=1).abs() < 1e-4).all())


def probabilities(model: nn.Module, info: InputContract) -> Callable[[torch.Tensor], torch.Tensor]:
    """The model's softmax probabilities as a function of pixel images."""
    return lambda pixels: torch.softmax(model((pixels - info.mean) / info.std).float(), dim=1)


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """The model in eval mode (dropout and batch norm fixed) for the duration, with denormal
    floats flushed to zero in this thread: tiny gradients must not slow the CPU down a
    hundredfold (as the training engine does; the thread's setting is given back)."""
    was_training = model.training
    model.eval()
    try:
        with denormals_flushed():
            yield model
    finally:
        model.train(was_training)


def as_numpy(tensor: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(tensor.detach().float().cpu().numpy(), dtype=np.float32)


def run_slices(
    slices: Generator[Any, Any, Any],
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
):
    """Run a computation cut in slices (a generator that yields ``(done, total)`` after each
    and returns its result) to its end, in one piece: ``progress(done, total)`` after each
    slice, ``should_stop()`` before each (None returned when it said stop)."""
    try:
        while True:
            if should_stop is not None and should_stop():
                return None
            try:
                done, total = next(slices)
            except StopIteration as stop:
                return stop.value
            if progress is not None:
                progress(done, total)
    finally:
        slices.close()
