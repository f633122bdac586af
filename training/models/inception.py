"""GoogLeNet-style Inception network (Szegedy et al. 2015), trained from scratch: the paper's architecture.

Written here rather than taken from torchvision so its width scales down for CPU demos and its stem takes any
number of windowed 2.5D channels. Batch norm replaces the auxiliary classifiers of the original (as in BN-Inception).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from training.models import register_model

# (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj) per block, from the GoogLeNet paper's Table 1
_BLOCKS = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64), "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64), "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}


class ConvBN(nn.Sequential):
    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1):
        super().__init__(nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class InceptionBlock(nn.Module):
    """Four parallel branches concatenated; the 5x5 branch is two 3x3 convolutions (same field, fewer FLOPs)."""

    def __init__(self, cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, cp: int):
        super().__init__()
        self.b1 = ConvBN(cin, c1, 1)
        self.b3 = nn.Sequential(ConvBN(cin, c3r, 1), ConvBN(c3r, c3, 3))
        self.b5 = nn.Sequential(ConvBN(cin, c5r, 1), ConvBN(c5r, c5, 3), ConvBN(c5, c5, 3))
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, 1), ConvBN(cin, cp, 1))
        self.out_channels = c1 + c3 + c5 + cp

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


POOLS = ("avg", "max")


class InceptionNet(nn.Module):
    """`pool` is the global pooling before the heads: GoogLeNet's average, or max, which keeps a small lesion's
    response instead of diluting it over the whole slice (on the CPU demo it learned hemorrhage in half the steps)."""

    def __init__(self, in_channels: int, width: float = 1.0, dropout: float = 0.2, pool: str = "avg"):
        super().__init__()

        def w(c: int) -> int:
            return max(4, int(round(c * width)))

        layers: list[nn.Module] = [ConvBN(in_channels, w(64), 7, 2), nn.MaxPool2d(3, 2, 1),
                                   ConvBN(w(64), w(64), 1), ConvBN(w(64), w(192), 3), nn.MaxPool2d(3, 2, 1)]
        cin = w(192)
        for name, spec in _BLOCKS.items():
            if name in ("4a", "5a"):
                layers.append(nn.MaxPool2d(3, 2, 1))
            block = InceptionBlock(cin, *(w(c) for c in spec))
            layers.append(block)
            cin = block.out_channels
        self.features = nn.Sequential(*layers)
        if pool not in POOLS:
            raise ValueError(f"unknown pool {pool!r} (known: {', '.join(POOLS)})")
        self.pool = nn.AdaptiveAvgPool2d(1) if pool == "avg" else nn.AdaptiveMaxPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.num_features = cin
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(torch.flatten(self.pool(self.features(x)), 1))


@register_model
def inception(*, in_channels: int, width: float = 1.0, dropout: float = 0.2, pool: str = "avg", **_) -> nn.Module:
    """Full-width GoogLeNet-style network (1024 features at width 1)."""
    return InceptionNet(in_channels, width=width, dropout=dropout, pool=pool)


@register_model
def inception_small(*, in_channels: int, width: float = 0.25, dropout: float = 0.1, pool: str = "avg",
                    **_) -> nn.Module:
    """Quarter-width variant for CPU demos and tests."""
    return InceptionNet(in_channels, width=width, dropout=dropout, pool=pool)
