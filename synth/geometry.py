"""Scan geometry of a synthetic study: matrix, spacing and the patient coordinates of every voxel.

Coordinates are in millimetres in the DICOM patient system (LPS): +x is the patient's left, +y
posterior, +z superior. Axial slice 0 is the most inferior. The head's centre is the origin.
A geometry may be a crop (rows and columns window) of the full field of view: the head is
rendered in a crop around it, which saves the work of computing air.
"""

from dataclasses import dataclass

import numpy as np

# The scanned range: from the maxillary sinuses (below the orbits) to the vertex.
Z_BOTTOM_MM = -58.0
Z_TOP_MM = 92.0
FOV_MM = 220.0


@dataclass(frozen=True)
class Geometry:
    size: int = 256
    slices: int = 32
    row0: int = 0
    col0: int = 0
    rows: int | None = None
    cols: int | None = None

    @property
    def pixel_mm(self) -> float:
        return FOV_MM / self.size

    @property
    def slice_mm(self) -> float:
        return (Z_TOP_MM - Z_BOTTOM_MM) / self.slices

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.slices, self.rows or self.size, self.cols or self.size)

    def crop(self, y_range_mm: tuple[float, float], x_range_mm: tuple[float, float]) -> "Geometry":
        """The sub-grid covering a millimetre window (clipped to the field of view)."""
        r0, r1 = self._index(y_range_mm[0]), self._index(y_range_mm[1]) + 1
        c0, c1 = self._index(x_range_mm[0]), self._index(x_range_mm[1]) + 1
        return Geometry(self.size, self.slices, r0, c0, r1 - r0, c1 - c0)

    def window(self) -> tuple[slice, slice]:
        """Where this (cropped) grid lies in the full field of view."""
        return slice(self.row0, self.row0 + self.shape[1]), slice(self.col0, self.col0 + self.shape[2])

    def z_mm(self) -> np.ndarray:
        """Slice centres, inferior to superior."""
        return (Z_BOTTOM_MM + (np.arange(self.slices) + 0.5) * self.slice_mm).astype(np.float32)

    def xy_mm(self) -> np.ndarray:
        """Pixel centres along a row or a column of the full field of view (square matrix, centred)."""
        return ((np.arange(self.size) + 0.5) * self.pixel_mm - FOV_MM / 2).astype(np.float32)

    def grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Broadcastable (z, y, x) coordinate arrays of shapes (S,1,1), (1,R,1), (1,1,C)."""
        xy = self.xy_mm()
        rows, cols = self.window()
        return self.z_mm()[:, None, None], xy[rows][None, :, None], xy[cols][None, None, :]

    def z_index(self, z_mm: float) -> int:
        return int(np.clip(np.floor((z_mm - Z_BOTTOM_MM) / self.slice_mm), 0, self.slices - 1))

    def _index(self, v_mm: float) -> int:
        return int(np.clip(np.floor((v_mm + FOV_MM / 2) / self.pixel_mm), 0, self.size - 1))

    def box(self, center, half) -> tuple[slice, slice, slice]:
        """Index box (z, y, x) of this grid covering a millimetre box centre +- half, clipped to the grid."""
        (cz, cy, cx), (hz, hy, hx) = center, half
        zs = slice(self.z_index(cz - hz), self.z_index(cz + hz) + 1)
        nr, nc = self.shape[1], self.shape[2]
        r0 = int(np.clip(self._index(cy - hy) - self.row0, 0, nr))
        r1 = int(np.clip(self._index(cy + hy) + 1 - self.row0, 0, nr))
        c0 = int(np.clip(self._index(cx - hx) - self.col0, 0, nc))
        c1 = int(np.clip(self._index(cx + hx) + 1 - self.col0, 0, nc))
        return zs, slice(r0, max(r0, r1)), slice(c0, max(c0, c1))

    def box_grid(self, box) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        z, y, x = self.grid()
        return z[box[0]], y[:, box[1]], x[:, :, box[2]]
