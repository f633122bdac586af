"""Agreement statistics, cross-checked against independent implementations; Dawid–Skene via crowd-kit."""

from itertools import combinations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from annotation.stats.agreement import agreement, category_counts
from annotation.stats.dawid_skene import dawid_skene


def _ratings(n=150, readers=4, accuracy=0.85, seed=3, k=3):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    noise = rng.integers(0, k, (n, readers))
    return np.where(rng.random((n, readers)) < accuracy, truth[:, None], noise)


def test_complete_data_matches_statsmodels_krippendorff_and_sklearn():
    r = _ratings()
    result = agreement(r, np.arange(len(r)), n_categories=3, n_boot=200)
    assert result["fleiss_kappa"].value == pytest.approx(fleiss_kappa(category_counts(r, 3)), abs=1e-12)
    expected_alpha = krippendorff.alpha(reliability_data=r.T.astype(float), level_of_measurement="nominal")
    assert result["krippendorff_alpha"].value == pytest.approx(expected_alpha, abs=1e-12)
    pairs = [cohen_kappa_score(r[:, a], r[:, b]) for a, b in combinations(range(4), 2)]
    assert result["cohen_kappa"].value == pytest.approx(np.mean(pairs), abs=1e-12)
    assert [p["kappa"] for p in result["cohen_pairs"]] == pytest.approx(pairs, abs=1e-12)
    for name in ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "cohen_kappa"):
        est = result[name]
        assert est.ci_low < est.value < est.ci_high, name


def test_missing_reads_match_krippendorff_and_pairwise_sklearn():
    r = _ratings(n=120, readers=5, seed=7)
    rng = np.random.default_rng(0)
    r[rng.random(r.shape) < 0.35] = -1  # 2 to 5 readers per study, as in a campaign
    result = agreement(r, np.arange(len(r)), n_categories=3, n_boot=0)
    with_nan = np.where(r < 0, np.nan, r).T.astype(float)
    expected = krippendorff.alpha(reliability_data=with_nan, level_of_measurement="nominal")
    assert result["krippendorff_alpha"].value == pytest.approx(expected, abs=1e-12)
    for pair in result["cohen_pairs"]:
        a, b = pair["readers"]
        both = (r[:, a] >= 0) & (r[:, b] >= 0)
        assert pair["kappa"] == pytest.approx(cohen_kappa_score(r[both, a], r[both, b]), abs=1e-12)


def test_gwet_ac1_two_readers_closed_form_and_rare_trait_robustness():
    # Two readers, binary: AC1 = (pa - pe) / (1 - pe), pe = 2 q (1 - q), q the mean positive rate (Gwet 2008).
    a = np.array([1] * 5 + [0] * 90 + [1] * 3 + [0] * 2)
    b = np.array([1] * 5 + [0] * 90 + [0] * 3 + [1] * 2)
    pa = np.mean(a == b)
    q = (a.mean() + b.mean()) / 2
    pe = 2 * q * (1 - q)
    result = agreement(np.stack([a, b], 1), np.arange(len(a)), n_categories=2, n_boot=0)
    assert result["gwet_ac1"].value == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)
    # Rare trait, high raw agreement: kappa is dragged down (the paradox), AC1 is not.
    assert result["gwet_ac1"].value > 0.9 > result["fleiss_kappa"].value


def test_bootstrap_resamples_studies_and_is_reproducible():
    r = _ratings(n=60, readers=3)
    clusters = np.repeat(np.arange(20), 3)  # three traits per study
    one = agreement(r, clusters, n_categories=3, n_boot=300, seed=5)["fleiss_kappa"]
    two = agreement(r, clusters, n_categories=3, n_boot=300, seed=5)["fleiss_kappa"]
    assert one == two and one.n_studies == 20 and one.n_items == 60


def test_dawid_skene_estimates_reader_confusion():
    rng = np.random.default_rng(0)
    sens, spec = [0.95, 0.65, 0.8], [0.97, 0.9, 0.99]
    calls, truth = [], {}
    for item in range(400):
        truth[item] = rng.random() < 0.3
        for reader in range(3):
            hit = rng.random() < (sens[reader] if truth[item] else 1 - spec[reader])
            calls.append((reader, item, int(hit)))
    result = dawid_skene(calls)
    assert result.sensitivity[0] > result.sensitivity[2] > result.sensitivity[1]
    assert result.sensitivity[1] == pytest.approx(0.65, abs=0.1)
    accuracy = np.mean([(result.posterior[i] > 0.5) == truth[i] for i in truth])
    best_single = max(np.mean([c == truth[i] for r, i, c in calls if r == reader]) for reader in range(3))
    assert accuracy > best_single
