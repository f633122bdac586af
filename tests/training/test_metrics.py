"""Evaluation math cross-checked against scikit-learn and scipy, and the certificate on data with a known answer."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from training.metrics import (
    bootstrap_auc,
    bootstrap_roc_band,
    certify_operating_point,
    clopper_pearson_upper,
    patient_bootstrap_counts,
    risk_coverage,
    sensitivity_at_specificity,
    weighted_auroc_ap,
)


def _data(n=400, seed=0, ties=True):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(float)
    s = rng.random(n) + 0.6 * y
    return (np.round(s, 1) if ties else s), y, rng


@pytest.mark.parametrize("ties", [True, False])
def test_auroc_and_ap_match_sklearn(ties):
    s, y, rng = _data(ties=ties)
    auc, ap = weighted_auroc_ap(s, y)
    assert auc[0] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert ap[0] == pytest.approx(average_precision_score(y, s), abs=1e-12)
    w = rng.integers(0, 4, len(s)).astype(float)
    auc, ap = weighted_auroc_ap(s, y, w)
    assert auc[0] == pytest.approx(roc_auc_score(y, s, sample_weight=w), abs=1e-12)
    assert ap[0] == pytest.approx(average_precision_score(y, s, sample_weight=w), abs=1e-12)


def test_bootstrap_resamples_are_patient_multiplicities_scored_like_sklearn():
    s, y, _ = _data(300)
    patients = np.arange(300) // 3  # three studies per patient
    counts = patient_bootstrap_counts(100, 5, np.random.default_rng(4))
    assert counts.shape == (100, 5) and (counts.sum(0) == 100).all()
    weights = counts[patients]  # a study counts as often as its patient was drawn
    auc, ap = weighted_auroc_ap(s, y, weights)
    for r in range(5):
        assert auc[r] == pytest.approx(roc_auc_score(y, s, sample_weight=weights[:, r]), abs=1e-6)
        assert ap[r] == pytest.approx(average_precision_score(y, s, sample_weight=weights[:, r]), abs=1e-6)


def test_bootstrap_ci_brackets_the_estimate_and_skips_unknown_labels():
    s, y, rng = _data(600, ties=False)
    scores = np.stack([s, rng.random(600)], 1)
    labels = np.stack([y, y], 1)
    labels[:50, 1] = np.nan
    out = bootstrap_auc(scores, labels, np.arange(600) // 2, n_resamples=300, seed=1)
    assert out["auroc"][0] == pytest.approx(roc_auc_score(y, s))
    assert out["auroc"][1] == pytest.approx(roc_auc_score(y[50:], scores[50:, 1]))
    assert out["n"].tolist() == [600, 550]
    for k in ("auroc", "auprc"):
        assert (out[f"{k}_lo"] <= out[k]).all() and (out[k] <= out[f"{k}_hi"]).all()
    assert out["auroc_hi"][0] - out["auroc_lo"][0] < 0.12
    assert out["auroc_lo"][1] < 0.5 < out["auroc_hi"][1]  # an uninformative score: the CI covers chance


def test_bootstrap_is_patient_level():
    # every patient has 10 identical studies: a study-level bootstrap would give a CI about 3x too narrow
    s, y, _ = _data(60, ties=False)
    scores, labels = np.repeat(s, 10), np.repeat(y, 10)
    by_patient = bootstrap_auc(scores, labels, np.repeat(np.arange(60), 10), n_resamples=400)
    by_study = bootstrap_auc(scores, labels, np.arange(600), n_resamples=400)
    width = lambda o: o["auroc_hi"][0] - o["auroc_lo"][0]  # noqa: E731
    assert width(by_patient) > 2 * width(by_study)


def test_roc_band_contains_the_curve():
    s, y, _ = _data(500, ties=False)
    band = bootstrap_roc_band(s, y, np.arange(500), n_resamples=100)
    fpr, tpr, _ = roc_curve(y, s)
    np.testing.assert_allclose(band["tpr"], np.interp(band["fpr"], fpr, tpr), atol=0.02)
    assert (band["tpr_lo"] <= band["tpr"] + 1e-9).all() and (band["tpr"] <= band["tpr_hi"] + 1e-9).all()


@pytest.mark.parametrize("spec", [0.8, 0.9, 0.95])
def test_sensitivity_at_specificity_matches_roc_curve(spec):
    s, y, _ = _data(500)
    fpr, tpr, _ = roc_curve(y, s)
    expected = tpr[fpr <= 1 - spec].max()
    sens, threshold = sensitivity_at_specificity(s, y, spec)
    assert sens == pytest.approx(expected)
    assert np.mean(s[y == 0] < threshold) >= spec  # the threshold keeps the specificity (predict positive at >=)


@pytest.mark.parametrize("k,n", [(0, 10), (1, 10), (3, 250), (9, 1000), (0, 359), (10, 10)])
def test_clopper_pearson_matches_scipy(k, n):
    expected = binomtest(k, n, alternative="less").proportion_ci(confidence_level=0.95, method="exact").high
    assert float(clopper_pearson_upper(k, n, 0.05)) == pytest.approx(expected, rel=1e-9)


def test_a_low_observed_rate_can_have_a_bound_above_the_reference():
    # 4 misses in 1,000 reported studies is 0.4% observed, yet its 95% upper bound exceeds the 0.83% reference
    upper = float(clopper_pearson_upper(4, 1000, 0.05))
    assert 0.0083 < upper < 0.0095


def test_risk_coverage_counts_misses_among_reported():
    score = np.array([0.1, 0.2, 0.2, 0.5, 0.9])
    miss = np.array([0, 0, 1, 0, 1])
    rc = risk_coverage(score, miss)
    np.testing.assert_allclose(rc["coverage"], [0.2, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(rc["misses"], [0, 1, 1, 2])
    np.testing.assert_allclose(rc["csmr"], [0, 1 / 3, 1 / 4, 2 / 5])


def _brute_force_certificate(score, miss, target, delta, grid):
    """Fixed sequence by hand: from low to high coverage, skip what cannot pass, stop at the first failure."""
    n_min = math.ceil(math.log(delta) / math.log(1 - target))
    best = None
    for t in grid:
        rep = score <= t
        n, k = int(rep.sum()), int(miss[rep].sum())
        if n < n_min:
            continue
        upper = binomtest(k, n, alternative="less").proportion_ci(confidence_level=1 - delta, method="exact").high
        if upper >= target:
            break
        best = (t, n)
    return best


def test_certificate_on_constructed_data_with_known_answer():
    # 2,000 calibration studies, scores in order; misses (any high trait) only among the highest 800 scores,
    # then at rate 1/2: the certified coverage must stop right where the misses begin
    n = 2000
    score = np.arange(n) / n
    miss = np.zeros(n)
    miss[1200::2] = 1
    out = certify_operating_point(score, miss, target=0.01, delta=0.05, n_thresholds=100)
    point = out["point"]
    assert out["certified"]
    assert point.misses <= 2 and point.csmr_upper < 0.01
    assert 0.58 <= point.coverage <= 0.61  # the 1,200 clean studies, to within one grid step
    grid = np.unique(np.quantile(score, np.linspace(0, 1, 101)[1:], method="inverted_cdf"))
    t, n_rep = _brute_force_certificate(score, miss, 0.01, 0.05, grid)
    assert point.threshold == t and point.reported == n_rep


def test_certificate_refers_everything_when_nothing_can_be_certified():
    score = np.arange(100) / 100
    miss = np.zeros(100)  # perfect, but 100 studies cannot certify 1% (needs 299 clean ones)
    out = certify_operating_point(score, miss, target=0.01)
    assert not out["certified"] and out["point"].coverage == 0 and out["min_reported"] == 299


def test_fixed_sequence_stops_at_the_first_failure():
    # clean up to 40%, a cluster of misses at 40-45%, clean again after: the later clean region is never reached
    n = 4000
    score = np.arange(n) / n
    miss = np.zeros(n)
    miss[1600:1800] = 1
    out = certify_operating_point(score, miss, target=0.02, n_thresholds=100)
    assert out["point"].coverage <= 0.42


def test_a_later_start_keeps_one_early_miss_from_ending_the_sequence():
    # 200 studies, clean but for one miss among the 10 lowest scores and a cluster above 60%
    n = 200
    score = np.arange(n) / n
    miss = np.zeros(n)
    miss[5] = 1
    miss[130:] = 1
    early = certify_operating_point(score, miss, target=0.05, n_thresholds=100)
    assert not early["certified"] and early["first_tested"].misses == 1 and early["start_reported"] == 59
    later = certify_operating_point(score, miss, target=0.05, n_thresholds=100, start_reported=100)
    assert later["certified"] and later["start_reported"] == 100
    assert later["first_tested"].reported == 100 and later["point"].misses == 1
    assert later["point"].csmr_upper < 0.05 and later["point"].reported <= 130
    # the start never goes below the zero-miss minimum
    assert certify_operating_point(score, miss, target=0.05, start_reported=3)["start_reported"] == 59
