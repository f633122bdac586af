"""The paper's comparison architectures from MONAI (DenseNet, ResNet, ResNeXt), registered as 2D backbones."""

from __future__ import annotations

import torch.nn as nn

from training.models import register_model


def _densenet(cls_name: str, in_channels: int) -> nn.Module:
    from monai.networks import nets

    model = getattr(nets, cls_name)(spatial_dims=2, in_channels=in_channels, out_channels=1)
    model.num_features = model.class_layers.out.in_features
    model.class_layers.out = nn.Identity()  # the study model owns the heads
    return model


def _resnet(depth: int, in_channels: int) -> nn.Module:
    from monai.networks import nets

    model = getattr(nets, f"resnet{depth}")(spatial_dims=2, n_input_channels=in_channels, feed_forward=False)
    model.num_features = 512 * (4 if depth >= 50 else 1)
    return model


class _SENetFeatures(nn.Module):
    """MONAI's SENet without its classifier: features -> global pool -> flatten."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.num_features = net.last_linear.in_features

    def forward(self, x):
        return self.net.adaptive_avg_pool(self.net.features(x)).flatten(1)


@register_model
def densenet121(*, in_channels: int, **_) -> nn.Module:
    return _densenet("DenseNet121", in_channels)


@register_model
def resnet18(*, in_channels: int, **_) -> nn.Module:
    return _resnet(18, in_channels)


@register_model
def resnet50(*, in_channels: int, **_) -> nn.Module:
    return _resnet(50, in_channels)


@register_model
def resnext50(*, in_channels: int, **_) -> nn.Module:
    """MONAI's ResNeXt-50 (32x4d) is the squeeze-and-excitation variant, SEResNeXt50."""
    from monai.networks import nets

    return _SENetFeatures(nets.SEResNeXt50(spatial_dims=2, in_channels=in_channels, num_classes=1))
