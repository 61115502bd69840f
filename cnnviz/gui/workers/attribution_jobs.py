"""The jobs of the Draw page's panels and of the confusion gallery, run on the compute service
(:mod:`cnnviz.gui.workers.compute_service`): plain functions of ``(model, info, ...)`` that
return plain numpy data. The jobs over a whole test set are generators: they yield ``(done,
total)`` between slices (the service answers a stroke meanwhile) and return their result."""

from __future__ import annotations

import numpy as np

from cnnviz.core import attribution as attr
from cnnviz.core.inference import predict

METHODS = tuple(m.label for m in attr.METHODS)  # the Why? panel's menu: the core's registry
# the slices of the long jobs: a stroke waits for one slice at most. Measured on the compute
# thread (1 PyTorch thread) on 2 busy cores: FGSM of 25 images 15 ms (250: 151 ms), a forward
# pass of 100 images for the top patches 10 ms (500: 73 ms), of 100 for a confusion cell
# about 14 ms; a prediction 0.7 ms
ROBUSTNESS_BATCH = 25
PATCHES_BATCH = 100
CONFUSION_BATCH = 100
PICTURE_STEPS = 10  # steps of gradient ascent per slice of a filter's picture


def attribution_map(
    model,
    info,
    image: np.ndarray,
    method: str,
    target: int | None,
    layer: str,
    window: int,
    stride: int,
) -> dict:
    """The map of ``method`` for ``target`` (None: the predicted class), with the clean
    probabilities and, for occlusion, the window positions."""
    probabilities, _ = predict(model, image, [], info)
    predicted = int(np.argmax(probabilities))
    chosen = predicted if target is None else target
    result = {
        "method": method,
        "target": chosen,
        "predicted": predicted,
        "probabilities": probabilities,
        "image": image,
    }
    chosen_method = attr.by_label(method)  # ValueError naming the methods for another
    options = {"steps": 50, "window": window, "stride": stride, "layer": layer or None}
    values = chosen_method.compute(model, image, chosen, info, **options)
    if chosen_method.per_window:
        _, h, w = info.input_shape
        result.update(
            positions=attr.occlusion_positions(h, w, window, stride),
            window=window,
            stride=stride,
        )
    result["map"] = values
    return result


def adversarial_digit(
    model,
    info,
    image: np.ndarray,
    eps: float,
    target: int | None,
    layer: str,
    steps: int = 40,
) -> dict:
    """FGSM away from the predicted class (``target`` None) or targeted PGD towards
    ``target``: the adversarial image, the perturbation, its probabilities and the feature
    maps of ``layer``."""
    clean, _ = predict(model, image, [], info)
    predicted = int(np.argmax(clean))
    if target is None:
        adversarial = attr.fgsm(model, image, predicted, eps, info)
    else:
        adversarial = attr.pgd(model, image, target, eps, steps, info)
    probabilities, activations = predict(model, adversarial, [layer] if layer else [], info)
    return {
        "eps": eps,
        "target": target,
        "predicted": predicted,
        "clean": clean,
        "adversarial": adversarial,
        "perturbation": adversarial - np.asarray(image, np.float32),
        "probabilities": probabilities,
        "maps": activations.get(layer),
        "layer": layer,
    }


def accuracy_against_eps(model, info, test_set, limit: int, eps_values):
    """Test accuracy under FGSM at each ε on the first ``limit`` images of ``test_set()``
    (read here, in the compute thread): a long job, one slice per batch and ε."""
    data = test_set()
    if data is None or len(data) == 0:
        raise ValueError(f"no test images here fit this model ({info.describe()})")
    n = min(int(limit), len(data))
    result = yield from attr.fgsm_robustness_slices(
        model, data.images[:n], data.labels[:n], eps_values, info, batch_size=ROBUSTNESS_BATCH
    )
    return {"eps": result.eps, "accuracy": result.accuracy, "fooled": result.fooled, "images": n}


def filter_views(
    model,
    info,
    test_set,
    layer: str,
    channel: int,
    need_patches: bool,
    need_picture: bool,
    steps: int = 150,
):
    """The top-9 test patches of every channel of ``layer`` (when ``need_patches``) and the
    activation-maximisation image of ``channel`` (``steps`` of gradient ascent, when
    ``need_picture``): a long job, one slice per batch of test images, then per
    PICTURE_STEPS steps of the picture."""
    images = None
    if need_patches:
        data = test_set()
        if data is None or len(data) == 0:
            raise ValueError(f"no test images here fit this model ({info.describe()})")
        images = data.images
    total = (len(images) if images is not None else 0) + (steps if need_picture else 0)
    result: dict = {"layer": layer, "channel": channel, "patches": None, "picture": None}
    done = 0
    if images is not None:
        slices = attr.top_patches_slices(model, images, layer, info, batch_size=PATCHES_BATCH)
        result["patches"] = yield from _reported(slices, 0, total)
        done = len(images)
    if need_picture:
        slices = attr.maximise_activation_slices(model, layer, channel, info, steps=steps)
        result["picture"] = yield from _reported(slices, done, total, every=PICTURE_STEPS)
    return result


def _reported(slices, before: int, total: int, every: int = 1):
    """Run ``slices`` (a computation in slices), yielding ``(before + done, total)`` after
    every ``every`` of its slices (a slice boundary each time); returns its result."""
    count = 0
    while True:
        try:
            done, _ = next(slices)
        except StopIteration as stop:
            return stop.value
        count += 1
        if count % every == 0:
            yield before + done, total


def confusion_cell(model, info, test_data, true: int, predicted: int, limit: int = 60):
    """The test images of class ``true`` that ``model`` classifies as ``predicted``, the
    surest first (at most ``limit``), with all their probabilities, and how many there are:
    a long job, one slice per CONFUSION_BATCH images."""
    import torch

    device = next(model.parameters()).device
    images, labels = test_data.images, test_data.labels
    chosen, chosen_probs = [], []
    for start in range(0, len(images), CONFUSION_BATCH):
        end = start + CONFUSION_BATCH
        with torch.no_grad():
            x = images[start:end].to(device).float() / 255.0
            probs = torch.softmax(model((x - info.mean) / info.std).float(), dim=1).cpu()
        y = labels[start:end].cpu()
        hit = (y == true) & (probs.argmax(1) == predicted)
        chosen.append(torch.nonzero(hit)[:, 0] + start)
        chosen_probs.append(probs[hit])
        yield min(end, len(images)), len(images)
    found = torch.cat(chosen)
    probabilities = torch.cat(chosen_probs)
    order = probabilities[:, predicted].argsort(descending=True)[:limit]
    indices = found[order]
    return {
        "true": true,
        "predicted": predicted,
        "count": len(found),
        "indices": indices.numpy(),
        "images": images[indices.to(images.device)].cpu().numpy(),
        "probabilities": probabilities[order].numpy(),
    }
