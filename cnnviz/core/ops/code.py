"""The PyTorch line for a plan: the layer or function call that gives the same numbers, and
the shapes it takes and makes (a batch of one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeLine:
    """``code`` is one Python expression (``nn.Conv2d(…)`` or ``F.max_pool2d(x, …)``)."""

    code: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]

    def shapes(self) -> str:
        return f"{list(self.input_shape)} → {list(self.output_shape)}"

    def text(self) -> str:
        """The line to copy: the code and, as a comment, the shapes."""
        return f"{self.code}  # {self.shapes()}"


def _arg(value) -> str:
    if isinstance(value, str):
        return repr(value)
    h, w = value
    return str(h) if h == w else f"({h}, {w})"


def _shape(grid) -> tuple[int, ...]:
    return (1,) + tuple(int(v) for v in grid.shape)


def conv_code(
    plan, padding=None, groups: int = 1, bias: bool = True, relu: bool = False
) -> CodeLine:
    """``nn.Conv2d(C_in, C_out, kernel_size=…, stride=…, padding=…)`` for a ConvPlan or a
    GroupedConvPlan; ``padding`` as the user gave it ("same", "valid" or a pair), else the
    plan's (symmetric) amounts; ``relu`` wraps it as ``nn.Sequential(…, nn.ReLU())``."""
    weight = plan.weight
    c_out = weight.shape[0] if weight.ndim == 4 else 1
    kernel = weight.shape[-2:]
    if padding is None:
        top, _, left, _ = plan.pads
        padding = (top, left)
    args = [
        str(plan.input.shape[0]),
        str(c_out),
        f"kernel_size={_arg(kernel)}",
        f"stride={_arg(plan.stride)}",
        f"padding={_arg(padding)}",
    ]
    if plan.dilation != (1, 1):
        args.append(f"dilation={_arg(plan.dilation)}")
    if groups != 1:
        args.append(f"groups={groups}")
    if not bias:
        args.append("bias=False")
    if plan.padding_mode != "zeros":
        args.append(f"padding_mode={plan.padding_mode!r}")
    out = plan.output if plan.output.ndim == 3 else plan.output[None]
    code = f"nn.Conv2d({', '.join(args)})"
    if relu:
        code = f"nn.Sequential({code}, nn.ReLU())"
    return CodeLine(code, _shape(plan.input), _shape(out))


def pool_code(plan) -> CodeLine:
    """``F.max_pool2d(x, 2, stride=2)`` / ``F.avg_pool2d(x, 3, stride=1, padding=1, …)``."""
    args = ["x", _arg(plan.kernel), f"stride={_arg(plan.stride)}"]
    if plan.padding != (0, 0):
        args.append(f"padding={_arg(plan.padding)}")
    if plan.kind == "max" and plan.dilation != (1, 1):
        args.append(f"dilation={_arg(plan.dilation)}")
    if plan.ceil_mode:
        args.append("ceil_mode=True")
    if plan.kind == "avg" and not plan.count_include_pad:
        args.append("count_include_pad=False")
    return CodeLine(
        f"F.{plan.kind}_pool2d({', '.join(args)})", _shape(plan.input), _shape(plan.output)
    )


def transposed_code(plan, bias: bool = True) -> CodeLine:
    """``nn.ConvTranspose2d(C_in, C_out, kernel_size=…, stride=…, padding=…, …)``."""
    c_in, c_out, kh, kw = plan.weight.shape
    args = [
        str(c_in),
        str(c_out),
        f"kernel_size={_arg((kh, kw))}",
        f"stride={_arg(plan.stride)}",
        f"padding={_arg(plan.padding)}",
    ]
    if plan.output_padding != (0, 0):
        args.append(f"output_padding={_arg(plan.output_padding)}")
    if plan.dilation != (1, 1):
        args.append(f"dilation={_arg(plan.dilation)}")
    if not bias:
        args.append("bias=False")
    return CodeLine(
        f"nn.ConvTranspose2d({', '.join(args)})", _shape(plan.input), _shape(plan.output)
    )
