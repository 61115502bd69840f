"""What a network will say about an image: a question built from its probabilities, answered
with a class's name or its index."""

from __future__ import annotations

import numpy as np

from .question import Question

SHOWN = 3  # the probabilities the explanation gives


def class_name(class_names, index: int) -> str:
    """The name of class ``index`` (its number where the names run out)."""
    return str(class_names[index]) if index < len(class_names) else str(index)


def percent(p: float) -> str:
    return f"{100 * p:.1f}%"


def class_question(probabilities, class_names=(), topic: str = "") -> Question:
    """What will the network say this image is? ``probabilities``: one per class (the
    network's softmax); ``class_names``: their names (a class without one is named by its
    index). The answer is the predicted class's name; :func:`~cnnviz.core.quiz.check` takes
    that name (any case) or the class's index, as the network numbers its outputs (from 0).
    The explanation gives the top probabilities."""
    probs = np.asarray(probabilities, dtype=np.float64).ravel()
    if probs.size == 0 or not np.all(np.isfinite(probs)):
        raise ValueError("a class question needs one finite probability per class")
    names = [class_name(class_names, i) for i in range(probs.size)]
    order = [int(i) for i in np.argsort(-probs, kind="stable")]
    top = order[0]
    said = f"The network says {names[top]}: {percent(probs[top])}"
    after = [f"{names[i]}: {percent(probs[i])}" for i in order[1:SHOWN]]
    if after:
        said += f" (next, {'; '.join(after)})"
    return Question(
        prompt="What will the network say this drawing is?",
        settings={
            "probabilities": probs.tolist(),
            "class_names": names,
            "class_index": top,
        },
        asks="class",
        answer=names[top],
        explanation=f"{said}.",
        topic=topic,
    )
