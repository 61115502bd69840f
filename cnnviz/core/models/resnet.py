"""Exercise 10-3: ResNet for small images (He et al., CIFAR variant), its pre-activation form,
and the same network without shortcuts ("plain") to show the degradation problem."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    """Two 3×3 convolutions; the input is added back (the shortcut) before the last ReLU."""

    diagram_kind = "residual"

    def __init__(self, c_in: int, c_out: int, stride: int = 1, shortcut: bool = True):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.use_shortcut = shortcut
        self.shortcut = nn.Sequential()
        if shortcut and (stride != 1 or c_in != c_out):  # projection: 1×1 conv, stride s
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def shortcut_label(self) -> str:
        if not self.use_shortcut:
            return ""
        return "shortcut: 1×1 conv" if len(self.shortcut) else "shortcut: identity"

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.use_shortcut:
            out = out + self.shortcut(x)
        return F.relu(out)


class PreActBlock(nn.Module):
    """Pre-activation block (He et al. 2016): BN-ReLU before each conv, identity after the
    addition — the lecture's "f = identity" slide."""

    diagram_kind = "residual"

    def __init__(self, c_in: int, c_out: int, stride: int = 1, shortcut: bool = True):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.use_shortcut = shortcut
        self.shortcut = nn.Sequential()
        if shortcut and (stride != 1 or c_in != c_out):
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False))

    shortcut_label = BasicBlock.shortcut_label

    def forward(self, x):
        out = F.relu(self.bn1(x))
        skip = self.shortcut(out) if len(self.shortcut) else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + skip if self.use_shortcut else out


class ResNet(nn.Module):
    """3 stages of n blocks (16, 32, 64 filters; each stage halves the map and doubles the
    filters): depth = 6n + 2 layers, e.g. 8, 20, 56."""

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        input_size: int = 28,
        depth: int = 20,
        preact: bool = False,
        shortcuts: bool = True,
    ):
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f"depth must be 6n + 2 (8, 14, 20, 32, 44, 56, …), got {depth}")
        n = (depth - 2) // 6
        block = PreActBlock if preact else BasicBlock
        self.preact = preact
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        stages, c = [], 16
        for i, width in enumerate((16, 32, 64)):
            blocks = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(block(c, width, stride, shortcut=shortcuts))
                c = width
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.bn_final = nn.BatchNorm2d(c) if preact else nn.Identity()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.conv1(x)
        if not self.preact:
            x = F.relu(self.bn1(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        if self.preact:
            x = F.relu(self.bn_final(x))
        return self.fc(self.pool(x).flatten(1))
