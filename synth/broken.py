"""Broken files for validation to exclude: truncated pixel data, a missing required tag, a non-DICOM file.

They are extra files in a study's axial series folder, next to the complete, valid series, with
their own instance numbers (900 and up) so that excluding them leaves the series whole.
"""

from pathlib import Path

import numpy as np
import pydicom

KINDS = ("truncated_pixel_data", "missing_required_tag", "not_dicom")
REQUIRED_TAGS = ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "Rows", "PixelSpacing", "SOPClassUID")


def _copy_with_number(src: Path, number: int) -> pydicom.Dataset:
    ds = pydicom.dcmread(src)
    ds.InstanceNumber = number
    base = ds.SOPInstanceUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"{base[:58]}.{number}"
    return ds


def write_broken(rng: np.random.Generator, folder: Path, valid: list[Path]) -> list[dict]:
    """Write one or two broken files; returns what each is: {path, kind, tag}."""
    out = []
    kinds = rng.choice(KINDS, size=int(rng.integers(1, 3)), replace=False)
    for j, kind in enumerate(sorted(str(k) for k in kinds)):
        number = 900 + j
        path = folder / f"IM{number:04d}.dcm"
        src = valid[int(rng.integers(0, len(valid)))]
        entry = {"path": path, "kind": kind, "tag": None}
        if kind == "truncated_pixel_data":
            ds = _copy_with_number(src, number)
            pydicom.dcmwrite(path, ds, enforce_file_format=True)
            data = path.read_bytes()
            path.write_bytes(data[: len(data) - len(ds.PixelData) // 2])  # transfer cut off mid-image
        elif kind == "missing_required_tag":
            ds = _copy_with_number(src, number)
            tag = str(rng.choice(REQUIRED_TAGS))
            delattr(ds, tag)
            pydicom.dcmwrite(path, ds, enforce_file_format=False)
            entry["tag"] = tag
        else:
            path.write_bytes(b"Scanned requisition form - see paper chart.\r\n" * 40)
        out.append(entry)
    return out
