"""In-plane resampling of HU volumes to the dataset's matrix size.

Downsampling needs a low-pass filter before subsampling, or fine edges (the skull, the falx) alias.
An integer factor (the usual 512 -> 256) is an exact box filter: the mean of each k x k block, done with
integer adds in numpy, several times faster than any interpolation routine. Any other size goes through
torch's bilinear interpolation with antialiasing, not scipy.ndimage.zoom, which does not low-pass before
subsampling and is about twice as slow per slice here.
"""

import numpy as np

from .records import Volume

HU_MIN, HU_MAX = -32768, 32767


def _block_mean(hu: np.ndarray, k: int) -> np.ndarray:
    # Rows first: k contiguous row sets add up fast, then the k column phases of the narrower sum.
    rows = hu[:, 0::k, :].astype(np.int32)
    for i in range(1, k):
        rows += hu[:, i::k, :]
    total = rows[:, :, 0::k].copy()
    for j in range(1, k):
        total += rows[:, :, j::k]
    total += (k * k) // 2  # round half up: the floor division below truncates toward minus infinity
    return np.floor_divide(total, k * k, out=total).astype(np.int16)


def _interpolate(hu: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import torch  # here, not at the top: web processes and workers that never export skip its slow import

    with torch.inference_mode():
        x = torch.from_numpy(np.ascontiguousarray(hu)).to(torch.float32).unsqueeze(1)
        y = torch.nn.functional.interpolate(x, size=tuple(size), mode="bilinear", antialias=True, align_corners=False)
        return y.squeeze(1).round_().clamp_(HU_MIN, HU_MAX).to(torch.int16).numpy()


def resample_volume(volume: Volume, size: tuple[int, int]) -> Volume:
    """Return the volume resampled in-plane to `size` (rows, cols), int16 HU, with its new pixel spacing."""
    hu = volume.hu
    rows, cols = hu.shape[1:]
    if (rows, cols) == tuple(size):
        return Volume(np.ascontiguousarray(hu, dtype=np.int16), volume.pixel_spacing_mm, volume.slice_thickness_mm)
    k = rows // size[0]
    if k > 1 and rows == k * size[0] and cols == k * size[1]:
        out = _block_mean(hu, k)
    else:
        out = _interpolate(hu, size)
    spacing = (volume.pixel_spacing_mm[0] * rows / size[0], volume.pixel_spacing_mm[1] * cols / size[1])
    return Volume(out, spacing, volume.slice_thickness_mm)
