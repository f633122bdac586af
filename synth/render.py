"""Render one study's axial volume: anatomy, the modifiers and painters of its traits, then scanner noise.

The slice range of every trait is measured, not predicted: each step is compared with the volume
before it, changes under 1 HU are reverted, and the changed slices are the trait's range.
"""

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from synth import findings
from synth.anatomy import AIR, Head, HeadParams, render_head
from synth.geometry import Geometry
from synth.streams import stream

HU_MIN, HU_MAX, INTERCEPT = -1024, 3071, -1024


@dataclass
class RenderedTrait:
    code: str
    slices: tuple[int, int] | None  # [first, last] axial index, inferior to superior; None if not visible
    detail: dict
    derived_from: tuple[str, ...] = ()
    mask: np.ndarray | None = None  # voxels the trait changed, full geometry (only with keep_masks)


@dataclass
class RenderedVolume:
    stored: np.ndarray  # int16 stored values (HU - INTERCEPT), shape (S, N, N)
    noiseless: np.ndarray  # float32 HU before noise
    traits: dict[str, RenderedTrait]
    head: Head


def _commit(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, tuple[int, int] | None, np.ndarray]:
    changed = np.abs(after - before) >= 1.0
    vol = np.where(changed, after, before).astype(np.float32)
    idx = np.flatnonzero(changed.any(axis=(1, 2)))
    return vol, (int(idx[0]), int(idx[-1])) if idx.size else None, changed


def _derive(present: set[str], rendered: dict[str, RenderedTrait]) -> None:
    for parent, children in findings.DERIVED_FROM.items():
        kids = [rendered[c] for c in children if c in rendered and c != parent]
        if parent not in present or parent in rendered or not kids:
            continue
        spans = [k.slices for k in kids if k.slices]
        span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
        masks = [k.mask for k in kids if k.mask is not None]
        mask = np.logical_or.reduce(masks) if masks else None  # a parent is where its children were drawn
        rendered[parent] = RenderedTrait(parent, span, dict(kids[0].detail), tuple(k.code for k in kids), mask)


def _drawn(present: set[str]) -> set[str]:
    """Traits drawn themselves: those not explained by a present child."""
    out = set()
    for code in present:
        kids = findings.DERIVED_FROM.get(code, ())
        if not any(k in present for k in kids):
            out.add(code)
    return out


def add_noise(hu: np.ndarray, params: HeadParams, seed: int, index: int, *, noise_scale: float = 1.0,
              kernel_sigma: float = 0.7) -> np.ndarray:
    """Quantum noise, correlated in-plane by the reconstruction kernel (`kernel_sigma` pixels), and int16 storage;
    `noise_scale` is the scanner's dose and detector against the head's own noise level."""
    rng = stream(seed, index, "noise")
    noise = rng.standard_normal(hu.shape, dtype=np.float32)
    noise = gaussian_filter1d(gaussian_filter1d(noise, kernel_sigma, axis=1, truncate=2.0), kernel_sigma, axis=2,
                              truncate=2.0)
    # the filter leaves about 0.45 of unit SD at sigma 0.7 (the calibrated default); other kernels keep that ratio
    left = 0.45 * _filtered_sd(kernel_sigma) / _filtered_sd(0.7)
    noisy = hu + noise * np.float32(params.noise_hu * noise_scale / left)
    return (np.clip(np.rint(noisy), HU_MIN, HU_MAX) - INTERCEPT).astype(np.int16)


def _full(geom: Geometry, head: Head, window_mask: np.ndarray) -> np.ndarray:
    """A mask on the head's window placed in the full field of view."""
    full = np.zeros(geom.shape, bool)
    full[(slice(None), *head.geom.window())] = window_mask
    return full


def _filtered_sd(sigma: float) -> float:
    """SD left of unit white noise after the separable in-plane Gaussian of `sigma` pixels (truncated at 2 sigma)."""
    radius = int(2.0 * sigma + 0.5)
    x = np.arange(-radius, radius + 1)
    w = np.exp(-0.5 * (x / sigma) ** 2)
    w /= w.sum()
    return float(np.sum(w ** 2))  # per axis sqrt(sum w^2); two axes multiply


def render_volume(geom: Geometry, params: HeadParams, traits: set[str], seed: int, index: int, *,
                  keep_masks: bool = False, noise_scale: float = 1.0, kernel_sigma: float = 0.7) -> RenderedVolume:
    """`keep_masks`: each trait also records the voxels it changed (where a finding was drawn), for saliency checks."""
    plan = findings.plan_study(stream(seed, index, "plan"))
    drawn = _drawn(traits)
    head = render_head(geom, params)
    rendered: dict[str, RenderedTrait] = {}
    for code, modify in findings.MODIFIERS.items():
        if code in drawn:
            params, detail = modify(params, stream(seed, index, f"trait:{code}"), plan)
            new = render_head(geom, params)
            new.hu, span, changed = _commit(head.hu, new.hu)
            head = new
            rendered[code] = RenderedTrait(code, span, detail, mask=_full(geom, head, changed) if keep_masks else None)
    for code, paint in findings.PAINTERS.items():
        if code in drawn:
            before = head.hu.copy()
            detail = paint(head, stream(seed, index, f"trait:{code}"), plan)
            head.hu, span, changed = _commit(before, head.hu)
            rendered[code] = RenderedTrait(code, span, detail, mask=_full(geom, head, changed) if keep_masks else None)
    _derive(traits, rendered)
    full = np.full(geom.shape, AIR, np.float32)
    full[(slice(None), *head.geom.window())] = head.hu
    stored = add_noise(full, params, seed, index, noise_scale=noise_scale, kernel_sigma=kernel_sigma)
    return RenderedVolume(stored, full, rendered, head)
