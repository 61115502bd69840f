"""Exercise 10-1: a deeper CNN in VGG style (3×3 convolutions with batch norm)."""

from __future__ import annotations

from torch import nn


def conv_bn_relu(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class DeeperNet(nn.Module):
    """Three stages of two 3×3 conv-BN-ReLU layers, each followed by 2×2 max pooling."""

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        input_size: int = 28,
        widths: tuple[int, ...] = (32, 64, 128),
    ):
        super().__init__()
        layers, c = [], in_channels
        for width in widths:
            layers += [conv_bn_relu(c, width), conv_bn_relu(width, width), nn.MaxPool2d(2)]
            c = width
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x)).flatten(1)
        return self.fc(self.dropout(x))
