"""Subgroup evaluation in report.json: AUROC with intervals and the operating point per site, scanner, slice
thickness band and age band; too-small subgroups are reported as such; a forest plot per trait."""

import numpy as np
import pandas as pd

from training.config import EvalConfig
from training.report import build_report, write_report
from training.subgroups import MIN_CASES, plot_forest, subgroup_columns, thickness_band


def test_columns_become_subgroups_and_thickness_is_banded():
    studies = pd.DataFrame({"site": ["a", "", None], "slice_thickness_mm": [0.625, 2.5, 5.0],
                            "patient_id": ["p1", "p2", "p3"], "age_band": ["80+", "", "0-17"]})
    groups = subgroup_columns(studies)
    assert list(groups) == ["site", "slice_thickness", "age_band"]
    assert groups["age_band"].tolist() == ["80+", "unknown", "0-17"]
    assert groups["site"].tolist() == ["a", "unknown", "unknown"]
    assert groups["slice_thickness"].tolist() == ["<= 1.5 mm", "1.5-3.5 mm", "> 3.5 mm"]
    assert thickness_band(float("nan")) == "unknown"


def test_the_report_finds_the_site_where_the_model_fails(tmp_path):
    rng = np.random.default_rng(0)
    n = 600
    site = np.array(["good", "bad", "tiny"])[np.r_[np.zeros(280, int), np.ones(280, int), np.full(40, 2)]]
    labels = (rng.random((n, 1)) < 0.3).astype(float)
    labels[site == "tiny"] = 0.0
    labels[np.flatnonzero(site == "tiny")[:2]] = 1.0  # two positives: too few to say anything
    signal = np.where(site == "bad", 0.3, 3.0)  # the scanner at the bad site hides the finding
    probs = 1 / (1 + np.exp(-(signal[:, None] * (labels - 0.5) + rng.normal(0, 1, (n, 1)))))
    splits = np.where(np.arange(n) % 2 == 0, "test", "calibration")
    patients = np.array([f"p{i}" for i in range(n)])
    cfg = EvalConfig(n_bootstrap=200, target_csmr=0.2, n_thresholds=20)
    report = build_report(codes=["ich"], high=[0], patients=patients, splits=splits, probs=probs, labels=labels,
                          cfg=cfg, groups={"site": site})
    rows = {r["group"]: r for r in report["subgroups"]}
    good, bad, tiny = (rows[g]["traits"][0] for g in ("good", "bad", "tiny"))
    assert good["auroc_lo"] > bad["auroc_hi"]  # the difference is found, intervals apart
    assert tiny["too_small"] and tiny["auroc"] is None and tiny["n_positive"] < MIN_CASES
    assert rows["tiny"]["n"] == 20 and set(rows["bad"]["operating_point"]) >= {"csmr", "csmr_upper", "coverage"}
    write_report(report, tmp_path, probs=probs, labels=labels, patients=patients, splits=splits, codes=["ich"])
    assert (tmp_path / "forest" / "ich.png").stat().st_size > 1000


def test_the_report_has_an_age_band_subgroup_with_intervals_and_the_operating_point():
    rng = np.random.default_rng(1)
    n = 400
    studies = pd.DataFrame({"site": rng.choice(["S1", "S2"], n), "slice_thickness_mm": rng.choice([1.25, 5.0], n),
                            "age_band": rng.choice(["18-39", "40-64", "65-79", ""], n)})
    groups = subgroup_columns(studies)
    assert list(groups) == ["site", "slice_thickness", "age_band"]
    labels = (rng.random((n, 1)) < 0.3).astype(float)
    probs = 1 / (1 + np.exp(-(2.0 * (labels - 0.5) + rng.normal(0, 1, (n, 1)))))
    splits = np.where(np.arange(n) % 2 == 0, "test", "calibration")
    report = build_report(codes=["ich"], high=[0], patients=np.array([f"p{i}" for i in range(n)]), splits=splits,
                          probs=probs, labels=labels, cfg=EvalConfig(n_bootstrap=100, target_csmr=0.2, n_thresholds=20),
                          groups=groups)
    ages = [r for r in report["subgroups"] if r["attribute"] == "age_band"]
    assert [r["group"] for r in ages] == ["18-39", "40-64", "65-79", "unknown"]
    for row in ages:
        t = row["traits"][0]
        assert not t["too_small"] and t["auroc_lo"] <= t["auroc_hi"] and 0.5 < t["auroc"] <= 1.0
        point = row["operating_point"]
        assert point["reported"] <= row["n"] and (point["csmr_upper"] is None or point["csmr_upper"] >= point["csmr"])
    assert sum(r["n"] for r in ages) == int((splits == "test").sum())


def test_the_forest_plot_draws_an_interval_that_misses_its_estimate(tmp_path):
    # A small subgroup's percentile-bootstrap interval can lie wholly below its point estimate, or be undefined.
    overall = {"auroc": 0.8, "auroc_lo": 0.7, "auroc_hi": 0.9, "n_positive": 20}
    rows = [{"attribute": "site", "group": "A", "traits": [
                {"code": "t", "auroc": 0.9, "auroc_lo": 0.6, "auroc_hi": 0.85, "n_positive": 6, "too_small": False}]},
            {"attribute": "site", "group": "B", "traits": [
                {"code": "t", "auroc": 0.4, "auroc_lo": float("nan"), "auroc_hi": 0.7, "n_positive": 5,
                 "too_small": False}]}]
    path = tmp_path / "forest.png"
    plot_forest(path, "t", overall, rows)
    assert path.stat().st_size > 1000
