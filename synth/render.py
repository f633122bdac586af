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


@dataclass
class RenderedVolume:
    stored: np.ndarray  # int16 stored values (HU - INTERCEPT), shape (S, N, N)
    noiseless: np.ndarray  # float32 HU before noise
    traits: dict[str, RenderedTrait]
    head: Head


def _commit(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, tuple[int, int] | None]:
    changed = np.abs(after - before) >= 1.0
    vol = np.where(changed, after, before).astype(np.float32)
    idx = np.flatnonzero(changed.any(axis=(1, 2)))
    return vol, (int(idx[0]), int(idx[-1])) if idx.size else None


def _derive(present: set[str], rendered: dict[str, RenderedTrait]) -> None:
    for parent, children in findings.DERIVED_FROM.items():
        kids = [rendered[c] for c in children if c in rendered and c != parent]
        if parent not in present or parent in rendered or not kids:
            continue
        spans = [k.slices for k in kids if k.slices]
        span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
        rendered[parent] = RenderedTrait(parent, span, dict(kids[0].detail), tuple(k.code for k in kids))


def _drawn(present: set[str]) -> set[str]:
    """Traits drawn themselves: those not explained by a present child."""
    out = set()
    for code in present:
        kids = findings.DERIVED_FROM.get(code, ())
        if not any(k in present for k in kids):
            out.add(code)
    return out


def add_noise(hu: np.ndarray, params: HeadParams, seed: int, index: int) -> np.ndarray:
    """Quantum noise, slightly correlated in-plane as after a smooth reconstruction kernel, and int16 storage."""
    rng = stream(seed, index, "noise")
    noise = rng.standard_normal(hu.shape, dtype=np.float32)
    noise = gaussian_filter1d(gaussian_filter1d(noise, 0.7, axis=1, truncate=2.0), 0.7, axis=2, truncate=2.0)
    noisy = hu + noise * np.float32(params.noise_hu / 0.45)  # the filter leaves about 0.45 of unit variance's SD
    return (np.clip(np.rint(noisy), HU_MIN, HU_MAX) - INTERCEPT).astype(np.int16)


def render_volume(geom: Geometry, params: HeadParams, traits: set[str], seed: int, index: int) -> RenderedVolume:
    plan = findings.plan_study(stream(seed, index, "plan"))
    drawn = _drawn(traits)
    head = render_head(geom, params)
    rendered: dict[str, RenderedTrait] = {}
    for code, modify in findings.MODIFIERS.items():
        if code in drawn:
            params, detail = modify(params, stream(seed, index, f"trait:{code}"), plan)
            new = render_head(geom, params)
            new.hu, span = _commit(head.hu, new.hu)
            head = new
            rendered[code] = RenderedTrait(code, span, detail)
    for code, paint in findings.PAINTERS.items():
        if code in drawn:
            before = head.hu.copy()
            detail = paint(head, stream(seed, index, f"trait:{code}"), plan)
            head.hu, span = _commit(before, head.hu)
            rendered[code] = RenderedTrait(code, span, detail)
    _derive(traits, rendered)
    full = np.full(geom.shape, AIR, np.float32)
    full[(slice(None), *head.geom.window())] = head.hu
    stored = add_noise(full, params, seed, index)
    return RenderedVolume(stored, full, rendered, head)
