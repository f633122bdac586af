"""The cohort's deliberate site difference, measured without a model (docs/synthetic-cohort.md, "Sites").

Acute blood is 55-95 HU against 30-40 HU brain, so the count of soft-tissue voxels in that range separates studies
with and without intracranial hemorrhage where noise is low; scanner noise pushes brain voxels into the range and
out of it, more so at the low-dose, sharp-kernel, thin-slice emergency site (FVE). Each study is scored three ways:
on the pixels its own site's scanner stored (the cohort as the archive holds it), on its head before any scanner
noise (the baseline: no site should stand out there), and on its head as every site's scanner would store it, the
same noise draw scaled and correlated per scanner (a paired comparison: the same heads, so only the scanner differs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter

from synth.patients import SITES, Site
from synth.render import INTERCEPT, add_noise
from synth.study import CohortParams, Study, synthesize_study

ICH = "intracranial_hemorrhage"
BLOOD_HU = (55.0, 95.0)
SOFT_TISSUE_HU = (-50.0, 120.0)


@dataclass(frozen=True)
class SiteScore:
    index: int
    site: str
    scanner: str
    slice_mm: float
    age_days: int
    ich: bool
    score: float  # on the pixels the study's own scanner stored
    noiseless: float  # on the head before scanner noise
    by_scanner: dict[str, float]  # site code -> on the same head as that site's scanner stores it


def blood_score(hu: np.ndarray) -> float:
    """Voxels in the acute-blood range whose in-plane 5x5 neighbourhood is all soft tissue (not bone, not air)."""
    soft = minimum_filter((hu > SOFT_TISSUE_HU[0]) & (hu < SOFT_TISSUE_HU[1]), size=(1, 5, 5))
    return float(np.count_nonzero(soft & (hu >= BLOOD_HU[0]) & (hu <= BLOOD_HU[1])))


def scanned_at(params: CohortParams, study: Study, site: Site) -> np.ndarray:
    """The study's head in HU as `site`'s scanner stores it (the study's own noise draw, that scanner's noise)."""
    stored = add_noise(study.volume.noiseless, study.volume.head.params, params.seed, study.index,
                       noise_scale=site.noise_factor, kernel_sigma=site.kernel_sigma)
    return stored.astype(np.float32) + INTERCEPT


def site_score(params: CohortParams, index: int) -> SiteScore:
    study = synthesize_study(params, index)
    site = study.visit.site
    return SiteScore(index, site.code, f"{site.manufacturer} {site.model}", site.slice_mm, study.visit.age_days,
                     ICH in study.traits, blood_score(study.volume.stored.astype(np.float32) + INTERCEPT),
                     blood_score(study.volume.noiseless),
                     {s.code: blood_score(scanned_at(params, study, s)) for s in SITES})


def site_scores(params: CohortParams, studies: int) -> Iterator[SiteScore]:
    """Studies 0..studies-1 of the cohort, rendered in memory (no files) and scored."""
    return (site_score(params, i) for i in range(studies))
