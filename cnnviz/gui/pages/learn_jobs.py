"""The One step page's jobs: they run in the compute thread, on a module of the page's own, and
return plain data (numpy arrays, numbers, text, numpy-only traces).

The page's weights change step by step, so its module is never the one the Draw and Trace pages
share: :func:`source` makes a :class:`~cnnviz.core.model_source.ModelSource` of its own, and
:func:`own_source` wraps one from elsewhere (the training run, a file) into one of its own (the
compute service builds one module per source object). Each job first loads the session's
weights (numpy, held by the controller) into that module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from cnnviz.core.model_source import ModelSource

TEST_IMAGES = 1000  # the update's effect is also measured on this many test images
SLICE = 100  # of them at a time (a step or a click waits for one slice at most)


def source(key: str) -> ModelSource:
    """A source of this page's own: the shipped trained model, or a fresh SimpleNet or
    Inception net (seed 0)."""
    if key == "trained":

        def build():
            from cnnviz.core.inference import MNIST_INFO, load_default_model

            return load_default_model(), MNIST_INFO

        return ModelSource("the default model (the One step page's copy)", build)

    name = "inception" if key == "inception" else "simple"

    def build_fresh():
        import torch

        from cnnviz.core.inference import MNIST_INFO
        from cnnviz.core.models import build

        torch.manual_seed(0)
        return build(name), MNIST_INFO

    return ModelSource(f"a fresh {name} net (seed 0)", build_fresh)


def own_source(source: ModelSource, description: str | None = None) -> ModelSource:
    """A source of this page's own that builds what ``source`` builds (the training run's
    weights, a checkpoint, an opened model): the compute service gives it a module of its own,
    whichever page uses ``source`` itself."""
    return ModelSource(description or source.description, source.build)


def check_steppable(info) -> None:
    """``ValueError`` saying why for a model this page cannot step: its batches and test
    images are MNIST's 28×28 grey digits, its labels 0 to 9."""
    shape, classes = tuple(info.input_shape), len(info.class_names)
    if shape != (1, 28, 28) or classes != 10:
        raise ValueError(
            "One step trains on MNIST's digits (1×28×28, 10 classes) and this model takes "
            f"{info.describe()}"
        )


def as_numpy(state) -> dict[str, np.ndarray]:
    """A state_dict (tensors or arrays) as numpy arrays of its own."""
    return {
        k: np.array(v.detach().cpu().numpy() if hasattr(v, "detach") else v, copy=True)
        for k, v in state.items()
    }


def load_state(model, state: dict[str, np.ndarray]) -> None:
    """The session's weights into the page's own module (in the compute thread)."""
    import torch

    model.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    model.eval()


def start_job(model, info) -> dict:
    """The weights the session starts from, and what the model is (``ValueError`` for one that
    cannot be stepped here)."""
    check_steppable(info)
    parameters = sum(p.numel() for p in model.parameters())
    return {
        "state": as_numpy(model.state_dict()),
        "info": info,
        "name": type(model).__name__,
        "parameters": int(parameters),
    }


def layer_params(model, trace) -> dict[str, list[str]]:
    """For each traced node of a module with weights, the names of its parameters."""
    names = [name for name, _ in model.named_parameters()]
    out: dict[str, list[str]] = {}
    for node in trace.nodes:
        if node.module:
            own = [n for n in names if n.rsplit(".", 1)[0] == node.module]
            if own:
                out[node.label] = own
    return out


def backward_job(model, info, state: dict, image: np.ndarray, label: int) -> dict:
    """The loss and the gradient of every node's output and parameter for the pixel image
    ``image`` (``[C, H, W]`` in [0, 1]) and ``label``, at ``state``'s weights.

    ``trace`` is the forward trace with each node's value replaced by ∂L/∂(its output), for
    the overview (the input keeps its pixels and the probabilities theirs: the one is what the
    student drew, the other what the loss is read from); ``explainer`` the library's
    numpy-only backward trace, which writes out a unit's chain rule without torch."""
    from cnnviz.core.explain import Trace, gradients

    start = time.perf_counter()
    load_state(model, state)
    back = gradients(model, image, int(label), info)
    forward = back.trace
    nodes = [
        n
        if n.kind in ("input", "probabilities") or n.label not in back.layers
        else replace(n, value=np.asarray(back.layers[n.label], np.float32))
        for n in forward.nodes
    ]
    return {
        "trace": Trace(nodes, forward.input_shape),
        "forward": forward,
        "explainer": back,
        "loss": float(back.loss),
        "loss_kind": back.loss_kind,
        "loss_text": back.loss_text,
        "probabilities": np.asarray(back.probabilities, np.float32),
        "label": int(label),
        "parameters": dict(back.parameters),
        "weights": {name: p.detach().numpy().copy() for name, p in model.named_parameters()},
        "layer_params": layer_params(model, forward),
        "seconds": time.perf_counter() - start,
    }


def chosen_weight(backward: dict, layer: str | None) -> tuple[str, tuple[int, ...]] | None:
    """The weight entry with the largest gradient in ``layer`` (or in the first layer with
    weights): (parameter name, index)."""
    params = backward["layer_params"]
    names = params.get(layer or "", ()) or next(iter(params.values()), ())
    weights = [n for n in names if n.endswith("weight")] or list(names)
    if not weights:
        return None
    name = weights[0]
    grad = backward["parameters"][name]
    index = np.unravel_index(int(np.argmax(np.abs(grad))), grad.shape)
    return name, tuple(int(i) for i in index)


@dataclass(frozen=True)
class StepRequest:
    """What one SGD step needs: the session's weights and buffer, the image and its label,
    where the next batch starts, the settings and the weight whose shares are shown."""

    state: dict
    buffer: dict | None
    image: np.ndarray
    label: int
    cursor: int
    batch_size: int
    lr: float
    momentum: float
    weight: tuple | None


def training_batch(image: np.ndarray, label: int, cursor: int, size: int):
    """This image and the next ``size − 1`` MNIST training images (pixels in [0, 1]), their
    labels, and where the batch after starts."""
    from cnnviz.core.data import load_mnist

    train = load_mnist("train")
    count = max(size - 1, 0)
    rows = (np.arange(count) + cursor) % len(train)
    others = train.images[rows].numpy().astype(np.float32) / 255.0
    images = np.concatenate([np.asarray(image, np.float32)[None], others])
    targets = np.concatenate([[int(label)], train.labels[rows].numpy()]).astype(np.int64)
    return images, targets, int((cursor + count) % len(train))


def loss_on_test_images_in_slices(model, info, state: dict, slice_size: int = SLICE):
    """The mean loss (as the library scores the net: NLL of a log_softmax, else the
    cross-entropy of the logits) and the accuracy (%) on the first 1,000 MNIST test images,
    in eval mode at ``state``'s weights: a generator yielding after each slice of images (the
    compute thread answers a click or a step in between), returning (loss, accuracy)."""
    from cnnviz.core.data import load_mnist
    from cnnviz.core.explain import losses

    test = load_mnist("test")
    total, right = 0.0, 0.0
    for start in range(0, TEST_IMAGES, slice_size):
        stop = min(start + slice_size, TEST_IMAGES)
        images = test.images[start:stop].numpy().astype(np.float32) / 255.0
        targets = test.labels[start:stop].numpy()
        load_state(model, state)  # another job may have run on the module in between
        measured = losses(model, images, targets, info)
        total += measured.loss * (stop - start)
        right += measured.accuracy * (stop - start)
        yield stop, TEST_IMAGES
    return total / TEST_IMAGES, 100.0 * right / TEST_IMAGES


def image_outcome(model, info, state: dict, image: np.ndarray, label: int):
    """The loss and the probabilities of one image at ``state``'s weights (eval mode)."""
    from cnnviz.core.explain import losses

    load_state(model, state)
    measured = losses(model, np.asarray(image, np.float32)[None], [int(label)], info)
    return measured.loss, measured.probabilities[0].astype(np.float32)


def measure_job(model, info, step: int, before: dict | None, known: tuple | None, after: dict):
    """The loss and accuracy on 1,000 test images after step ``step`` (at ``after``'s weights)
    and before it (``known``, or measured at ``before``'s weights): a long job of its own, in
    slices, so that the step is on screen first and the next one need not wait for it."""
    if known is None:
        known = yield from loss_on_test_images_in_slices(model, info, before)
    measured = yield from loss_on_test_images_in_slices(model, info, after)
    return {"step": step, "before": known, "after": measured}


def step_job(model, info, request: StepRequest) -> dict:
    """One SGD step (``torch.optim.SGD``, in train mode, on a copy the library makes) on the
    image and the next training images; what it did to the image and the batch, and each
    image's gradient of the chosen weight (the test images are :func:`measure_job`'s)."""
    from cnnviz.core.explain import batch_shares, sgd_step

    start = time.perf_counter()
    r = request
    images, targets, cursor = training_batch(r.image, r.label, r.cursor, r.batch_size)
    image_before, probs_before = image_outcome(model, info, r.state, r.image, r.label)
    shares = None
    if r.weight is not None:
        shares = batch_shares(model, images, targets, info, r.weight[0], r.weight[1])
    step = sgd_step(model, images, targets, info, r.lr, r.momentum, r.buffer)
    image_after, probs_after = image_outcome(model, info, step.state_dict, r.image, r.label)
    return {
        "state": step.state_dict,
        "before": r.state,
        "buffer": step.momentum_buffer,
        "cursor": cursor,
        "label": r.label,
        "lr": r.lr,
        "momentum": r.momentum,
        "batch_size": len(images),
        "loss_before": step.loss_before,
        "loss_after": step.loss_after,
        "image_loss_before": image_before,
        "image_loss_after": image_after,
        "probs_before": probs_before,
        "probs_after": probs_after,
        "weight": r.weight,
        "shares": None if shares is None else shares.per_image,
        "share_mean": None if shares is None else shares.gradient,
        "seconds": time.perf_counter() - start,
    }
