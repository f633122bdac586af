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


# --- the pairwise Cohen bootstrap and the shared weights against the former dense computation ------------------


def _dense_bootstrap(features, clusters, statistic, n_boot, seed):
    """The bootstrap as it was: per-cluster sums by np.add.at, fresh integer weights, one dense product."""
    from annotation.stats.bootstrap import percentile_estimate

    _, index = np.unique(clusters, return_inverse=True)
    per_cluster = np.zeros((index.max() + 1, features.shape[1]))
    np.add.at(per_cluster, index, features)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = statistic(per_cluster.sum(axis=0, keepdims=True))[0]
        weights = np.random.default_rng(seed).multinomial(
            len(per_cluster), np.full(len(per_cluster), 1 / len(per_cluster)), size=n_boot)
        replicates = statistic(weights @ per_cluster)
    return percentile_estimate(value, replicates, n_boot, len(features), len(per_cluster))


def _dense_cohen(ratings, clusters, k, n_boot, seed):
    """Every reader pair's per-item K x K one-hot block side by side, bootstrapped densely (the former code)."""
    from annotation.stats.agreement import cohen_kappas, light_kappa

    keep = (ratings >= 0).sum(axis=1) >= 2
    ratings, clusters = ratings[keep], clusters[keep]
    blocks, pairs = [], []
    for a, b in combinations(range(ratings.shape[1]), 2):
        both = (ratings[:, a] >= 0) & (ratings[:, b] >= 0)
        if both.sum() >= 2:
            block = np.zeros((len(ratings), k * k))
            block[np.flatnonzero(both), ratings[both, a] * k + ratings[both, b]] = 1.0
            blocks.append(block)
            pairs.append((a, b))
    features = np.hstack(blocks)

    def light(sums):
        return light_kappa(cohen_kappas(sums.reshape(len(sums), len(pairs), k, k)))

    return _dense_bootstrap(features, clusters, light, n_boot, seed), pairs


def _campaign_like(n_items=240, n_readers=12, per_item=3, seed=11):
    """Three of twelve readers per item (some pairs rare), one item in six uncertain-heavy, traits tiled per study."""
    rng = np.random.default_rng(seed)
    ratings = np.full((n_items, n_readers), -1)
    truth = (rng.random(n_items) < 0.2).astype(int)
    for i in range(n_items):
        chosen = rng.choice(n_readers, size=per_item if i % 7 else 2, replace=False, p=np.linspace(1, 3, n_readers)
                            / np.linspace(1, 3, n_readers).sum())
        flip = rng.random(len(chosen)) < 0.15
        ratings[i, chosen] = np.where(flip, rng.integers(0, 3, len(chosen)), truth[i])
    return ratings, np.repeat(np.arange(n_items // 3), 3)  # three items (traits) per study


@pytest.mark.parametrize("n_boot", [0, 1, 200])
def test_pairwise_cohen_bootstrap_equals_the_dense_product(monkeypatch, n_boot):
    from annotation.stats import agreement as module

    monkeypatch.setattr(module, "BOOT_CELLS", 700)  # several chunks of replicates
    ratings, clusters = _campaign_like()
    result = agreement(ratings, clusters, n_categories=3, n_boot=n_boot, seed=4)
    expected, pairs = _dense_cohen(ratings, clusters, 3, max(n_boot, 1), 4)
    if n_boot == 0:
        expected = expected.__class__(expected.value, None, None, expected.n_items, expected.n_studies)
    assert result["cohen_kappa"] == expected  # identical floats: every sum is an integer count
    assert [p["readers"] for p in result["cohen_pairs"]] == pairs
    for pair in result["cohen_pairs"]:
        a, b = pair["readers"]
        both = (ratings[:, a] >= 0) & (ratings[:, b] >= 0)
        assert pair["n_common"] == both.sum()
        assert pair["kappa"] == pytest.approx(cohen_kappa_score(ratings[both, a], ratings[both, b]), abs=1e-12)


def test_shared_weights_give_each_statistic_its_own_draw():
    from annotation.stats.agreement import alpha_features, alpha_statistic, fleiss_features, fleiss_statistic
    from annotation.stats.bootstrap import Resampler

    ratings, clusters = _campaign_like(seed=5)
    resampler = Resampler(300, 9)
    other, _ = _campaign_like(seed=6)
    agreement(other, clusters, n_categories=3, n_boot=300, seed=9, resampler=resampler)  # another trait drew first
    result = agreement(ratings, clusters, n_categories=3, n_boot=300, seed=9, resampler=resampler)
    keep = (ratings >= 0).sum(axis=1) >= 2
    counts = category_counts(ratings[keep], 3)
    for name, features, statistic in (("fleiss_kappa", fleiss_features, fleiss_statistic),
                                      ("krippendorff_alpha", alpha_features, alpha_statistic)):
        expected = _dense_bootstrap(features(counts), clusters[keep], statistic, 300, 9)
        assert result[name].value == expected.value
        assert result[name].ci_low == pytest.approx(expected.ci_low, abs=1e-12)
        assert result[name].ci_high == pytest.approx(expected.ci_high, abs=1e-12)
    with pytest.raises(ValueError):
        agreement(ratings, clusters, n_categories=3, n_boot=100, seed=9, resampler=resampler)


def test_reader_pairs_walks_each_items_reading_slots():
    from annotation.stats.agreement import Slots, reader_pairs, slots_of

    ratings = np.array([[0, -1, 2, 1], [-1, -1, 1, -1], [1, 1, 1, 1]])
    slots = slots_of(ratings)
    assert slots.codes.tolist() == [[0, 2, 1, -1], [1, -1, -1, -1], [1, 1, 1, 1]]
    assert slots.readers.tolist() == [[0, 2, 3, -1], [2, -1, -1, -1], [0, 1, 2, 3]]
    items, pairs, cells = reader_pairs(slots, 3)
    got = sorted(zip(items.tolist(), pairs.tolist(), cells.tolist(), strict=True))
    expected = sorted([(0, 0 * 4 + 2, 0 * 3 + 2), (0, 0 * 4 + 3, 0 * 3 + 1), (0, 2 * 4 + 3, 2 * 3 + 1)]
                      + [(2, a * 4 + b, 4) for a, b in combinations(range(4), 2)])
    assert got == expected
    # A read without this trait's label (a reader in the slot, no code) pairs with no one.
    gap = Slots(np.array([[0, -1, 1]]), np.array([[0, 1, 2]]), 3)
    assert reader_pairs(gap, 3)[1].tolist() == [0 * 3 + 2]
