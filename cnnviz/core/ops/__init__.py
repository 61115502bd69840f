"""Convolution and pooling arithmetic in numpy, step by step, with torch's semantics."""

from .conv import ConvPlan, ConvStep, conv2d, conv2d_steps
from .numbers import format_fixed, format_number
from .pool import PoolPlan, PoolStep, pool2d, pool2d_steps
from .sizes import OutputSize, output_size

__all__ = [
    "ConvPlan",
    "ConvStep",
    "OutputSize",
    "PoolPlan",
    "PoolStep",
    "conv2d",
    "conv2d_steps",
    "format_fixed",
    "format_number",
    "output_size",
    "pool2d",
    "pool2d_steps",
]
