"""Plain records the writer consumes: one study, one consensus label, one read, one decoded volume."""

from dataclasses import dataclass, field

import numpy as np

SPLITS = ("train", "calibration", "test")


@dataclass(frozen=True)
class StudyInput:
    """A study to export: pseudonymous ids only, plus an opaque reference the volume loader understands."""

    study_id: str
    patient_id: str
    volume_ref: str
    site: str = ""  # the site's pseudonym, for subgroup evaluation (never a name)
    scanner: str = ""  # make and model
    age_band: str = ""  # the patient's age band at the study ("40-64"), never an age or a date


@dataclass(frozen=True)
class LabelInput:
    study_id: str
    trait: str
    label: int
    soft_label: float
    n_reads: int
    adjudicated: bool
    slice_ranges: tuple[tuple[int, int], ...] = ()
    key_images: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReadInput:
    study_id: str
    reader: str
    trait: str
    value: str  # present, absent or uncertain
    slice_ranges: tuple[tuple[int, int], ...] = ()


@dataclass
class Volume:
    """A decoded primary axial series: int16 HU (slices, rows, cols), inferior to superior."""

    hu: np.ndarray
    pixel_spacing_mm: tuple[float, float]
    slice_thickness_mm: float
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StudyPlacement:
    """Where a study landed: its shard, first slice and slice count, and its geometry after resampling."""

    study_id: str
    shard: str
    offset: int
    n_slices: int
    pixel_spacing_mm: float
    slice_thickness_mm: float
