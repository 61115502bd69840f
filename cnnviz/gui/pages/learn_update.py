"""What the One step page says about a step it took, without Qt."""

from __future__ import annotations

from cnnviz.core.explain import num


def _went(before: float, after: float) -> str:
    return f"went from {before:.3g} to {after:.3g}" if before != after else f"stayed {after:.3g}"


def update_text(result: dict) -> str:
    """The loss on the image, on its batch and on the 1,000 test images (once measured), before
    → after, the label's probability, and the chosen weight's mean gradient."""
    label = result["label"]
    p0, p1 = (100 * float(result[k][label]) for k in ("probs_before", "probs_after"))
    lines = [
        f"Step {result['step']} (lr {result['lr']:g}, momentum {result['momentum']:g}): the "
        f"loss on this image {_went(result['image_loss_before'], result['image_loss_after'])} "
        f"(p of {label}: {p0:.1f}% → {p1:.1f}%).",
        f"On its batch of {result['batch_size']}: "
        f"{_went(result['loss_before'], result['loss_after'])}.",
    ]
    test = result.get("test")  # ((loss, accuracy) before, after), measured after the step
    if test is None:
        lines.append("On 1,000 test images: measuring…")
    else:
        (l0, a0), (l1, a1) = test
        lines.append(f"On 1,000 test images: {_went(l0, l1)} (accuracy {a0:.1f}% → {a1:.1f}%).")
    weight = result.get("weight")
    if weight is not None and result.get("shares") is not None:
        name, index = weight
        where = ", ".join(str(i) for i in index)
        lines.append(
            f"{name}[{where}]: the step follows the batch's mean gradient "
            f"{num(result['share_mean'])}; this image alone gave {num(result['shares'][0])}."
        )
    return " ".join(lines)
