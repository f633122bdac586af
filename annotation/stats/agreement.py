"""Chance-corrected agreement of many readers: Cohen's kappa (pairs), Fleiss' kappa, Krippendorff's alpha, Gwet's AC1.

Input is a ratings matrix (items x readers, category codes 0..K-1, -1 where a reader did not read
the item) and the study each item belongs to (for the cluster bootstrap). Owned rather than taken
from statsmodels/krippendorff/sklearn because those need equal readers per item or one call per
replicate; here each statistic is a ratio of per-item sums, which handles 2-5 readers with missing
reads and makes the bootstrap one matrix product. The tests cross-check every figure against them.
Items read by fewer than two readers carry no agreement information and are left out.
"""

import warnings
from itertools import combinations

import numpy as np

from .bootstrap import Estimate, bootstrap_estimate

STATISTICS = ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "cohen_kappa")


def category_counts(ratings: np.ndarray, n_categories: int) -> np.ndarray:
    """(items, readers) codes -> (items, K) counts of readers per category."""
    onehot = ratings[:, :, None] == np.arange(n_categories)[None, None, :]
    return onehot.sum(axis=1).astype(float)


def _pairable(ratings: np.ndarray, clusters: np.ndarray):
    keep = (ratings >= 0).sum(axis=1) >= 2
    return ratings[keep], np.asarray(clusters)[keep]


def _observed_agreement(counts: np.ndarray) -> np.ndarray:
    """Per item: the fraction of agreeing ordered reader pairs."""
    r = counts.sum(axis=1)
    return ((counts**2).sum(axis=1) - r) / (r * (r - 1))


def fleiss_features(counts: np.ndarray) -> np.ndarray:
    # Fleiss' kappa generalised to unequal readers per item: P_i averaged over items, p_k over ratings.
    r = counts.sum(axis=1, keepdims=True)
    return np.hstack([_observed_agreement(counts)[:, None], np.ones_like(r), counts, r])


def fleiss_statistic(sums: np.ndarray) -> np.ndarray:
    p_bar = sums[:, 0] / sums[:, 1]
    p_k = sums[:, 2:-1] / sums[:, -1:]
    p_e = (p_k**2).sum(axis=1)
    return (p_bar - p_e) / (1 - p_e)


def alpha_features(counts: np.ndarray) -> np.ndarray:
    # Nominal alpha from the coincidence matrix: only its diagonal and marginals are needed.
    r = counts.sum(axis=1, keepdims=True)
    diagonal = ((counts**2 - counts) / (r - 1)).sum(axis=1, keepdims=True)
    return np.hstack([diagonal, counts])


def alpha_statistic(sums: np.ndarray) -> np.ndarray:
    n_k = sums[:, 1:]
    n = n_k.sum(axis=1)
    disagreement = n - sums[:, 0]
    expected = n**2 - (n_k**2).sum(axis=1)
    return 1 - (n - 1) * disagreement / expected


def ac1_features(counts: np.ndarray) -> np.ndarray:
    r = counts.sum(axis=1, keepdims=True)
    return np.hstack([_observed_agreement(counts)[:, None], np.ones_like(r), counts / r])


def ac1_statistic(sums: np.ndarray) -> np.ndarray:
    p_a = sums[:, 0] / sums[:, 1]
    pi_k = sums[:, 2:] / sums[:, 1:2]
    n_categories = pi_k.shape[1]
    p_e = (pi_k * (1 - pi_k)).sum(axis=1) / (n_categories - 1)
    return (p_a - p_e) / (1 - p_e)


def cohen_features(a: np.ndarray, b: np.ndarray, n_categories: int) -> np.ndarray:
    """Per item of one reader pair: the flattened K x K confusion contribution (zero where either is missing)."""
    both = (a >= 0) & (b >= 0)
    out = np.zeros((len(a), n_categories * n_categories))
    out[np.flatnonzero(both), a[both] * n_categories + b[both]] = 1.0
    return out


def cohen_statistic(n_categories: int):
    def statistic(sums: np.ndarray) -> np.ndarray:
        table = sums.reshape(len(sums), n_categories, n_categories)
        n = table.sum(axis=(1, 2))
        p_o = np.trace(table, axis1=1, axis2=2) / n
        p_e = (table.sum(axis=2) * table.sum(axis=1)).sum(axis=1) / n**2
        return (p_o - p_e) / (1 - p_e)

    return statistic


def mean_pairwise_cohen(offsets: list[int], n_categories: int):
    """Light's kappa: the mean of the pairwise Cohen's kappas (pairs with undefined kappa left out)."""
    statistic = cohen_statistic(n_categories)

    def mean(sums: np.ndarray) -> np.ndarray:
        kappas = np.stack([statistic(sums[:, i : i + n_categories**2]) for i in offsets], axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a replicate where every pair is undefined -> NaN
            return np.nanmean(np.where(np.isfinite(kappas), kappas, np.nan), axis=1)

    return mean


def _cohen(ratings, clusters, n_categories, min_common, **boot):
    pairs, blocks = [], []
    for a, b in combinations(range(ratings.shape[1]), 2):
        common = int(((ratings[:, a] >= 0) & (ratings[:, b] >= 0)).sum())
        if common >= min_common:
            pairs.append((a, b, common))
            blocks.append(cohen_features(ratings[:, a], ratings[:, b], n_categories))
    if not blocks:
        return Estimate(None, None, None, 0, 0), []
    features = np.hstack(blocks)
    offsets = [i * n_categories**2 for i in range(len(blocks))]
    overall = bootstrap_estimate(features, clusters, mean_pairwise_cohen(offsets, n_categories), **boot)
    per_pair = []
    statistic = cohen_statistic(n_categories)
    for (a, b, common), block in zip(pairs, blocks, strict=True):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = statistic(block.sum(axis=0, keepdims=True))[0]
        per_pair.append({"readers": (a, b), "n_common": common, "kappa": float(value) if np.isfinite(value) else None})
    return overall, per_pair


_FEATURES = {
    "fleiss_kappa": (fleiss_features, fleiss_statistic),
    "krippendorff_alpha": (alpha_features, alpha_statistic),
    "gwet_ac1": (ac1_features, ac1_statistic),
}


def agreement_statistics(ratings: np.ndarray, clusters: np.ndarray, *, n_categories: int, statistics=tuple(_FEATURES),
                         n_boot: int = 1000, seed: int = 0) -> dict:
    """Some of Fleiss' kappa, Krippendorff's alpha and Gwet's AC1 with bootstrap 95% CIs (no pairwise Cohen)."""
    ratings, clusters = _pairable(np.asarray(ratings, dtype=int), clusters)
    counts = category_counts(ratings, n_categories)
    return {name: bootstrap_estimate(_FEATURES[name][0](counts), clusters, _FEATURES[name][1], n_boot=n_boot, seed=seed)
            for name in statistics}


def agreement(
    ratings: np.ndarray,
    clusters: np.ndarray,
    *,
    n_categories: int,
    n_boot: int = 1000,
    seed: int = 0,
    min_common: int = 2,
) -> dict:
    """All four statistics with bootstrap 95% CIs, plus the pairwise Cohen's kappas (reader column indices)."""
    ratings, clusters = _pairable(np.asarray(ratings, dtype=int), clusters)
    boot = {"n_boot": n_boot, "seed": seed}
    cohen, pairs = _cohen(ratings, clusters, n_categories, min_common, **boot)
    return {**agreement_statistics(ratings, clusters, n_categories=n_categories, **boot),
            "cohen_kappa": cohen, "cohen_pairs": pairs}
