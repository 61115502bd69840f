"""Exercise 10-4: DenseNet-BC for small images (growth rate, 1×1 bottlenecks, transitions)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class DenseLayer(nn.Module):
    """BN-ReLU-1×1 conv (4k channels) then BN-ReLU-3×3 conv (k channels): k new feature maps."""

    def __init__(self, c_in: int, growth: int):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, 4 * growth, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(4 * growth)
        self.conv2 = nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False)

    def forward(self, x):
        out = self.conv1(F.relu(self.bn1(x)))
        return self.conv2(F.relu(self.bn2(out)))


class DenseBlock(nn.Module):
    """Each layer sees the concatenation of the block input and every earlier layer's output."""

    diagram_kind = "dense"

    def __init__(self, c_in: int, layers: int, growth: int):
        super().__init__()
        self.layers = nn.ModuleList(DenseLayer(c_in + i * growth, growth) for i in range(layers))
        self.out_channels = c_in + layers * growth

    def forward(self, x):
        features = [x]
        for layer in self.layers:
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features, 1)


class Transition(nn.Module):
    """BN-ReLU-1×1 conv (compression) and 2×2 average pooling between dense blocks."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(c_in)
        self.conv = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.pool = nn.AvgPool2d(2)

    def forward(self, x):
        return self.pool(self.conv(F.relu(self.bn(x))))


class DenseNet(nn.Module):
    """Three dense blocks; depth = 6n + 4 with bottlenecks (e.g. 40 → 6 layers per block)."""

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        input_size: int = 28,
        depth: int = 40,
        growth: int = 12,
        compression: float = 0.5,
    ):
        super().__init__()
        if depth < 10 or (depth - 4) % 6:
            raise ValueError(f"depth must be 6n + 4 (10, 16, 22, 40, …), got {depth}")
        n = (depth - 4) // 6
        c = 2 * growth
        self.conv1 = nn.Conv2d(in_channels, c, 3, padding=1, bias=False)
        self.block1 = DenseBlock(c, n, growth)
        c = self.block1.out_channels
        self.trans1 = Transition(c, int(c * compression))
        c = int(c * compression)
        self.block2 = DenseBlock(c, n, growth)
        c = self.block2.out_channels
        self.trans2 = Transition(c, int(c * compression))
        c = int(c * compression)
        self.block3 = DenseBlock(c, n, growth)
        c = self.block3.out_channels
        self.bn = nn.BatchNorm2d(c)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.trans1(self.block1(self.conv1(x)))
        x = self.trans2(self.block2(x))
        x = F.relu(self.bn(self.block3(x)))
        return self.fc(self.pool(x).flatten(1))
