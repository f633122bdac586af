"""In-plane resampling of HU volumes to the dataset's matrix size.

torch's antialiased bilinear interpolation, not scipy.ndimage.zoom: zoom does not low-pass before
subsampling (512 -> 256 aliases the skull's fine edges) and is about twice as slow per slice here.
"""

import numpy as np

from .records import Volume

HU_MIN, HU_MAX = -32768, 32767


def resample_volume(volume: Volume, size: tuple[int, int]) -> Volume:
    """Return the volume resampled in-plane to `size` (rows, cols), int16 HU, with its new pixel spacing."""
    hu = volume.hu
    rows, cols = hu.shape[1:]
    if (rows, cols) == tuple(size):
        return Volume(np.ascontiguousarray(hu, dtype=np.int16), volume.pixel_spacing_mm, volume.slice_thickness_mm)
    import torch  # here, not at the top: web processes and workers that never export skip its slow import

    with torch.inference_mode():
        x = torch.from_numpy(np.ascontiguousarray(hu)).to(torch.float32).unsqueeze(1)
        y = torch.nn.functional.interpolate(x, size=tuple(size), mode="bilinear", antialias=True, align_corners=False)
        out = y.squeeze(1).round_().clamp_(HU_MIN, HU_MAX).to(torch.int16).numpy()
    spacing = (volume.pixel_spacing_mm[0] * rows / size[0], volume.pixel_spacing_mm[1] * cols / size[1])
    return Volume(out, spacing, volume.slice_thickness_mm)
