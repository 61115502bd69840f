"""Looking inside a model: the layer table, size-mismatch diagnosis and convolution costs."""

from .cost import ConvCost, OneByOneSaving, one_by_one_saving
from .table import LayerRow, LayerTable, Mismatch, inspect_model

__all__ = ["ConvCost", "LayerRow", "LayerTable", "Mismatch", "OneByOneSaving",
           "inspect_model", "one_by_one_saving"]
