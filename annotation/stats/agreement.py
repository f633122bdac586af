"""Chance-corrected agreement of many readers: Cohen's kappa (pairs), Fleiss' kappa, Krippendorff's alpha, Gwet's AC1.

Input is a ratings matrix (items x readers, category codes 0..K-1, -1 where a reader did not read
the item) and the study each item belongs to (for the cluster bootstrap). Owned rather than taken
from statsmodels/krippendorff/sklearn because those need equal readers per item or one call per
replicate; here each statistic is a ratio of per-item sums, which handles 2-5 readers with missing
reads and makes the bootstrap one matrix product. The tests cross-check every figure against them.
Items read by fewer than two readers carry no agreement information and are left out.

Internally an item's reads are its reading slots (`Slots`: a few per item, each with its reader), not a column per
reader of the campaign: with 50 readers and 3 reads a study, the dense matrix was 94% empty and its scans were
most of a whole-campaign table's time. Callers with the reads at hand (the campaign table) build slots directly.
"""

import warnings
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import sparse

from .bootstrap import (
    Estimate,
    Resampler,
    bootstrap_estimates,
    cluster_index,
    finite_or_none,
    percentile_estimate,
    resampler_for,
)

STATISTICS = ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "cohen_kappa")


@dataclass(frozen=True)
class Slots:
    """Each item's reads: `codes` (items x width, category or -1) and `readers` (items x width, the reader's index,
    increasing along a row, -1 for an empty slot) out of `n_readers`. A slot with a reader and code -1 is a read
    without this trait's label: not a rating."""

    codes: np.ndarray
    readers: np.ndarray
    n_readers: int

    def take(self, rows) -> "Slots":
        return Slots(self.codes[rows], self.readers[rows], self.n_readers)


def slots_of(ratings: np.ndarray) -> Slots:
    """(items, readers) codes with -1 for no rating -> each item's ratings in reader order, padded with -1."""
    ratings = np.asarray(ratings, dtype=int)
    read = ratings >= 0
    width = int(read.sum(axis=1).max()) if len(ratings) else 0
    order = np.argsort(~read, axis=1, kind="stable")[:, :width]  # each item's readers first, in column order
    filled = np.take_along_axis(read, order, axis=1)
    return Slots(np.where(filled, np.take_along_axis(ratings, order, axis=1), -1), np.where(filled, order, -1),
                 ratings.shape[1])


def category_counts(ratings: np.ndarray, n_categories: int) -> np.ndarray:
    """(items, readers or slots) codes -> (items, K) counts of readers per category."""
    onehot = ratings[:, :, None] == np.arange(n_categories)[None, None, :]
    return onehot.sum(axis=1).astype(float)


def _pairable(slots: Slots, clusters: np.ndarray) -> tuple[Slots, np.ndarray]:
    keep = (slots.codes >= 0).sum(axis=1) >= 2
    return slots.take(keep), np.asarray(clusters)[keep]


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


def cohen_kappas(tables: np.ndarray) -> np.ndarray:
    """Cohen's kappa of K x K confusion tables: (..., K, K) -> (...); NaN where undefined."""
    n = tables.sum(axis=(-2, -1))
    p_o = np.trace(tables, axis1=-2, axis2=-1) / n
    p_e = (tables.sum(axis=-1) * tables.sum(axis=-2)).sum(axis=-1) / n**2
    return (p_o - p_e) / (1 - p_e)


def light_kappa(kappas: np.ndarray) -> np.ndarray:
    """Light's kappa: the mean of the pairwise Cohen's kappas (last axis; undefined pairs left out)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a replicate where every pair is undefined -> NaN
        return np.nanmean(np.where(np.isfinite(kappas), kappas, np.nan), axis=-1)


def reader_pairs(slots: Slots, n_categories: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (item, reader pair) where both rated: the item, the pair a * n_readers + b (a < b) and the
    confusion cell (a's code) * K + (b's code). Walks the pairs of each item's few reading slots instead of
    every pair of the campaign's readers."""
    codes, readers = slots.codes, slots.readers
    empty = np.zeros(0, dtype=np.intp)
    items, pairs, cells = [empty], [empty], [empty]
    for s, t in combinations(range(codes.shape[1]), 2):
        both = np.flatnonzero((codes[:, s] >= 0) & (codes[:, t] >= 0))
        items.append(both)
        pairs.append(readers[both, s].astype(np.intp) * slots.n_readers + readers[both, t])
        cells.append(codes[both, s].astype(np.intp) * n_categories + codes[both, t])
    return np.concatenate(items), np.concatenate(pairs), np.concatenate(cells)


BOOT_CELLS = 8_000_000  # replicate sums held at once (64 MB): the bootstrap runs over chunks of reader pairs


def _cohen_replicates(per_cluster, weights: np.ndarray, n_pairs: int, n_categories: int) -> np.ndarray:
    """Light's kappa of each replicate. `per_cluster` is sparse (a study touches a few pairs): the replicate sums
    cost (replicates) x (non-zero cells), not (replicates) x (studies) x (pairs x K x K). All sums are integer
    counts, so they are exact in any order: the figures equal the dense product's."""
    k2 = n_categories**2
    by_cell = per_cluster.T.tocsr()  # (pairs x K x K, clusters)
    kappas = np.empty((len(weights), n_pairs))
    chunk = max(1, BOOT_CELLS // (len(weights) * k2))
    for start in range(0, n_pairs, chunk):
        stop = min(n_pairs, start + chunk)
        sums = by_cell[start * k2:stop * k2] @ weights.T  # (cells, replicates)
        tables = sums.reshape(stop - start, n_categories, n_categories, len(weights)).transpose(3, 0, 1, 2)
        kappas[:, start:stop] = cohen_kappas(tables)
    return light_kappa(kappas)


def _cohen(slots: Slots, clusters, n_categories, min_common, *, n_boot, resampler):
    n_readers, k2 = slots.n_readers, n_categories**2
    items, pair_ids, cells = reader_pairs(slots, n_categories)
    common = np.bincount(pair_ids, minlength=n_readers * n_readers)
    pairs = [a * n_readers + b for a, b in combinations(range(n_readers), 2)]
    kept = [p for p in pairs if common[p] >= min_common]
    if not kept:
        return Estimate(None, None, None, 0, 0), []
    position = np.full(n_readers * n_readers, -1)
    position[kept] = np.arange(len(kept))
    counted = position[pair_ids] >= 0
    columns = position[pair_ids[counted]] * k2 + cells[counted]
    totals = np.bincount(columns, minlength=len(kept) * k2).astype(float).reshape(len(kept), n_categories,
                                                                                    n_categories)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappas = cohen_kappas(totals)
    per_pair = [{"readers": (p // n_readers, p % n_readers), "n_common": int(common[p]),
                 "kappa": float(k) if np.isfinite(k) else None} for p, k in zip(kept, kappas, strict=True)]
    return _light_estimate(kappas, items[counted], columns, clusters, len(kept), n_categories,
                           n_boot=n_boot, resampler=resampler), per_pair


def _light_estimate(kappas, items, columns, clusters, n_pairs, n_categories, *, n_boot, resampler) -> Estimate:
    n_items = len(clusters)
    if n_items == 0:
        return Estimate(None, None, None, 0, 0)
    cluster_of, n_clusters = cluster_index(clusters)
    value = light_kappa(kappas[None])[0]
    if n_boot <= 0 or n_clusters < 2:
        return Estimate(finite_or_none(value), None, None, n_items, n_clusters)
    per_cluster = sparse.csr_array((np.ones(len(items)), (cluster_of[items], columns)),
                                   shape=(n_clusters, n_pairs * n_categories**2))
    weights = resampler.weights(n_clusters)
    with np.errstate(divide="ignore", invalid="ignore"):
        replicates = _cohen_replicates(per_cluster, weights, n_pairs, n_categories)
    return percentile_estimate(value, replicates, n_boot, n_items, n_clusters)


_FEATURES = {
    "fleiss_kappa": (fleiss_features, fleiss_statistic),
    "krippendorff_alpha": (alpha_features, alpha_statistic),
    "gwet_ac1": (ac1_features, ac1_statistic),
}


def agreement_statistics(ratings: np.ndarray | Slots, clusters: np.ndarray, *, n_categories: int,
                         statistics=tuple(_FEATURES), n_boot: int = 1000, seed: int = 0,
                         resampler: Resampler | None = None) -> dict:
    """Some of Fleiss' kappa, Krippendorff's alpha and Gwet's AC1 with bootstrap 95% CIs (no pairwise Cohen).
    `resampler` shares the bootstrap weights with the caller's other tables (same n_boot and seed)."""
    slots, clusters = _pairable(ratings if isinstance(ratings, Slots) else slots_of(ratings), clusters)
    counts = category_counts(slots.codes, n_categories)
    resampler = resampler_for(n_boot, seed, resampler)
    blocks = [(_FEATURES[name][0](counts), _FEATURES[name][1]) for name in statistics]
    estimates = bootstrap_estimates(blocks, clusters, n_boot=n_boot, seed=seed, resampler=resampler)
    return dict(zip(statistics, estimates, strict=True))


def agreement(
    ratings: np.ndarray | Slots,
    clusters: np.ndarray,
    *,
    n_categories: int,
    n_boot: int = 1000,
    seed: int = 0,
    min_common: int = 2,
    resampler: Resampler | None = None,
) -> dict:
    """All four statistics with bootstrap 95% CIs, plus the pairwise Cohen's kappas (reader column indices).
    `ratings`: (items, readers) codes, or the items' `Slots`. Pass one `resampler` for every trait and group of a
    table: they share its weights."""
    slots, clusters = _pairable(ratings if isinstance(ratings, Slots) else slots_of(ratings), clusters)
    resampler = resampler_for(n_boot, seed, resampler)
    cohen, pairs = _cohen(slots, clusters, n_categories, min_common, n_boot=n_boot, resampler=resampler)
    return {**agreement_statistics(slots, clusters, n_categories=n_categories, n_boot=n_boot, seed=seed,
                                   resampler=resampler),
            "cohen_kappa": cohen, "cohen_pairs": pairs}
