"""Windowing and batched augmentation do what they claim, exactly."""

import math

import pytest
import torch

from training.augment import AIR_HU, Preprocess, affine_matrix, affine_params, resample, window

BRAIN, SUBDURAL, BONE = [40.0, 80.0], [75.0, 215.0], [600.0, 2800.0]


def test_window_maps_level_and_width():
    hu = torch.tensor([0.0, 40.0, 80.0, -1000.0, 3000.0]).view(1, 1, 1, 5)
    out = window(hu, [BRAIN, BONE])
    assert out.shape == (1, 2, 1, 5)
    torch.testing.assert_close(out[0, 0, 0], torch.tensor([0.0, 0.5, 1.0, 0.0, 1.0]))
    # bone window: level 600, width 2800 -> [-800, 2000]
    torch.testing.assert_close(out[0, 1, 0], torch.tensor([800 / 2800, 840 / 2800, 880 / 2800, 0.0, 1.0]))


def test_window_channel_order_is_slice_major():
    hu = torch.stack([torch.full((4, 4), 40.0), torch.full((4, 4), 75.0)]).unsqueeze(0)  # 2 slices
    out = window(hu, [BRAIN, SUBDURAL, BONE])
    assert out.shape == (1, 6, 4, 4)
    assert out[0, 0, 0, 0] == 0.5 and out[0, 4, 0, 0] == 0.5  # slice 0 brain, slice 1 subdural


def _image(n=2, k=3, size=16):
    g = torch.Generator().manual_seed(0)
    return torch.randn((n, k, size, size), generator=g) * 300


def test_identity_transform_keeps_the_image():
    x = _image()
    theta = affine_matrix(torch.zeros(2), torch.ones(2), torch.ones(2))
    torch.testing.assert_close(resample(x, theta, 16), x, atol=1e-3, rtol=0)


def test_mirror_flips_left_right():
    x = _image()
    theta = affine_matrix(torch.zeros(2), torch.ones(2), -torch.ones(2))
    torch.testing.assert_close(resample(x, theta, 16), x.flip(-1), atol=1e-3, rtol=0)


def test_quarter_turn_rotates_by_90_degrees():
    x = _image()
    theta = affine_matrix(torch.full((2,), math.pi / 2), torch.ones(2), torch.ones(2))
    out = resample(x, theta, 16)
    err = min((out - torch.rot90(x, k, (2, 3))).abs().max().item() for k in (1, 3))
    assert err < 1e-2


def test_rescale_zooms_about_the_centre_and_pads_with_air():
    x = torch.zeros(1, 1, 16, 16)
    x[0, 0, 6:10, 6:10] = 1000.0  # a 4-pixel square in the centre
    out = resample(x, affine_matrix(torch.zeros(1), torch.full((1,), 2.0), torch.ones(1)), 16)
    assert (out[0, 0] > 500).sum() == 64  # doubled to 8 x 8
    shrunk = resample(x, affine_matrix(torch.zeros(1), torch.full((1,), 0.5), torch.ones(1)), 16)
    assert shrunk[0, 0, 0, 0].item() == pytest.approx(AIR_HU)  # outside the field of view: air, not water


def test_one_transform_per_study_shared_by_its_slices():
    vol = torch.zeros((2, 3, 1, 16, 16), dtype=torch.int16)
    vol[:, :, :, 2:6, 2:12] = 60  # the same image on every slice of both studies
    valid = torch.tensor([[True, True, True], [True, True, False]])
    pre = Preprocess(windows=[BRAIN], size=16, rotation_deg=30, scale=(0.8, 1.2), mirror_p=0.5)
    out = pre(vol, valid, train=True, generator=torch.Generator().manual_seed(1))
    assert out.shape == (5, 1, 16, 16)
    torch.testing.assert_close(out[0], out[2])  # slices of study 0 move together
    torch.testing.assert_close(out[3], out[4])
    assert not torch.allclose(out[0], out[3])  # the two studies got different transforms


def test_augmentation_amounts_stay_in_range():
    theta = affine_params(2000, rotation_deg=10, scale=(0.9, 1.1), mirror_p=0.3,
                          generator=torch.Generator().manual_seed(0))
    det = torch.det(theta[:, :, :2])  # +-1/scale^2; negative when mirrored
    assert ((det.abs() >= 1 / 1.1**2 - 1e-5) & (det.abs() <= 1 / 0.9**2 + 1e-5)).all()
    assert abs((det < 0).float().mean().item() - 0.3) < 0.05
    angle = torch.atan2(theta[:, 1, 0], theta[:, 1, 1]).abs()
    assert angle.max().item() <= math.radians(10) + 1e-6


def test_evaluation_resizes_without_augmenting():
    vol = torch.full((1, 2, 1, 32, 32), 40, dtype=torch.int16)
    out = Preprocess(windows=[BRAIN], size=16, rotation_deg=30, mirror_p=1.0)(vol, torch.ones(1, 2, dtype=torch.bool),
                                                                              train=False)
    assert out.shape == (2, 1, 16, 16)
    torch.testing.assert_close(out, torch.full_like(out, 0.5))
