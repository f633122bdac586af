"""A thicker axial reconstruction of a study's axial series, as a scanner console makes one: each new slice is the
mean of `factor` neighbouring slices, written as another series of the same study (its own series and instance
UIDs, derived from the original's so a rerun writes the same files). Plain pydicom and numpy, no Django."""

import copy
from pathlib import Path

import numpy as np
import pydicom
from pydicom.uid import generate_uid


def _along_normal(ds) -> float:
    row, col = np.asarray(ds.ImageOrientationPatient[:3], float), np.asarray(ds.ImageOrientationPatient[3:], float)
    return float(np.dot(np.cross(row, col), np.asarray(ds.ImagePositionPatient, float)))


def _readable_slices(folder: Path) -> list | None:
    """The folder's slices in slice order; None when any file is not a plain single-frame image of one size."""
    slices = []
    for path in sorted(folder.glob("*.dcm")):
        try:
            ds = pydicom.dcmread(path)
            pixels = ds.pixel_array
        except Exception:  # noqa: BLE001 - a deliberately broken file of the synthetic cohort: not this folder
            return None
        if pixels.ndim != 2 or "ImagePositionPatient" not in ds or "ImageOrientationPatient" not in ds:
            return None
        slices.append(ds)
    if len(slices) < 4 or len({s.pixel_array.shape for s in slices}) != 1:
        return None
    return sorted(slices, key=_along_normal)


def write_thick_reconstruction(axial_folder: Path, out_folder: Path, *, factor: int = 2,
                               series_number: int = 4) -> list[Path]:
    """Write the reconstruction into `out_folder`; returns its files ([] when the folder cannot be read whole)."""
    slices = _readable_slices(axial_folder)
    if not slices:
        return []
    out_folder.mkdir(parents=True, exist_ok=True)
    series_uid = generate_uid(entropy_srcs=[slices[0].SeriesInstanceUID, "thick", str(factor)])
    thickness = float(slices[0].get("SliceThickness") or 1.0) * factor
    files = []
    for k in range(len(slices) // factor):
        group = slices[k * factor:(k + 1) * factor]
        ds = copy.deepcopy(group[0])
        mean = np.mean([s.pixel_array.astype(np.float64) for s in group], axis=0)
        ds.PixelData = np.rint(mean).astype(group[0].pixel_array.dtype).tobytes()
        ds.ImagePositionPatient = [f"{v:.3f}" for v in np.mean([s.ImagePositionPatient for s in group], axis=0)]
        if "SliceLocation" in ds:
            ds.SliceLocation = f"{np.mean([float(s.SliceLocation) for s in group]):.3f}"
        if "SpacingBetweenSlices" in ds:
            ds.SpacingBetweenSlices = f"{float(ds.SpacingBetweenSlices) * factor:.6g}"
        ds.SliceThickness = f"{thickness:.6g}"
        ds.SeriesInstanceUID, ds.SeriesNumber, ds.InstanceNumber = series_uid, series_number, k + 1
        ds.SeriesDescription = f"AXIAL {thickness:.1f}MM RECON"
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[series_uid, str(k)])
        path = out_folder / f"IM{k + 1:04d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        files.append(path)
    return files
