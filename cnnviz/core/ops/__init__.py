"""Convolution and pooling arithmetic in numpy, step by step, with torch's semantics."""

from .activation import ActivatedPlan, ActivationStep, relu
from .backward import (
    ConvBackwardPlan,
    GradStep,
    PoolBackwardPlan,
    RouteStep,
    SgdUpdate,
    conv2d_backward,
    conv2d_backward_steps,
    linear_loss,
    pool2d_backward,
    pool2d_backward_steps,
    sgd_step,
)
from .code import CodeLine, conv_code, pool_code, transposed_code
from .conv import ConvPlan, ConvStep, conv2d, conv2d_steps
from .grouped import GroupedConvPlan
from .numbers import format_fixed, format_number
from .pool import PoolPlan, PoolStep, pool2d, pool2d_steps
from .sizes import OutputSize, output_size
from .transposed import (
    ScatterStep,
    TransposedConvPlan,
    TransposedSize,
    ZeroInsertedConv,
    conv_transpose2d,
    conv_transpose2d_conv_steps,
    conv_transpose2d_steps,
    transposed_output_size,
)

__all__ = [
    "ActivatedPlan",
    "ActivationStep",
    "CodeLine",
    "ConvBackwardPlan",
    "ConvPlan",
    "ConvStep",
    "GradStep",
    "GroupedConvPlan",
    "OutputSize",
    "PoolBackwardPlan",
    "PoolPlan",
    "PoolStep",
    "RouteStep",
    "ScatterStep",
    "SgdUpdate",
    "TransposedConvPlan",
    "TransposedSize",
    "ZeroInsertedConv",
    "conv2d",
    "conv2d_backward",
    "conv2d_backward_steps",
    "conv2d_steps",
    "conv_code",
    "conv_transpose2d",
    "conv_transpose2d_conv_steps",
    "conv_transpose2d_steps",
    "format_fixed",
    "format_number",
    "linear_loss",
    "output_size",
    "pool2d",
    "pool2d_backward",
    "pool2d_backward_steps",
    "pool2d_steps",
    "pool_code",
    "relu",
    "sgd_step",
    "transposed_code",
    "transposed_output_size",
]
