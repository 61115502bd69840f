"""The Draw page's own jobs on the compute service: what a model is (its layers, size and
contract, as plain data, asked once per model) and its prediction of one drawing."""

from __future__ import annotations

import numpy as np
from torch import nn

from cnnviz.core.inference import predict


def describe_model(model, info) -> dict:
    """What the page shows and offers for ``model``: its class name and parameter count, its
    feature layers, Inception blocks (branch label, module) and convolutions (name → output
    channels), and its :class:`~cnnviz.core.inference.InputContract` ``info`` (plain data)."""
    from cnnviz.core.training.probe import feature_layers, inception_blocks

    return {
        "info": info,
        "name": type(model).__name__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "layers": feature_layers(model),
        "blocks": inception_blocks(model),
        "convs": {
            n: m.out_channels for n, m in model.named_modules() if n and isinstance(m, nn.Conv2d)
        },
    }


def prediction(model, info, image: np.ndarray, layers: list[str]) -> dict:
    """Class probabilities and the feature maps of ``layers`` for one image (``[C, H, W]``
    in [0, 1]); a model that does not fit the image raises ForwardError, saying why."""
    probabilities, activations = predict(model, image, list(layers), info)
    return {"probabilities": probabilities, "activations": activations, "image": image}
