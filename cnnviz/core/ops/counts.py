"""What a layer costs: its parameters and its multiply-adds for one image, from the layer's
sizes alone (the one implementation the Grouped page's plan and the quiz's answers share)."""

from __future__ import annotations


def filter_size(c_in: int, c_out: int, kernel, groups: int = 1, transposed: bool = False) -> int:
    """The weights one filter holds: ``C_in/groups·kh·kw`` for a Conv2d (its weight is
    ``[C_out, C_in/groups, kh, kw]``), ``C_out/groups·kh·kw`` for a ConvTranspose2d (its
    weight is ``[C_in, C_out/groups, kh, kw]``); ``ValueError`` where ``groups`` does not
    divide both channel counts."""
    c_in, c_out, groups = int(c_in), int(c_out), int(groups)
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(f"groups {groups} must divide {c_in} and {c_out}")
    kh, kw = (int(k) for k in kernel)
    return (c_out if transposed else c_in) // groups * kh * kw


def conv_parameters(
    c_in: int, c_out: int, kernel, groups: int = 1, bias: bool = True, transposed: bool = False
) -> tuple[int, int]:
    """(weights, biases) of a Conv2d (or, ``transposed``, a ConvTranspose2d): one filter per
    output channel (per input channel when transposed), one bias per output channel."""
    filters = int(c_in) if transposed else int(c_out)
    weights = filters * filter_size(c_in, c_out, kernel, groups, transposed)
    return weights, int(c_out) if bias else 0


def conv_multiply_adds(
    c_in: int, c_out: int, kernel, cells: int, groups: int = 1, transposed: bool = False
) -> int:
    """One multiply-add per weight of a filter per cell: ``cells`` counts the output's cells
    ``C_out·Ho·Wo`` of a Conv2d, the input's cells ``C_in·H·W`` of a ConvTranspose2d (each
    input cell scatters a copy of its kernel)."""
    return int(cells) * filter_size(c_in, c_out, kernel, groups, transposed)


def linear_parameters(in_features: int, out_features: int, bias: bool = True) -> tuple[int, int]:
    """(weights, biases) of a Linear layer."""
    return int(in_features) * int(out_features), int(out_features) if bias else 0


def linear_multiply_adds(in_features: int, out_features: int) -> int:
    """One multiply-add per weight: each output reads every input once."""
    return int(in_features) * int(out_features)
