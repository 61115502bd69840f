"""One optimiser step on a mini-batch, taken on a copy of the model, and each image's share of
the batch's gradient for one weight: torch inside, numpy out."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad, vmap

from cnnviz.core.denormals import denormals_flushed

from .backward import NLL, check_target, loss_kind, loss_of, normalised


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def _device(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def batch_tensors(model: nn.Module, images, targets, info) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel images ``[N, C, H, W]`` in [0, 1] and their labels as the model's normalised
    input batch and a label tensor (ValueError for a wrong shape, value or label)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"images must be [N, C, H, W], got shape {images.shape}")
    labels = np.atleast_1d(np.asarray(targets))
    if labels.shape != (len(images),):
        raise ValueError(f"{len(images)} images need {len(images)} targets, got {labels.shape}")
    classes = len(info.class_names)
    y = [check_target(t, classes) for t in labels]
    x = np.stack([normalised(image, info) for image in images])
    device = _device(model)
    return torch.from_numpy(x).to(device), torch.tensor(y, dtype=torch.long, device=device)


@dataclass
class SGDStep:
    """One ``torch.optim.SGD`` step on a copy of the model.

    ``state_dict``: the copy's state after the step (numpy); ``loss_before`` and
    ``loss_after``: the batch's mean loss in eval mode before and after the step;
    ``train_loss``: the loss in train mode the step's gradient came from; ``gradients``: the
    batch's mean gradient of each parameter; ``momentum_buffer``: each parameter's momentum
    buffer, to give to the next step (None without momentum); ``loss_kind`` as
    :func:`~cnnviz.core.explain.gradients` says."""

    state_dict: dict[str, np.ndarray]
    loss_before: float
    loss_after: float
    train_loss: float
    loss_kind: str
    gradients: dict[str, np.ndarray] = field(default_factory=dict)
    momentum_buffer: dict[str, np.ndarray] | None = None


def _batch_loss(model: nn.Module, x, y, kind: str | None = None) -> tuple[torch.Tensor, str]:
    """The mean loss of the batch (the auxiliary classifier's, × 0.4, added as the Train
    page's loop adds it) and the loss kind."""
    out = model(x)
    kind = kind or loss_kind(out)
    loss = loss_of(out, y, kind)
    aux = getattr(model, "aux_output", None)
    if isinstance(aux, torch.Tensor):
        loss = loss + 0.4 * loss_of(aux, y, "cross_entropy")
    return loss, kind


def _eval_loss(model: nn.Module, x, y, kind: str) -> float:
    model.eval()
    with torch.no_grad():
        return float(_batch_loss(model, x, y, kind)[0])


def sgd_step(
    model: nn.Module,
    images,
    targets,
    info,
    lr: float,
    momentum: float = 0.0,
    momentum_buffer: dict | None = None,
) -> SGDStep:
    """One ``torch.optim.SGD(lr=lr, momentum=momentum)`` step on the pixel images ``images``
    (``[N, C, H, W]`` in [0, 1]) with labels ``targets``, taken in train mode on a copy of
    ``model`` (the model given is left unchanged). ``momentum_buffer`` (a previous step's)
    continues the run: steps chained so equal running the optimiser repeatedly."""
    if not lr > 0:
        raise ValueError(f"the learning rate must be > 0, got {lr}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
    x, y = batch_tensors(model, images, targets, info)
    with denormals_flushed():
        return _step(model, x, y, float(lr), float(momentum), momentum_buffer)


def _step(model: nn.Module, x, y, lr: float, momentum: float, momentum_buffer) -> SGDStep:
    twin = copy.deepcopy(model)
    twin.eval()
    with torch.no_grad():
        out = twin(x)
        kind = loss_kind(out)
        before = float(loss_of(out, y, kind))
    named = [(n, p) for n, p in twin.named_parameters() if p.requires_grad]
    optimiser = torch.optim.SGD([p for _, p in named], lr=lr, momentum=momentum)
    if momentum and momentum_buffer:
        for name, p in named:
            if name in momentum_buffer:
                buffer = torch.as_tensor(np.asarray(momentum_buffer[name]), device=p.device)
                optimiser.state[p]["momentum_buffer"] = buffer.to(p.dtype).clone()
    twin.train()
    with torch.enable_grad():
        optimiser.zero_grad(set_to_none=True)
        loss, _ = _batch_loss(twin, x, y, kind)
        loss.backward()
    grads = {n: _numpy(p.grad) for n, p in named if p.grad is not None}
    optimiser.step()
    buffers = None
    if momentum:
        buffers = {
            n: _numpy(optimiser.state[p]["momentum_buffer"])
            for n, p in named
            if optimiser.state[p].get("momentum_buffer") is not None
        }
    after = _eval_loss(twin, x, y, kind)
    state = {k: _numpy(v) for k, v in twin.state_dict().items()}
    return SGDStep(state, before, after, float(loss.detach()), kind, grads, buffers)


@dataclass
class Losses:
    """A model's losses on a set of images in eval mode: ``loss`` (their mean),
    ``losses`` and ``probabilities`` per image, ``accuracy`` (the fraction it gets right)."""

    loss: float
    losses: np.ndarray
    probabilities: np.ndarray
    accuracy: float
    loss_kind: str


EVAL_BATCH = 256  # images per forward pass of losses()


def losses(model: nn.Module, images, targets, info, state_dict=None) -> Losses:
    """The loss of each pixel image (``[N, C, H, W]`` in [0, 1]) with its label, in eval mode,
    as :func:`sgd_step` measures it: of ``model`` itself, or of a copy of it with
    ``state_dict`` (an :class:`SGDStep`'s, say) loaded (``model`` is left unchanged)."""
    x, y = batch_tensors(model, images, targets, info)
    if state_dict is not None:
        model = copy.deepcopy(model)
        device = _device(model)
        model.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in state_dict.items()})
        model.to(device)
    was_training = model.training
    model.eval()
    outs = []
    try:
        with denormals_flushed(), torch.no_grad():
            for start in range(0, len(x), EVAL_BATCH):
                outs.append(model(x[start : start + EVAL_BATCH]).float())
    finally:
        model.train(was_training)
    out = torch.cat(outs)
    kind = loss_kind(out)
    each = (
        F.nll_loss(out, y, reduction="none")
        if kind == NLL
        else F.cross_entropy(out, y, reduction="none")
    )
    probs = torch.softmax(out, dim=1)
    right = float((out.argmax(dim=1) == y).float().mean())
    return Losses(float(each.mean()), _numpy(each), _numpy(probs), right, kind)


@dataclass
class BatchShares:
    """Each image's share of the batch's mean gradient for one weight: ``per_image`` (each
    image's own gradient), ``shares`` (= per_image / N; they sum to ``gradient``)."""

    parameter: str
    index: tuple[int, ...]
    per_image: np.ndarray
    shares: np.ndarray
    gradient: float
    losses: np.ndarray  # each image's loss


def batch_shares(model: nn.Module, images, targets, info, parameter: str, index) -> BatchShares:
    """Each image's share (its own gradient ÷ N) of the batch's mean gradient of one weight,
    ``model.get_parameter(parameter)[index]``, in eval mode (a batch norm's running
    statistics: in train mode its batch statistics tie the images together, and one image's
    share would not be its own). The shares sum to the batch's gradient."""
    params = dict(model.named_parameters())
    if parameter not in params:
        raise ValueError(f"no parameter {parameter!r}; the model has: {', '.join(params)}")
    index = tuple(int(i) for i in np.atleast_1d(index))
    shape = tuple(params[parameter].shape)
    if len(index) != len(shape) or not all(0 <= i < s for i, s in zip(index, shape)):
        raise ValueError(f"index {index} is outside {parameter}'s shape {shape}")
    x, y = batch_tensors(model, images, targets, info)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            kind = loss_kind(model(x[:1]))
        with denormals_flushed():
            per, losses = _per_image_gradients(model, x, y, parameter, kind)
    finally:
        model.train(was_training)
    per_image = per.reshape((len(x),) + shape)[(slice(None),) + index].astype(np.float64)
    shares = per_image / len(x)
    return BatchShares(parameter, index, per_image, shares, float(shares.sum()), losses)


def _per_image_gradients(model, x, y, parameter: str, kind: str):
    """Each image's gradient of ``parameter`` (``[N, *shape]``) and loss (``[N]``): vmap of
    torch.func's grad where the model allows, else one backward pass per image."""
    fixed = {k: v.detach() for k, v in model.named_parameters() if k != parameter}
    fixed.update({k: v.detach() for k, v in model.named_buffers()})
    weight = model.get_parameter(parameter).detach()

    def one(w, xi, yi):
        out = functional_call(model, {**fixed, parameter: w}, (xi[None],))
        loss = loss_of(out, yi[None], kind)
        return loss, loss.detach()

    try:
        with torch.enable_grad():
            g, losses = vmap(grad(one, has_aux=True), in_dims=(None, 0, 0))(weight, x, y)
        return _numpy(g), _numpy(losses)
    except Exception:  # an operation vmap cannot batch: the plain way, image by image
        grads, values = [], []
        for xi, yi in zip(x, y):
            w = weight.clone().requires_grad_(True)
            with torch.enable_grad():
                loss, _ = one(w, xi, yi)
                (gw,) = torch.autograd.grad(loss, w)
            grads.append(_numpy(gw))
            values.append(float(loss))
        return np.stack(grads), np.array(values)
