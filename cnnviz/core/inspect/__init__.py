"""Looking inside a model: the layer table, size-mismatch diagnosis and convolution costs.

The names load on first use, so that the torch-free cost arithmetic (``inspect.cost``, used
by the grid lessons) imports without torch: a lesson that needs no PyTorch must not import
it in the GUI thread while the background preload does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnnviz.core.lazy import lazy_names

from .cost import ConvCost, OneByOneSaving, one_by_one_saving

if TYPE_CHECKING:
    from .failure import ForwardError, explain_forward_failure
    from .table import LayerRow, LayerTable, Mismatch, add_receptive_fields, inspect_model

_LAZY = {
    "ForwardError": "failure",
    "explain_forward_failure": "failure",
    "LayerRow": "table",
    "LayerTable": "table",
    "Mismatch": "table",
    "add_receptive_fields": "table",
    "inspect_model": "table",
}

__all__ = [
    "add_receptive_fields",
    "ConvCost",
    "ForwardError",
    "LayerRow",
    "LayerTable",
    "Mismatch",
    "OneByOneSaving",
    "explain_forward_failure",
    "inspect_model",
    "one_by_one_saving",
]

__getattr__ = lazy_names(__name__, _LAZY, globals())
