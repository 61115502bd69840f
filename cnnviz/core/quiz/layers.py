"""A layer's geometry from its PyTorch constructor keywords, axis by axis, with the project's
size arithmetic (cnnviz.core.ops): output sizes, channels, parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cnnviz.core.ops.conv import resolve_padding
from cnnviz.core.ops.counts import conv_parameters, linear_parameters
from cnnviz.core.ops.params import pair
from cnnviz.core.ops.sizes import OutputSize, output_size
from cnnviz.core.ops.transposed import TransposedSize, transposed_output_size

CONV, TRANSPOSED, MAX_POOL, AVG_POOL, LINEAR = (
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool2d",
    "Linear",
)
WINDOW_LAYERS = (CONV, TRANSPOSED, MAX_POOL, AVG_POOL)


@dataclass(frozen=True)
class Axis:
    """One axis of a window layer: what its output length depends on."""

    kernel: int
    stride: int
    pad_before: int
    pad_after: int
    dilation: int = 1
    ceil_mode: bool = False
    output_padding: int = 0


def _pool_stride(kwargs) -> tuple[int, int]:
    stride = kwargs.get("stride")
    if stride is None or stride == [] or stride == ():
        return pair(kwargs["kernel_size"], "kernel_size")
    return pair(stride, "stride")


def axes(layer: str, kwargs: dict) -> tuple[Axis, Axis]:
    """(height axis, width axis) of a Conv2d, ConvTranspose2d, MaxPool2d or AvgPool2d."""
    kernel = pair(kwargs["kernel_size"], "kernel_size")
    dilation = pair(kwargs.get("dilation", 1), "dilation")
    if layer in (MAX_POOL, AVG_POOL):
        stride = _pool_stride(kwargs)
        pads = pair(kwargs.get("padding", 0), "padding")
        ceil = bool(kwargs.get("ceil_mode", False))
        return tuple(  # type: ignore[return-value]
            Axis(k, s, p, p, d, ceil) for k, s, p, d in zip(kernel, stride, pads, dilation)
        )
    stride = pair(kwargs.get("stride", 1), "stride")
    if layer == CONV:
        top, bottom, left, right = resolve_padding(
            kwargs.get("padding", 0), kernel, stride, dilation
        )
        return (
            Axis(kernel[0], stride[0], top, bottom, dilation[0]),
            Axis(kernel[1], stride[1], left, right, dilation[1]),
        )
    if layer == TRANSPOSED:
        pads = pair(kwargs.get("padding", 0), "padding")
        extra = pair(kwargs.get("output_padding", 0), "output_padding")
        return tuple(  # type: ignore[return-value]
            Axis(k, s, p, p, d, False, op)
            for k, s, p, d, op in zip(kernel, stride, pads, dilation, extra)
        )
    raise ValueError(f"{layer!r} is not a window layer")


def axis_size(layer: str, axis: Axis, n: int) -> OutputSize | TransposedSize:
    """The output length along one axis, with its formula (``ValueError`` where torch
    rejects the settings)."""
    if layer == TRANSPOSED:
        return transposed_output_size(
            n, axis.kernel, axis.stride, axis.pad_before, axis.output_padding, axis.dilation
        )
    if layer in (MAX_POOL, AVG_POOL) and axis.pad_before > axis.kernel // 2:
        raise ValueError(
            f"padding {axis.pad_before} must be at most half the kernel ({axis.kernel})"
        )
    return output_size(
        n,
        axis.kernel,
        axis.stride,
        (axis.pad_before, axis.pad_after),
        axis.dilation,
        axis.ceil_mode,
    )


def sizes_with(layer: str, kwargs: dict, input_shape, **change) -> tuple[int, int] | None:
    """(H, W) out with some of the axes' terms changed (a mistake's arithmetic); None where
    that arithmetic gives no valid size."""
    _, h, w = input_shape
    try:
        return tuple(  # type: ignore[return-value]
            axis_size(layer, replace(a, **change), n).size
            for a, n in zip(axes(layer, kwargs), (h, w))
        )
    except ValueError:
        return None


def out_channels(layer: str, kwargs: dict, input_shape) -> int:
    if layer in (CONV, TRANSPOSED):
        return int(kwargs["out_channels"])
    if layer == LINEAR:
        return int(kwargs["out_features"])
    return int(input_shape[0])


def output_shape(layer: str, kwargs: dict, input_shape) -> tuple[int, int, int]:
    """[C, H, W] out of a window layer for a [C, H, W] input."""
    if layer in (CONV, TRANSPOSED) and int(kwargs["in_channels"]) != int(input_shape[0]):
        raise ValueError(
            f"the layer takes {kwargs['in_channels']} input channel(s), the input has "
            f"{input_shape[0]}"
        )
    if layer in (MAX_POOL, AVG_POOL):
        check_pool(layer, kwargs)
    _, h, w = input_shape
    sizes = [axis_size(layer, a, n).size for a, n in zip(axes(layer, kwargs), (h, w))]
    return out_channels(layer, kwargs, input_shape), sizes[0], sizes[1]


def check_pool(layer: str, kwargs: dict) -> None:
    """Rules torch adds for pooling (``ValueError``)."""
    if layer == AVG_POOL and "dilation" in kwargs:
        raise ValueError("AvgPool2d takes no dilation")


def groups(kwargs: dict) -> int:
    return int(kwargs.get("groups", 1))


def parameters(layer: str, kwargs: dict) -> tuple[int, int]:
    """(weights, biases) of a Conv2d, ConvTranspose2d or Linear (cnnviz.core.ops.counts)."""
    bias = bool(kwargs.get("bias", True))
    if layer == LINEAR:
        return linear_parameters(kwargs["in_features"], kwargs["out_features"], bias)
    kernel = pair(kwargs["kernel_size"], "kernel_size")
    return conv_parameters(
        kwargs["in_channels"],
        kwargs["out_channels"],
        kernel,
        groups(kwargs),
        bias,
        transposed=layer == TRANSPOSED,
    )
