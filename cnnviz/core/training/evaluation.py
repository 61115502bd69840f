"""A model on a test set: mean loss, correct count, accuracy and confusion matrix."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.core.data.mnist import TensorDataset


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    data: TensorDataset,
    batch_size: int,
    layout: Callable[[torch.Tensor], torch.Tensor] = lambda x: x,
    between: Callable[[], None] | None = None,
) -> dict:
    """Test loss (mean cross-entropy), correct count, accuracy and confusion matrix of
    ``model`` on ``data``; ``layout`` puts a batch in the model's memory layout;
    ``between()`` is called before every test batch (it may raise to cut the test short)."""
    model.eval()
    k = len(data.class_names)
    device = data.images.device
    total_loss = torch.zeros((), device=device)
    confusion = torch.zeros(k * k, dtype=torch.int64, device=device)
    for start in range(0, len(data), batch_size):
        if between is not None:
            between()
        images = data.images[start : start + batch_size]
        labels = data.labels[start : start + batch_size]
        out = model(layout(data.normalise(images))).float()
        total_loss += F.cross_entropy(out, labels, reduction="sum")
        confusion += torch.bincount(labels * k + out.argmax(1), minlength=k * k)
    matrix = confusion.view(k, k).cpu().numpy()
    correct = int(np.trace(matrix))
    total = len(data)
    return {
        "test_loss": float(total_loss) / total,
        "correct": correct,
        "total": total,
        "accuracy": correct / total,
        "confusion": matrix,
    }
