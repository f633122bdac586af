"""Synthetic patients, sites and study identifiers, with real-looking PHI on purpose.

Every value is invented. The headers carry it so that de-identification has real work to do.
A patient's identity comes from a patient key; follow-up studies reuse an earlier study's key so
the cohort has priors, while each study stays computable on its own (no generation order).
"""

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from synth.streams import stream

FIRST_F = ("Maria", "Aisha", "Emily", "Olivia", "Mei", "Fatima", "Sofia", "Grace", "Hannah", "Priya", "Chloe",
           "Yuki", "Amara", "Elena", "Zoe", "Ingrid", "Leila", "Nora", "Rosa", "Camille", "Beatriz", "Ana")
FIRST_M = ("James", "Mohammed", "Wei", "Carlos", "Daniel", "Liam", "Kenji", "Omar", "Lucas", "Arjun", "David",
           "Mateo", "Samuel", "Ivan", "Noah", "Tomas", "Kwame", "Hiro", "Pierre", "Rafael", "Elijah", "Jonas")
LAST = ("Garcia", "Nguyen", "Smith", "Okafor", "Müller", "Rossi", "Kim", "Patel", "Johnson", "Cohen", "Silva",
        "Novak", "Haddad", "Tanaka", "Williams", "Kowalski", "Brown", "Ivanova", "O'Brien", "Dubois", "Hansen",
        "Chen", "Martinez", "Abebe", "Lindqvist", "Rahman", "Moreau", "Fischer", "Costa", "Walker", "Yamamoto")
MIDDLE = ("A", "B", "C", "D", "E", "J", "K", "L", "M", "R", "S", "T", "")
STREETS = ("Oak St", "Maple Ave", "Elm Rd", "Harbor Blvd", "Cedar Ln", "Lake Dr", "Main St", "Hillcrest Way")
CITIES = ("Springfield", "Riverton", "Lakeside", "Fairview", "Georgetown", "Madison", "Ashland", "Clinton")


# The slice thickness a site's noise_scale is stated at: CT noise grows as the slice thins (fewer photons per voxel).
REFERENCE_SLICE_MM = 5.0


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    address: str
    manufacturer: str
    model: str
    station: str
    kvp: int
    kernel: str
    # How the scanner renders: quantum noise relative to the head's own level at 5 mm slices (dose and detector), the
    # in-plane correlation of that noise (Gaussian sigma in pixels: a smooth kernel correlates it more, a sharp one
    # less), and the reconstructed slice thickness. The differences are deliberate (docs/synthetic-cohort.md): the
    # emergency site's low-dose, sharp-kernel, thin-slice scans hide small findings.
    noise_scale: float = 1.0
    kernel_sigma: float = 0.7
    slice_mm: float = REFERENCE_SLICE_MM

    @property
    def noise_factor(self) -> float:
        """The noise SD against the head's own level, at this site's slice thickness (SD ~ 1/sqrt(thickness))."""
        return self.noise_scale * math.sqrt(REFERENCE_SLICE_MM / self.slice_mm)


# noise_factor (what the pixels get): SMH 1.0, UMC 0.8, LKS 1.2, FVE 3.0, CLN 0.7.
SITES = (
    Site("SMH", "St. Margaret Hospital", "100 Harbor Blvd, Riverton", "GE MEDICAL SYSTEMS", "LightSpeed VCT",
         "SMHCT01", 120, "STANDARD"),
    Site("UMC", "University Medical Center", "1 University Pl, Madison", "SIEMENS", "SOMATOM Definition AS+",
         "UMC-CT2", 120, "H31s", noise_scale=0.8 / math.sqrt(2.0), kernel_sigma=0.9, slice_mm=2.5),
    Site("LKS", "Lakeside Community Hospital", "45 Lake Dr, Lakeside", "Philips", "Ingenuity CT", "LKSCT",
         120, "UB", noise_scale=1.2, kernel_sigma=0.6),
    Site("FVE", "Fairview Emergency Imaging", "9 Main St, Fairview", "TOSHIBA", "Aquilion ONE", "FVE_CT_ER",
         100, "FC26", noise_scale=1.5, kernel_sigma=0.4, slice_mm=1.25),
    Site("CLN", "Clinton Neuro Institute", "77 Cedar Ln, Clinton", "CANON", "Aquilion Prime SP", "CLN-NEURO",
         120, "FC21", noise_scale=0.7 / math.sqrt(5.0 / 3.0), kernel_sigma=1.0, slice_mm=3.0),
)

PHYSICIANS = tuple(f"{last}^{first}^^Dr^MD" for first, last in zip(
    ("Grace", "Samuel", "Leila", "Arjun", "Ingrid", "Kwame", "Elena", "Tomas", "Yuki", "Rafael"),
    ("Okafor", "Cohen", "Haddad", "Patel", "Hansen", "Abebe", "Rossi", "Novak", "Tanaka", "Costa"),
    strict=True))

EPOCH = dt.date(2019, 1, 1)
SPAN_DAYS = 6 * 365


@dataclass(frozen=True)
class Patient:
    key: int
    patient_id: str
    family: str
    given: str
    middle: str
    sex: str
    birth_date: dt.date
    other_id: str
    address: str
    phone: str

    @property
    def dicom_name(self) -> str:
        return f"{self.family}^{self.given}^{self.middle}"


@dataclass(frozen=True)
class Visit:
    """One imaging visit: who, where, when, and the identifiers the hospital gives the study."""

    patient: Patient
    site: Site
    study_date: dt.date
    study_time: str
    age_days: int
    accession_number: str
    referring: str
    reader: str
    prior_date: dt.date | None  # a comparison study, when the patient had one

    @property
    def age_years(self) -> float:
        return self.age_days / 365.25

    @property
    def dicom_age(self) -> str:
        """PatientAge as DICOM writes it: days under a month, weeks, months, then years."""
        d = self.age_days
        if d < 28:
            return f"{d:03d}D"
        if d < 120:
            return f"{d // 7:03d}W"
        if d < 730:
            return f"{int(d / 30.44):03d}M"
        return f"{int(d / 365.25):03d}Y"


def sample_age_days(rng: np.random.Generator) -> int:
    """Head-CT age mix: some newborns and children, mostly adults, many geriatric patients."""
    band = rng.choice(4, p=[0.02, 0.08, 0.5, 0.4])
    lo, hi = [(0, 28), (28, 18 * 365), (18 * 365, 65 * 365), (65 * 365, 100 * 365)][band]
    return int(rng.integers(lo, hi))


def _patient(seed: int, key: int, age_days: int, on: dt.date) -> Patient:
    rng = stream(seed, key, "patient")
    sex = str(rng.choice(["F", "M"]))
    given = str(rng.choice(FIRST_F if sex == "F" else FIRST_M))
    return Patient(
        key=key,
        patient_id=f"{rng.integers(10, 99)}{key:06d}{rng.integers(0, 9)}",
        family=str(rng.choice(LAST)),
        given=given,
        middle=str(rng.choice(MIDDLE)),
        sex=sex,
        birth_date=on - dt.timedelta(days=age_days),
        other_id=f"MRN-{rng.integers(100000, 999999)}{key % 97:02d}",
        address=f"{rng.integers(1, 999)} {rng.choice(STREETS)}, {rng.choice(CITIES)}",
        phone=f"555-{rng.integers(100, 999)}-{rng.integers(1000, 9999)}",
    )


def _first_visit(seed: int, key: int):
    rng = stream(seed, key, "visit")
    age = sample_age_days(rng)
    date = EPOCH + dt.timedelta(days=int(rng.integers(0, SPAN_DAYS)))
    return age, date, rng


def visit_for(seed: int, index: int, follow_up_rate: float = 0.12) -> Visit:
    """The visit of study `index`; some studies are follow-ups of an earlier study's patient."""
    rng = stream(seed, index, "follow-up")
    key = index
    prior = None
    if index > 0 and rng.random() < follow_up_rate:
        key = int(rng.integers(0, index))
    age0, date0, vrng = _first_visit(seed, key)
    if key != index:
        prior = date0
        gap = int(rng.integers(1, 400))
        age, date = age0 + gap, date0 + dt.timedelta(days=gap)
    else:
        age, date = age0, date0
        if vrng.random() < 0.25:  # a comparison study outside this cohort
            prior = date - dt.timedelta(days=int(vrng.integers(30, 1500)))
    patient = _patient(seed, key, age0, date0)
    site = SITES[int(rng.integers(0, len(SITES)))]
    seconds = int(rng.integers(0, 86400))
    return Visit(
        patient=patient,
        site=site,
        study_date=date,
        study_time=f"{seconds // 3600:02d}{seconds // 60 % 60:02d}{seconds % 60:02d}",
        age_days=age,
        accession_number=f"{site.code}{date:%y}{index:07d}",
        referring=str(rng.choice(PHYSICIANS)),
        reader=str(rng.choice(PHYSICIANS)),
        prior_date=prior,
    )
