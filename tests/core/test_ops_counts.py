"""cnnviz.core.ops.counts, the one count of a layer's parameters and multiply-adds (the
Grouped page's plan and the quiz's answers), against torch's parameters and FLOP counter."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.core.ops.counts import (
    conv_multiply_adds,
    conv_parameters,
    linear_multiply_adds,
    linear_parameters,
)


def _macs(module: nn.Module, shape) -> tuple[int, torch.Size]:
    """(multiply-adds, output shape) of one input of ``shape``, on the meta device."""
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        out = module(torch.zeros([1, *shape], device="meta"))
    return counter.get_total_flops() // 2, out.shape  # a multiply-add is two operations


@pytest.mark.parametrize("transposed", (False, True))
def test_a_convolutions_counts_are_torchs(transposed):
    layer = nn.ConvTranspose2d if transposed else nn.Conv2d
    for (c_in, c_out, groups), kernel, bias in itertools.product(
        ((3, 6, 1), (4, 8, 2), (6, 6, 6), (6, 3, 3)), ((1, 1), (3, 3), (2, 5)), (True, False)
    ):
        module = layer(c_in, c_out, kernel, stride=2, groups=groups, bias=bias, device="meta")
        want = sum(p.numel() for p in module.parameters())
        assert sum(conv_parameters(c_in, c_out, kernel, groups, bias, transposed)) == want
        shape = (c_in, 9, 7)
        macs, out = _macs(module, shape)
        cells = c_in * 9 * 7 if transposed else out[1:].numel()
        assert conv_multiply_adds(c_in, c_out, kernel, cells, groups, transposed) == macs


def test_a_linear_layers_counts_are_torchs():
    for bias in (True, False):
        module = nn.Linear(320, 50, bias=bias, device="meta")
        assert sum(linear_parameters(320, 50, bias)) == sum(p.numel() for p in module.parameters())
        assert linear_multiply_adds(320, 50) == _macs(module, (320,))[0] == 16_000


def test_groups_that_divide_no_channels_are_refused():
    with pytest.raises(ValueError, match="groups 4 must divide 6 and 8"):
        conv_parameters(6, 8, (3, 3), groups=4)
