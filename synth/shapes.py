"""Soft-edged shapes on a voxel grid: signed distances, partial-volume weights and painting.

Every shape is a signed distance in millimetres (negative inside); `inside` turns it into a
partial-volume weight over one voxel, so edges look like a scanner's and not like a staircase.
"""

import numpy as np


def inside(sd, width_mm: float) -> np.ndarray:
    """Partial-volume weight of a signed distance: 1 well inside, 0 well outside, linear across a voxel."""
    out = np.multiply(sd, np.float32(-1.0 / width_mm), dtype=np.float32)
    out += np.float32(0.5)
    return np.clip(out, 0.0, 1.0, out=out)


def ellipsoid(z, y, x, center, semi) -> np.ndarray:
    """Approximate signed distance to an axis-aligned ellipsoid (exact on the axes of a sphere)."""
    (cz, cy, cx), (sz, sy, sx) = center, semi
    rho = np.sqrt(((z - cz) / sz) ** 2 + ((y - cy) / sy) ** 2 + ((x - cx) / sx) ** 2)
    return (rho - 1.0) * min(sz, sy, sx)


def capsule(z, y, x, a, b, radius) -> np.ndarray:
    """Signed distance to a segment a-b swept by a sphere; radius may taper (ra, rb)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    ab = b - a
    pz, py, px = z - a[0], y - a[1], x - a[2]
    t = np.clip((pz * ab[0] + py * ab[1] + px * ab[2]) / float(ab @ ab), 0.0, 1.0)
    d = np.sqrt((pz - t * ab[0]) ** 2 + (py - t * ab[1]) ** 2 + (px - t * ab[2]) ** 2)
    ra, rb = (radius, radius) if np.isscalar(radius) else radius
    return d - (ra + (rb - ra) * t)


def paint(vol: np.ndarray, box, weight, value) -> None:
    """Blend `value` into vol[box] with a partial-volume weight (painter's order)."""
    sub = vol[box]
    sub += (np.asarray(value, np.float32) - sub) * weight
