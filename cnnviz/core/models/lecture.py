"""The lecture's networks, exactly as on the slides (sizes adapted only where hard-coded)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _after_conv_pool(size: int) -> int:
    """Side of a map after a 5×5 convolution (no padding) and 2×2 max pooling."""
    return (size - 4) // 2


class SimpleNet(nn.Module):
    """Lecture 10's Net: conv1 1→10 k5, conv2 10→20 k5, 2×2 max pooling, fc 320→10."""

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        input_size: int = 28,
        fc_in: int | None = None,
    ):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.mp = nn.MaxPool2d(2)
        side = _after_conv_pool(_after_conv_pool(input_size))
        self.fc = nn.Linear(fc_in if fc_in is not None else 20 * side * side, num_classes)

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))
        x = F.relu(self.mp(self.conv2(x)))
        x = x.reshape(in_size, -1)  # flatten the tensor (the lecture: x.view; reshape also
        # accepts channels_last maps)
        x = self.fc(x)
        return F.log_softmax(x, dim=1)


class InceptionA(nn.Module):
    """The lecture's Inception module: four branches concatenated to 16+24+24+24 = 88 channels."""

    diagram_kind = "inception"

    def __init__(self, in_channels: int):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)

        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)

        self.branch3x3dbl_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3dbl_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

        self.branch_pool_avg = nn.AvgPool2d(kernel_size=3, stride=1, padding=1)
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    # (label, modules in order) for the diagram and the branch views
    def diagram_branches(self):
        return [
            ("1×1", ["branch1x1"]),
            ("5×5", ["branch5x5_1", "branch5x5_2"]),
            ("3×3 double", ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"]),
            ("pool", ["branch_pool_avg", "branch_pool"]),
        ]

    def forward(self, x):
        branch1x1 = self.branch1x1(x)

        branch5x5 = self.branch5x5_1(x)
        branch5x5 = self.branch5x5_2(branch5x5)

        branch3x3dbl = self.branch3x3dbl_1(x)
        branch3x3dbl = self.branch3x3dbl_2(branch3x3dbl)
        branch3x3dbl = self.branch3x3dbl_3(branch3x3dbl)

        branch_pool = self.branch_pool_avg(x)  # F.avg_pool2d(x, 3, stride=1, padding=1)
        branch_pool = self.branch_pool(branch_pool)

        outputs = [branch1x1, branch5x5, branch3x3dbl, branch_pool]
        return torch.cat(outputs, 1)


class InceptionNet(nn.Module):
    """The lecture's toy Inception net: conv1, incept1, conv2, incept2, fc 1408→10."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10, input_size: int = 28):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)

        self.incept1 = InceptionA(in_channels=10)
        self.incept2 = InceptionA(in_channels=20)

        self.mp = nn.MaxPool2d(2)
        side = _after_conv_pool(_after_conv_pool(input_size))
        self.fc = nn.Linear(88 * side * side, num_classes)

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))
        x = self.incept1(x)
        x = F.relu(self.mp(self.conv2(x)))
        x = self.incept2(x)
        x = x.reshape(in_size, -1)  # flatten the tensor (the lecture: x.view; reshape also
        # accepts channels_last maps)
        x = self.fc(x)
        return F.log_softmax(x, dim=1)


def simple_broken(in_channels: int = 1, num_classes: int = 10, input_size: int = 28) -> SimpleNet:
    """The lecture's first try: ``nn.Linear(100, 10)`` after the conv stack (a size mismatch)."""
    return SimpleNet(in_channels, num_classes, input_size, fc_in=100)
