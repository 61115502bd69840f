"""The jobs the Draw page's attribution and adversarial panels run in a ModelTaskThread:
plain functions of (model, info, control, ...) that return plain numpy data."""

from __future__ import annotations

import numpy as np

from cnnviz.core import attribution as attr
from cnnviz.core.inference import predict

METHODS = tuple(m.label for m in attr.METHODS)  # the Why? panel's menu: the core's registry


def attribution_map(
    model,
    info,
    control,
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
    control,
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


def accuracy_against_eps(model, info, control, test_set, limit: int, eps_values) -> dict:
    """Test accuracy under FGSM at each ε on the first ``limit`` images of ``test_set()``
    (read here, in the worker), with progress; ``{"stopped": True}`` when cancelled."""
    data = test_set()
    if data is None or len(data) == 0:
        raise ValueError(f"no test images here fit this model ({info.describe()})")
    n = min(int(limit), len(data))
    result = attr.fgsm_robustness(
        model,
        data.images[:n],
        data.labels[:n],
        eps_values,
        info,
        progress=control.progress,
        should_stop=control.should_stop,
    )
    if result is None:
        return {"stopped": True}
    return {"eps": result.eps, "accuracy": result.accuracy, "fooled": result.fooled, "images": n}


accuracy_against_eps.every_core = True  # thousands of images: see compute_threads.on_every_core


def filter_views(
    model,
    info,
    control,
    test_set,
    layer: str,
    channel: int,
    need_patches: bool,
    need_picture: bool,
    steps: int = 150,
) -> dict:
    """The top-9 test patches of every channel of ``layer`` (when ``need_patches``) and the
    activation-maximisation image of ``channel`` (``steps`` of gradient ascent, when
    ``need_picture``), with progress over both; ``{"stopped": True}`` when cancelled."""
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
        result["patches"] = attr.top_patches(
            model,
            images,
            layer,
            info,
            progress=lambda d, _t: control.progress(d, total),
            should_stop=control.should_stop,
        )
        if result["patches"] is None:
            return {"stopped": True, **result}
        done = len(images)
    if need_picture:
        result["picture"] = attr.maximise_activation(
            model,
            layer,
            channel,
            info,
            steps=steps,
            progress=lambda d, _t: control.progress(done + d, total),
            should_stop=control.should_stop,
        )
        if result["picture"] is None:
            return {"stopped": True, **result}
    return result


def confusion_cell(
    model, info, control, test_data, true: int, predicted: int, limit: int = 60
) -> dict:
    """The test images of class ``true`` that ``model`` classifies as ``predicted``, the
    surest first (at most ``limit``), with all their probabilities, and how many there are."""
    import torch

    device = next(model.parameters()).device
    images, labels = test_data.images, test_data.labels
    chosen, chosen_probs = [], []
    with torch.no_grad():
        model.eval()
        for start in range(0, len(images), 1000):
            if control.should_stop():
                return {"stopped": True}
            x = images[start : start + 1000].to(device).float() / 255.0
            probs = torch.softmax(model((x - info.mean) / info.std).float(), dim=1).cpu()
            y = labels[start : start + 1000].cpu()
            hit = (y == true) & (probs.argmax(1) == predicted)
            chosen.append(torch.nonzero(hit)[:, 0] + start)
            chosen_probs.append(probs[hit])
            control.progress(min(start + 1000, len(images)), len(images))
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
