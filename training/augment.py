"""Device-side preprocessing: batched rotation/rescale/mirror of HU volumes, then windowing into channels."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

AIR_HU = -1024.0  # resampling pads with air, not water: shift so that zero padding means -1024 HU


def window(hu: torch.Tensor, windows: list[list[float]] | torch.Tensor) -> torch.Tensor:
    """(N, K, H, W) HU -> (N, K * len(windows), H, W) in [0, 1]; channel order is slice-major, window-minor."""
    w = torch.as_tensor(windows, dtype=hu.dtype, device=hu.device)
    level, width = w[:, 0].view(1, 1, -1, 1, 1), w[:, 1].view(1, 1, -1, 1, 1)
    out = ((hu.unsqueeze(2) - (level - width / 2)) / width).clamp_(0.0, 1.0)
    return out.flatten(1, 2)


def affine_params(n: int, *, rotation_deg: float, scale: tuple[float, float], mirror_p: float,
                  generator: torch.Generator | None = None, device: torch.device | str = "cpu") -> torch.Tensor:
    """n random 2x3 matrices (output -> input sampling grid) for F.affine_grid."""
    u = torch.rand((n, 3), generator=generator, device=device)
    angle = (u[:, 0] * 2 - 1) * math.radians(rotation_deg)
    s = scale[0] + u[:, 1] * (scale[1] - scale[0])
    mirror = torch.where(u[:, 2] < mirror_p, -1.0, 1.0)
    return affine_matrix(angle, s, mirror)


def affine_matrix(angle: torch.Tensor, scale: torch.Tensor, mirror: torch.Tensor) -> torch.Tensor:
    """Rotation by `angle` (radians), zoom by `scale` (>1 enlarges the head) and left-right flip when mirror=-1."""
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    zero = torch.zeros_like(cos)
    theta = torch.stack([torch.stack([cos * mirror, -sin, zero], -1),
                         torch.stack([sin * mirror, cos, zero], -1)], 1)
    return theta


def resample(hu: torch.Tensor, theta: torch.Tensor, size: int) -> torch.Tensor:
    """Apply one affine per image of (N, K, H, W) HU and resize to size x size in the same bilinear pass."""
    grid = F.affine_grid(theta.to(hu.dtype), [hu.shape[0], hu.shape[1], size, size], align_corners=False)
    out = F.grid_sample(hu - AIR_HU, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out + AIR_HU


def gather_stacks(volume: torch.Tensor, valid: torch.Tensor, stack_index: torch.Tensor | None) -> torch.Tensor:
    """Real slices' 2.5D stacks (N, K, H, W) from a batch: either (B, S, K, H, W) stacks, or (B, U, H, W) study rows
    with stack_index (B, S, K) naming the rows of each stack."""
    if stack_index is None:
        return volume[valid]
    b = torch.arange(volume.shape[0], device=volume.device).view(-1, 1).expand(valid.shape)[valid]
    return volume[b.unsqueeze(1), stack_index[valid]]


class Preprocess:
    """int16 study batches on the device -> float input (real slices, K*windows, size, size)."""

    def __init__(self, *, windows: list[list[float]], size: int, rotation_deg: float = 0.0,
                 scale: tuple[float, float] = (1.0, 1.0), mirror_p: float = 0.0, augment: bool = True,
                 channels_last: bool = False):
        self.windows = windows
        self.size = size
        self.rotation_deg = rotation_deg
        self.scale = tuple(scale)
        self.mirror_p = mirror_p
        self.augment = augment
        self.channels_last = channels_last

    def channels(self, neighbours: int) -> int:
        return (2 * neighbours + 1) * len(self.windows)

    def __call__(self, volume: torch.Tensor, valid: torch.Tensor, *, train: bool,
                 generator: torch.Generator | None = None, stack_index: torch.Tensor | None = None) -> torch.Tensor:
        # padding slices are dropped before any work is spent on them
        hu = gather_stacks(volume, valid, stack_index).float()
        h, w = hu.shape[-2:]
        if train and self.augment:
            # one transform per study, shared by its slices, so the 2.5D stack stays aligned
            theta = affine_params(valid.shape[0], rotation_deg=self.rotation_deg, scale=self.scale,
                                  mirror_p=self.mirror_p, generator=generator, device=volume.device)
            theta = theta.repeat_interleave(valid.sum(1), 0)
            hu = resample(hu, theta, self.size)
        elif (h, w) != (self.size, self.size):
            hu = F.interpolate(hu, size=(self.size, self.size), mode="bilinear", align_corners=False)
        x = window(hu, self.windows)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x
