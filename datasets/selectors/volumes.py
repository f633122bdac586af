"""Volumes for export: the archive's primary axial series in Hounsfield units, with its geometry.

Native little-endian pixel data is read straight from the stored file at the offset the archive recorded
at ingest (curation's `read_range`, the same path WADO-RS frames use), so the export decodes a slice with
one read and one multiply-add instead of parsing every file with pydicom. Anything else (compressed
transfer syntaxes, odd bit depths) goes through the archive's own `series_volume_hu`.
"""

import numpy as np
from django.core.files.storage import default_storage
from django.db.models.fields.json import KT

from curation.dicom.store import read_range
from curation.models import Series
from curation.selectors.archive import series_instances, series_volume_hu
from datasets.export.records import Volume

_NATIVE_LE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1"}
_HU_RANGE = (np.iinfo(np.int16).min, np.iinfo(np.int16).max)


def _number(text, default: float) -> float:
    try:
        return float(text) if text not in (None, "") else default
    except ValueError:
        return default


def _native_rows(series: Series) -> list[dict] | None:
    rows = list(series_instances(series).values(
        "storage_path", "transfer_syntax", "rows", "columns", "n_frames", "pixel_offset", "frame_length",
        slope=KT("dicom_json__00281053__Value__0"), intercept=KT("dicom_json__00281052__Value__0"),
        signed=KT("dicom_json__00280103__Value__0"), bits=KT("dicom_json__00280100__Value__0"),
    ))
    native = all(
        r["transfer_syntax"] in _NATIVE_LE and r["pixel_offset"] is not None and r["n_frames"] == 1
        and str(r["bits"]) == "16" and r["frame_length"] == r["rows"] * r["columns"] * 2
        and (r["rows"], r["columns"]) == (rows[0]["rows"], rows[0]["columns"])
        for r in rows
    )
    return rows if rows and native else None


def _read_frame(row: dict, into: memoryview) -> int:
    """Read one native frame into `into`; straight from the file when storage is a local filesystem."""
    try:
        path = default_storage.path(row["storage_path"])
    except NotImplementedError:  # remote storage (S3): the archive's ranged read
        raw = read_range(row["storage_path"], row["pixel_offset"], row["frame_length"])
        into[:len(raw)] = raw
        return len(raw)
    with open(path, "rb", buffering=0) as handle:
        handle.seek(row["pixel_offset"])
        return handle.readinto(into)


def _native_volume(rows: list[dict]) -> np.ndarray:
    signed = {str(r["signed"]) == "1" for r in rows}
    scales = {(_number(r["slope"], 1.0), _number(r["intercept"], 0.0)) for r in rows}
    stored = np.empty((len(rows), rows[0]["rows"], rows[0]["columns"]), dtype="<i2" if signed == {True} else "<u2")
    if len(signed) != 1:
        raise ValueError(f"{rows[0]['storage_path']}: pixel representation differs within the series")
    for k, r in enumerate(rows):
        n = _read_frame(r, memoryview(stored[k]).cast("B"))
        if n != r["frame_length"]:
            raise ValueError(f"{r['storage_path']}: PixelData (7FE0,0010) is {n} bytes, expected {r['frame_length']}")
    if len(scales) == 1 and (scale := scales.pop())[0] == 1.0 and scale[1] == round(scale[1]):
        # The common CT case (slope 1, one integer intercept): integer arithmetic over the whole volume,
        # in int16 itself when the result cannot overflow (stored 0..4095 with intercept -1024, say).
        lo, hi = int(stored.min()) + int(scale[1]), int(stored.max()) + int(scale[1])
        if _HU_RANGE[0] <= lo and hi <= _HU_RANGE[1] and int(stored.max()) <= _HU_RANGE[1]:
            return np.add(stored.view(np.int16) if stored.dtype == np.dtype("<u2") else stored,
                          np.int16(scale[1]), dtype=np.int16)
        hu = stored.astype(np.int32)
        hu += int(scale[1])
    else:
        slope = np.array([_number(r["slope"], 1.0) for r in rows])[:, None, None]
        intercept = np.array([_number(r["intercept"], 0.0) for r in rows])[:, None, None]
        hu = np.rint(stored * slope + intercept)
    return np.clip(hu, *_HU_RANGE, out=hu).astype(np.int16)


def _geometry(series: Series) -> tuple[tuple[float, float], float]:
    # Read from the document in Python: Django's JSON key lookups take an all-digit key such as "00180050" for an
    # array index on SQLite (the quickstart's database), which found nothing there.
    doc = series_instances(series).values_list("dicom_json", flat=True).first() or {}
    spacing = (doc.get("00280030") or {}).get("Value") or [None, None]
    thickness = ((doc.get("00180050") or {}).get("Value") or [None])[0]
    # The reconstructed thickness (SliceThickness) is what subgroups band by; the spacing stands in when it is absent
    thickness = _number(thickness, 0.0) or series.slice_spacing or 0.0
    return (_number(spacing[0], 1.0), _number(spacing[-1], 1.0)), float(thickness)


def load_series_volume(ref: str) -> Volume:
    """The volume loader of an export: archive series id -> HU volume (inferior to superior) and geometry."""
    if not ref:
        raise ValueError("study has no primary axial series")
    series = Series.objects.filter(pk=int(ref)).first()
    if series is None:
        raise ValueError(f"series {ref} is no longer in the archive")
    rows = _native_rows(series)
    hu = _native_volume(rows) if rows is not None else series_volume_hu(series)
    if hu.shape[0] == 0:
        raise ValueError(f"series {series.series_uid}: no slices")
    spacing, thickness = _geometry(series)
    return Volume(hu, spacing, thickness)
