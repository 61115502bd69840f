"""Looking inside a model: the layer table, size-mismatch diagnosis and convolution costs."""

from .cost import ConvCost, OneByOneSaving, one_by_one_saving
from .failure import ForwardError, explain_forward_failure
from .table import LayerRow, LayerTable, Mismatch, add_receptive_fields, inspect_model

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
