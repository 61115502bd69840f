"""Weights trained elsewhere, for a model opened from a file.

A script saves its weights as a plain ``state_dict`` (``torch.save(model.state_dict(), ...)``),
inside a checkpoint dict (``{"model_state_dict": ...}``), or as the whole pickled model
(``torch.save(model, ...)``). :func:`read_weights` reads them with
``torch.load(weights_only=True)`` first, which runs no code; a whole pickled model cannot be
read that way and raises :class:`UnsafeWeightsError`, so that the caller can ask the user
before reading it with ``allow_pickle=True`` (unpickling can run any code). :func:`fit_weights`
puts them on a model, or names the first layer whose shape differs.
"""

from __future__ import annotations

import pickle
import re
import sys
import types
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

CONTAINER_KEYS = ("state_dict", "model_state_dict", "model_state", "model", "net", "weights")


class WeightsError(ValueError):
    """Weights that cannot be used on the model, with the reason."""


class UnsafeWeightsError(WeightsError):
    """The file holds more than weights (a whole pickled model): reading it runs its code."""


def read_weights(path, module: types.ModuleType | None = None, allow_pickle: bool = False):
    """The ``state_dict`` held by ``path`` (a plain one, one inside a checkpoint dict, or that
    of a whole pickled model). ``module``: the opened file's module, where the classes of a
    pickled model saved from the script (``__main__.Net``) are found."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path.name}: no such file")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", str(exc))
        if found is None:  # not a pickle at all, or a broken one
            raise WeightsError(
                f"{path.name} is not a readable weights file: {_last_words(exc)}"
            ) from None
        if not allow_pickle:
            raise UnsafeWeightsError(
                f"{path.name} is not plain weights (a state_dict): it holds a pickled "
                f"{found.group(1)} object, and reading that runs code from the file"
            ) from None
        data = _load_pickled(path, module)
    except Exception as exc:  # a truncated, empty or foreign file
        raise WeightsError(
            f"{path.name} is not a readable weights file: {str(exc).splitlines()[0][:160]}"
        ) from None
    return state_dict_of(data, path.name)


def _last_words(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip() and "torch.load" not in line]
    return (lines[-1] if lines else type(exc).__name__).strip()[:160]


def _load_pickled(path: Path, module: types.ModuleType | None):
    try:
        return torch.load(
            path, map_location="cpu", weights_only=False, pickle_module=_pickle_for(module)
        )
    except Exception as exc:
        raise WeightsError(
            f"{path.name} could not be unpickled: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:160]}"
        ) from None


def _pickle_for(module: types.ModuleType | None):
    """A pickle module whose classes of ``__main__`` (a script run as a program) and of the
    script's own name come from the opened file's module."""
    if module is None:
        return pickle
    stem = Path(getattr(module, "__file__", "") or "").stem

    class Unpickler(pickle.Unpickler):
        def find_class(self, module_name, name):
            if module_name in ("__main__", stem) and hasattr(module, name):
                return getattr(module, name)
            return super().find_class(module_name, name)

    return types.SimpleNamespace(__name__="pickle", Unpickler=Unpickler, load=pickle.load)


def state_dict_of(data, name: str = "the file") -> dict[str, torch.Tensor]:
    """The weights in what ``torch.load`` returned (``module.`` prefixes of DataParallel
    taken off)."""
    if isinstance(data, nn.Module):
        data = data.state_dict()
    if isinstance(data, Mapping):
        if data and all(isinstance(v, torch.Tensor) for v in data.values()):
            return {_strip(str(k)): v for k, v in data.items()}
        for key in CONTAINER_KEYS:
            if key in data:
                return state_dict_of(data[key], name)
    raise WeightsError(
        f"{name} holds no model weights (a state_dict, a checkpoint dict with one, or a "
        "whole model)"
    )


def _strip(key: str) -> str:
    return key[len("module.") :] if key.startswith("module.") else key


def first_difference(model: nn.Module, state: Mapping[str, torch.Tensor]) -> str | None:
    """The first layer (in the model's order) whose weights differ from ``state`` in name or
    shape, said in words; None when they fit."""
    own = model.state_dict()
    for key, tensor in own.items():
        layer = key.rsplit(".", 1)[0]
        if key not in state:
            return f"layer {layer}: {key} is not in the file"
        theirs = tuple(state[key].shape)
        if theirs != tuple(tensor.shape):
            return (
                f"layer {layer}: {key} is {_shape(tuple(tensor.shape))} in "
                f"{type(model).__name__} but {_shape(theirs)} in the file"
            )
    extra = [k for k in state if k not in own]
    if extra:
        return (
            f"layer {extra[0].rsplit('.', 1)[0]}: the file has {extra[0]}, which "
            f"{type(model).__name__} does not"
        )
    return None


def _shape(shape: tuple) -> str:
    return "×".join(map(str, shape)) or "a scalar"


def fit_weights(model: nn.Module, state: Mapping[str, torch.Tensor], name: str = "") -> nn.Module:
    """Load ``state`` onto ``model`` (in place; returned); a mismatch raises
    :class:`WeightsError` naming the first layer that differs, and ``model`` is unchanged."""
    difference = first_difference(model, state)
    if difference:
        raise WeightsError(f"the weights do not fit {name or type(model).__name__}: {difference}")
    model.load_state_dict(dict(state))
    return model


def module_of(user_model) -> types.ModuleType | None:
    """The module an opened file's model was defined in (for unpickling its classes)."""
    return sys.modules.get(getattr(user_model.factory, "__module__", ""))


def model_with_weights(user_model, path, allow_pickle: bool = False) -> nn.Module:
    """A fresh model of an opened file with the weights of ``path`` (in eval mode)."""
    state = read_weights(path, module_of(user_model), allow_pickle)
    return fit_weights(user_model.build(), state, user_model.name).eval()


def input_contract(user_model):
    """What an opened file's model expects and answers, for drawing: the input it was
    checked on, its classes (digits for a 10-class 1×28×28 model) and the normalisation the
    script trains with (MNIST's when the script does not say)."""
    from cnnviz.core.data import MNIST_MEAN, MNIST_STD
    from cnnviz.core.data.mnist import CLASS_NAMES
    from cnnviz.core.inference import InputContract

    shape = tuple(user_model.input_shape)
    mnist_like = shape == (1, 28, 28) and user_model.outputs == 10
    settings = user_model.settings
    return InputContract(
        shape,
        CLASS_NAMES if mnist_like else tuple(str(i) for i in range(user_model.outputs)),
        MNIST_MEAN if settings.mean is None else settings.mean,
        MNIST_STD if settings.std is None else settings.std,
        "MNIST" if mnist_like else Path(user_model.path).name,
    )
