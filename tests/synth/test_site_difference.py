"""The synthetic sites differ on purpose (noise, kernel, slice thickness), the DICOM says so, and the evaluation finds
the weaker scanner: the same heads scanned by each site's scanner, scored by a blood-density count and evaluated by
training's own report, come out worst through the emergency site's (FVE), intervals apart from the best."""

import json

import numpy as np
import pydicom

from synth.cohort import generate_cohort
from synth.geometry import Z_BOTTOM_MM, Z_TOP_MM
from synth.patients import SITES
from synth.render import INTERCEPT
from synth.site_check import ICH, scanned_at, site_scores
from synth.study import CohortParams, synthesize_study
from training.config import EvalConfig
from training.report import build_report

BY_CODE = {s.code: s for s in SITES}


def test_sites_differ_in_noise_kernel_and_slice_thickness():
    assert len(SITES) >= 4
    for attribute in ("kernel", "kernel_sigma", "noise_factor"):
        assert len({getattr(s, attribute) for s in SITES}) == len(SITES), attribute
    assert len({s.slice_mm for s in SITES}) >= 4
    assert max(SITES, key=lambda s: s.noise_factor).code == "FVE"
    assert BY_CODE["FVE"].slice_mm == min(s.slice_mm for s in SITES)  # thin slices: the noisiest


def test_the_axial_series_carries_its_site_thickness(tmp_path):
    generate_cohort(tmp_path, studies=10, seed=4, size=32, slices=6, broken_fraction=0.0, sagittal_images=1)
    truth = [json.loads(line) for line in (tmp_path / "ground_truth.jsonl").read_text().splitlines()]
    assert len({r["site"] for r in truth}) >= 3
    for record in truth:
        site = BY_CODE[record["site"]]
        first = next((tmp_path / "dicom" / record["study_folder"] / "SE002_axial").glob("*.dcm"))
        ds = pydicom.dcmread(first, stop_before_pixels=True)
        assert float(ds.SliceThickness) == site.slice_mm and ds.ConvolutionKernel == site.kernel
        assert abs(float(ds.SpacingBetweenSlices) - (Z_TOP_MM - Z_BOTTOM_MM) / 6) < 1e-6  # the series size stays


def _auroc(rows, values, groups=None) -> dict:
    """training's evaluation of one score per study (every fourth study calibration): the report."""
    n = len(rows)
    return build_report(codes=[ICH], high=[0], patients=np.array([str(r.index) for r in rows]),
                        splits=np.where(np.arange(n) % 4 == 0, "calibration", "test"),
                        probs=(np.asarray(values) / (max(values) + 1.0))[:, None],
                        labels=np.array([[float(r.ich)] for r in rows]), groups=groups,
                        cfg=EvalConfig(n_bootstrap=50, target_csmr=0.05, n_thresholds=20))


def test_the_same_heads_are_seen_worst_through_the_emergency_scanner():
    params = CohortParams(seed=3, size=64, slices=12, enrich={ICH: 0.5})
    study = synthesize_study(params, 0)
    own = scanned_at(params, study, study.visit.site)  # the paired scan at its own site is what was stored
    assert np.array_equal(own - INTERCEPT, study.volume.stored)
    rows = list(site_scores(params, 120))
    scanners = {code: _auroc(rows, [r.by_scanner[code] for r in rows])["traits"][0] for code in BY_CODE}
    worst = min(scanners, key=lambda c: scanners[c]["auroc"])
    assert worst == "FVE", {c: t["auroc"] for c, t in scanners.items()}
    best_other = max(t["auroc_lo"] for c, t in scanners.items() if c != "FVE")
    assert scanners["FVE"]["auroc_hi"] < best_other  # apart, intervals and all
    report = _auroc(rows, [r.score for r in rows], groups={"site": np.array([r.site for r in rows])})
    assert {r["group"] for r in report["subgroups"]} == set(BY_CODE)  # the cohort's own evaluation has every site
