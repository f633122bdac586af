"""Axial selection and slice ordering from the DICOM header, as the paper did ("we use the meta-data in the
DICOM header to select axial images"), with the series QC flags curators see.

Pure functions over `InstanceGeometry` rows, so the service can classify a series from its database rows
without re-reading files when the series grows.
"""

import math
from collections import Counter
from dataclasses import dataclass, field

from pydicom.dataset import Dataset

from .header import PlainValues

AXIAL = "axial"
LOCALIZER = "localizer"
REFORMAT = "reformat"
OTHER = "other"
KINDS = (AXIAL, LOCALIZER, REFORMAT, OTHER)

# A slice normal within this angle of the z axis is axial; head CT is often acquired with a gantry tilt of
# 10-25 degrees, which keeps it axial but earns the gantry_tilt flag.
AXIAL_TOLERANCE_DEG = 30.0
TILT_FLAG_DEG = 1.0
# Normals of one series further apart than this are a mixed-orientation series.
MIXED_TOLERANCE_DEG = 5.0
# Relative spacing error above which a gap is "inconsistent"; a gap near k times the usual is k-1 missing slices.
SPACING_TOLERANCE = 0.1
LOCALIZER_TYPES = {"LOCALIZER", "SCOUT", "TOPOGRAM", "SCANOGRAM"}
REFORMAT_TYPES = {"REFORMATTED", "MPR", "MIP", "MINIP", "CURVED", "PROJECTION IMAGE", "VOLREN", "3D"}
# QC flags that make a series a poor primary axial series.
SEVERE_FLAGS = ("missing_slices", "inconsistent_spacing", "mixed_orientation", "duplicate_positions", "no_geometry")


@dataclass(frozen=True)
class InstanceGeometry:
    sop_uid: str
    image_type: tuple[str, ...] = ()
    orientation: tuple[float, ...] | None = None  # ImageOrientationPatient, 6 values
    position: tuple[float, ...] | None = None  # ImagePositionPatient, 3 values
    instance_number: int | None = None
    gantry_tilt: float = 0.0


@dataclass
class SeriesClassification:
    kind: str
    order: list[str]  # SOP instance UIDs in slice order (inferior to superior for axial)
    qc_flags: dict = field(default_factory=dict)
    normal: tuple[float, float, float] | None = None
    spacing: float | None = None


def _floats(value, n: int) -> tuple[float, ...] | None:
    try:
        values = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return values if len(values) == n and all(math.isfinite(v) for v in values) else None


def instance_geometry(ds: Dataset | PlainValues) -> InstanceGeometry:
    """The header facts classification needs, read once at ingest."""
    number = ds.get("InstanceNumber")
    try:
        tilt = float(ds.get("GantryDetectorTilt") or 0.0)
    except (TypeError, ValueError):
        tilt = 0.0
    return InstanceGeometry(
        sop_uid=str(ds.SOPInstanceUID),
        image_type=tuple(str(v).strip().upper() for v in (ds.get("ImageType") or ())),
        orientation=_floats(ds.get("ImageOrientationPatient"), 6),
        position=_floats(ds.get("ImagePositionPatient"), 3),
        instance_number=int(number) if number not in (None, "") else None,
        gantry_tilt=tilt,
    )


def slice_normal(orientation: tuple[float, ...]) -> tuple[float, float, float] | None:
    """Unit normal of the image plane: row direction cross column direction."""
    r, c = orientation[:3], orientation[3:]
    n = (r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0])
    norm = math.sqrt(sum(v * v for v in n))
    return None if norm < 1e-6 else (n[0] / norm, n[1] / norm, n[2] / norm)


def _angle_deg(a, b) -> float:
    dot = abs(sum(x * y for x, y in zip(a, b, strict=True)))  # a plane's normal may point either way
    return math.degrees(math.acos(min(1.0, dot)))


def _majority_normal(normals: list[tuple[float, float, float]]):
    rounded = Counter(tuple(round(v, 2) for v in n) for n in normals)
    target = rounded.most_common(1)[0][0]
    return next(n for n in normals if tuple(round(v, 2) for v in n) == target)


def _type_kind(rows: list[InstanceGeometry]) -> str | None:
    types = {v for r in rows for v in r.image_type}
    if types & LOCALIZER_TYPES:
        return LOCALIZER
    if ("DERIVED" in types and types & REFORMAT_TYPES) or types & {"REFORMATTED", "MPR"}:
        return REFORMAT
    return None


def _spacing_flags(projections: list[float], flags: dict) -> float | None:
    gaps = [b - a for a, b in zip(projections, projections[1:], strict=False)]
    if not gaps:
        return None
    if any(g < 1e-3 for g in gaps):
        flags["duplicate_positions"] = sum(1 for g in gaps if g < 1e-3)
    positive = sorted(g for g in gaps if g >= 1e-3)
    if not positive:
        return None
    usual = positive[len(positive) // 2]
    missing, irregular = 0, 0
    for gap in positive:
        ratio = gap / usual
        if abs(ratio - 1) <= SPACING_TOLERANCE:
            continue
        steps = round(ratio)
        if steps >= 2 and abs(ratio - steps) <= SPACING_TOLERANCE * steps:
            missing += steps - 1
        else:
            irregular += 1
    if missing:
        flags["missing_slices"] = missing
    if irregular:
        flags["inconsistent_spacing"] = irregular
    return round(usual, 4)


def classify_series(rows: list[InstanceGeometry]) -> SeriesClassification:
    """Kind (axial/localizer/reformat/other), slice order and QC flags of one series."""
    flags: dict = {}
    by_number = sorted(rows, key=lambda r: (r.instance_number is None, r.instance_number or 0, r.sop_uid))
    type_kind = _type_kind(rows)
    if type_kind == REFORMAT:
        flags["reformat"] = True
    located = [(r, slice_normal(r.orientation)) for r in rows if r.orientation and r.position]
    located = [(r, n) for r, n in located if n is not None]
    if len(located) < len(rows):
        flags["no_geometry"] = len(rows) - len(located)
    if not located:
        return SeriesClassification(type_kind or OTHER, [r.sop_uid for r in by_number], flags)
    normal = _majority_normal([n for _, n in located])
    if normal[2] < 0 or (normal[2] == 0 and sum(normal) < 0):
        normal = (-normal[0], -normal[1], -normal[2])  # so ascending projection runs feet to head
    if any(_angle_deg(n, normal) > MIXED_TOLERANCE_DEG for _, n in located):
        flags["mixed_orientation"] = True
    tilt = _angle_deg(normal, (0.0, 0.0, 1.0))
    header_tilt = max((abs(r.gantry_tilt) for r in rows), default=0.0)
    kind = type_kind or (AXIAL if tilt <= AXIAL_TOLERANCE_DEG else OTHER)
    if kind == AXIAL and max(tilt, header_tilt) > TILT_FLAG_DEG:
        flags["gantry_tilt_deg"] = round(max(tilt, header_tilt), 2)
    keyed = sorted(
        ((sum(p * q for p, q in zip(r.position, normal, strict=True)), r.instance_number or 0, r.sop_uid)
         for r, _ in located)
    )
    spacing = _spacing_flags([k[0] for k in keyed], flags) if kind != LOCALIZER else None
    order = [k[2] for k in keyed] + [r.sop_uid for r in by_number if not (r.orientation and r.position)]
    if len(rows) == 1:
        flags["single_image"] = True
    return SeriesClassification(kind, order, flags, tuple(round(v, 6) for v in normal), spacing)


def primary_axial(candidates: list[tuple[object, str, dict, int]]):
    """Pick a study's primary axial series from (series, kind, qc_flags, n_instances) tuples, or None.

    Original axial series first, then the one with no severe QC flag, then the most slices.
    """
    axial = [c for c in candidates if c[1] == AXIAL]
    if not axial:
        return None
    return max(axial, key=lambda c: (not any(f in c[2] for f in SEVERE_FLAGS), c[3]))[0]
