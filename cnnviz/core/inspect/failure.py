"""One explanation of a failed forward pass for every place that runs a model: training, the
Draw page's prediction and opening a model file."""

from __future__ import annotations

from torch import nn


class ForwardError(RuntimeError):
    """A model's forward pass failed; the message is the diagnosis (which layer, what it
    expected, what it got, where that came from, the fix)."""


def explain_forward_failure(model: nn.Module, input_shape, exc: BaseException) -> str:
    """The layer table's diagnosis of why ``model`` fails on ``input_shape`` (C, H, W) inputs
    — for the lecture's broken net: "fc (Linear) expects 100 input features but gets 320: …
    Use nn.Linear(320, 10)." — or ``TypeName: text`` of ``exc`` when inspection finds no
    mismatch (the model runs on one zero image, so the failure lay elsewhere)."""
    raw = f"{type(exc).__name__}: {exc}"
    try:
        from .table import inspect_model

        mismatch = inspect_model(model, input_shape).mismatch
    except Exception:  # noqa: BLE001 - a diagnosis that fails itself must not hide the error
        return raw
    return mismatch.message if mismatch is not None else raw
