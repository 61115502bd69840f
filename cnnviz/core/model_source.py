"""ModelSource: how to build a model, handed between threads instead of the model itself.

A torch module belongs to one thread for its whole life (see DESIGN.md, "one owner per
model"). A page that wants the Draw page's model, a checkpoint or a snapshot of the training
run passes a :class:`ModelSource` to the thread that will use the model; that thread calls
:meth:`ModelSource.make` and owns what it gets. A source holds only plain data (a path, or
weights copied by their owner at a safe point), so it can cross threads freely and be shared
by several pages: the compute service builds one module per source object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, eq=False)  # compared by identity: one source, one built model
class ModelSource:
    """``build()`` returns ``(model, input_contract)``; called in the thread that will own the
    model. ``description`` says what it is, for the page ("the default model")."""

    description: str
    build: Callable[[], tuple[Any, Any]]

    def make(self) -> tuple[Any, Any]:
        """A new module in eval mode, and what it expects (its :class:`InputContract`)."""
        model, info = self.build()
        return model.eval(), info


@functools.cache  # one source: the pages that use the default model share one module
def default_source() -> ModelSource:
    """The shipped ``simple`` model trained on the bundled MNIST."""

    def build():
        from cnnviz.core.inference import MNIST_INFO, load_default_model

        return load_default_model(), MNIST_INFO

    return ModelSource("the default model", build)


def checkpoint_source(path, description: str | None = None) -> ModelSource:
    """A checkpoint file of the zoo's models (any dataset); read when the model is built."""
    path = Path(path)

    def build():
        from cnnviz.core.inference import load_classifier

        return load_classifier(path)

    return ModelSource(description or f"the checkpoint {path}", build)


def weights_source(factory: Callable[[], Any], state: dict, info, description: str) -> ModelSource:
    """A fresh module from ``factory()`` given the weights ``state``: a state_dict whose
    tensors the model's owner copied (``copy_state``) at a safe point, never shared with a
    model in use."""

    def build():
        model = factory()
        model.load_state_dict(state)
        return model, info

    return ModelSource(description, build)


def copy_state(model) -> dict:
    """The model's weights and buffers, copied to the CPU: what its owner hands to other
    threads (in the owner's thread, between two uses of the model)."""
    import torch

    with torch.no_grad():
        return {
            name: value.detach().to("cpu", copy=True) for name, value in model.state_dict().items()
        }


def opened_source(name: str, path, state: dict) -> ModelSource:
    """The model opened from a file as ``name`` with the weights ``state`` read from ``path``
    (a state_dict read in another thread, used only to build this model); built, and the
    weights fitted, in the thread that will own it, where weights that do not fit say why."""

    def build():
        from cnnviz.core.models import fit_weights
        from cnnviz.core.models import info as zoo_entry
        from cnnviz.core.models.weights import input_contract

        opened = zoo_entry(name).opened
        return fit_weights(opened.build(), state, name), input_contract(opened)

    return ModelSource(f"{name} with the weights of {path}", build)
