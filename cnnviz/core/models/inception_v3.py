"""Exercise 10-2: the ideas of Inception v3, sized for 28×28 and 32×32 inputs.

- 5×5 factorised into two 3×3 convolutions (block A),
- n×n factorised into 1×n then n×1 (block B),
- grid-size reduction by parallel stride-2 convolution and pooling branches (Reduction),
- an optional auxiliary classifier on the middle of the network (training only).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ConvBN(nn.Module):
    """Conv → BatchNorm → ReLU, the unit every v3 branch is made of."""

    def __init__(self, c_in: int, c_out: int, kernel, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class InceptionV3A(nn.Module):
    """1×1 | 1×1→3×3 | 1×1→3×3→3×3 (a factorised 5×5) | avg pool→1×1."""

    diagram_kind = "inception"

    def __init__(self, c_in: int, width: int = 16):
        super().__init__()
        self.branch1x1 = ConvBN(c_in, width, 1)
        self.branch3x3_1 = ConvBN(c_in, width, 1)
        self.branch3x3_2 = ConvBN(width, width, 3, padding=1)
        self.branch5x5_1 = ConvBN(c_in, width, 1)
        self.branch5x5_2 = ConvBN(width, width, 3, padding=1)
        self.branch5x5_3 = ConvBN(width, width, 3, padding=1)
        self.branch_pool_avg = nn.AvgPool2d(3, stride=1, padding=1)
        self.branch_pool = ConvBN(c_in, width, 1)
        self.out_channels = 4 * width

    def diagram_branches(self):
        return [
            ("1×1", ["branch1x1"]),
            ("3×3", ["branch3x3_1", "branch3x3_2"]),
            ("5×5 as 3×3+3×3", ["branch5x5_1", "branch5x5_2", "branch5x5_3"]),
            ("pool", ["branch_pool_avg", "branch_pool"]),
        ]

    def forward(self, x):
        return torch.cat(
            [
                self.branch1x1(x),
                self.branch3x3_2(self.branch3x3_1(x)),
                self.branch5x5_3(self.branch5x5_2(self.branch5x5_1(x))),
                self.branch_pool(self.branch_pool_avg(x)),
            ],
            1,
        )


class InceptionV3B(nn.Module):
    """1×1 | 1×1→1×n→n×1 | 1×1→1×n→n×1→1×n→n×1 | avg pool→1×1 (n×n factorised)."""

    diagram_kind = "inception"

    def __init__(self, c_in: int, width: int = 32, n: int = 5):
        super().__init__()
        p = n // 2
        self.branch1x1 = ConvBN(c_in, width, 1)
        self.branch7_1 = ConvBN(c_in, width, 1)
        self.branch7_2 = ConvBN(width, width, (1, n), padding=(0, p))
        self.branch7_3 = ConvBN(width, width, (n, 1), padding=(p, 0))
        self.branch7dbl_1 = ConvBN(c_in, width, 1)
        self.branch7dbl_2 = ConvBN(width, width, (1, n), padding=(0, p))
        self.branch7dbl_3 = ConvBN(width, width, (n, 1), padding=(p, 0))
        self.branch7dbl_4 = ConvBN(width, width, (1, n), padding=(0, p))
        self.branch7dbl_5 = ConvBN(width, width, (n, 1), padding=(p, 0))
        self.branch_pool_avg = nn.AvgPool2d(3, stride=1, padding=1)
        self.branch_pool = ConvBN(c_in, width, 1)
        self.n = n
        self.out_channels = 4 * width

    def diagram_branches(self):
        n = self.n
        return [
            ("1×1", ["branch1x1"]),
            (f"1×{n}, {n}×1", ["branch7_1", "branch7_2", "branch7_3"]),
            (f"(1×{n}, {n}×1) twice", [f"branch7dbl_{i}" for i in range(1, 6)]),
            ("pool", ["branch_pool_avg", "branch_pool"]),
        ]

    def forward(self, x):
        b7 = self.branch7_3(self.branch7_2(self.branch7_1(x)))
        d = self.branch7dbl_1(x)
        for layer in (self.branch7dbl_2, self.branch7dbl_3, self.branch7dbl_4, self.branch7dbl_5):
            d = layer(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(self.branch_pool_avg(x))], 1)


class Reduction(nn.Module):
    """Halve the grid without a bottleneck: stride-2 3×3 conv | 1×1→3×3→stride-2 3×3 | max pool."""

    diagram_kind = "inception"

    def __init__(self, c_in: int, width: int):
        super().__init__()
        self.branch3x3 = ConvBN(c_in, width, 3, stride=2, padding=1)
        self.branch3x3dbl_1 = ConvBN(c_in, width // 2, 1)
        self.branch3x3dbl_2 = ConvBN(width // 2, width // 2, 3, padding=1)
        self.branch3x3dbl_3 = ConvBN(width // 2, width // 2, 3, stride=2, padding=1)
        self.branch_pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.out_channels = c_in + width + width // 2

    def diagram_branches(self):
        return [
            ("3×3 stride 2", ["branch3x3"]),
            ("3×3 double, stride 2", ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"]),
            ("max pool stride 2", ["branch_pool"]),
        ]

    def forward(self, x):
        d = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), d, self.branch_pool(x)], 1)


class AuxClassifier(nn.Module):
    """A small classifier on the middle of the network; its loss helps gradients flow."""

    def __init__(self, c_in: int, num_classes: int):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.conv = ConvBN(c_in, 64, 1)
        self.fc = nn.Linear(64 * 16, num_classes)

    def forward(self, x):
        return self.fc(self.conv(self.pool(x)).flatten(1))


class InceptionV3(nn.Module):
    """Stem → 2×A → Reduction → 2×B → Reduction → pool → fc (optional aux classifier).

    ``forward`` returns the main logits; while training with ``aux_logits`` the auxiliary
    logits are kept in ``self.aux_output`` for the training loop to add to the loss.
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        input_size: int = 28,
        aux_logits: bool = False,
    ):
        super().__init__()
        self.stem1 = ConvBN(in_channels, 32, 3, padding=1)
        self.stem2 = ConvBN(32, 48, 3, padding=1)
        self.mixed_a1 = InceptionV3A(48, 16)
        self.mixed_a2 = InceptionV3A(64, 16)
        self.reduce1 = Reduction(64, 64)
        c = self.reduce1.out_channels
        self.mixed_b1 = InceptionV3B(c, 32)
        self.mixed_b2 = InceptionV3B(128, 32)
        self.aux = AuxClassifier(128, num_classes) if aux_logits else None
        self.reduce2 = Reduction(128, 96)
        c = self.reduce2.out_channels
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(c, num_classes)
        self.aux_output = None

    def forward(self, x):
        x = self.stem2(self.stem1(x))
        x = self.reduce1(self.mixed_a2(self.mixed_a1(x)))
        x = self.mixed_b2(self.mixed_b1(x))
        self.aux_output = self.aux(x) if (self.aux is not None and self.training) else None
        x = self.reduce2(x)
        return self.fc(self.dropout(self.pool(x).flatten(1)))
