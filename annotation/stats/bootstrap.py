"""Cluster bootstrap over studies for statistics that are ratios of per-item sums.

Every agreement statistic here is a function of sums of per-item quantities, so resampling studies
(the independent units; traits of one study are correlated) is one matrix product of multinomial
study weights with per-study feature sums: thousands of replicates cost milliseconds. The weights
depend only on the number of studies, the replicates and the seed, so a `Resampler` draws them once
for every statistic, trait and group of a table (drawing them was most of a table's time).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from threadpoolctl import ThreadpoolController


@dataclass(frozen=True)
class Estimate:
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n_items: int
    n_studies: int

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n_items": self.n_items,
            "n_studies": self.n_studies,
        }


def finite_or_none(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def cluster_index(clusters: np.ndarray) -> tuple[np.ndarray, int]:
    """Each item's cluster as 0..n_clusters-1 (clusters in sorted order), and n_clusters."""
    uniques, index = np.unique(clusters, return_inverse=True)
    return index.reshape(-1), len(uniques)


def cluster_sums(features: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """Per-cluster sums of per-item feature rows: (n_items, m) -> (n_clusters, m)."""
    index, n_clusters = cluster_index(clusters)
    sums = np.zeros((n_clusters, features.shape[1]))
    np.add.at(sums, index, features)
    return sums


class Resampler:
    """The multinomial cluster weights of `n_boot` replicates from `seed`, drawn once per number of clusters.

    Every statistic bootstrapped with the same seed would draw the same weights; sharing them keeps the
    figures identical and draws them once (a draw is n_boot x n_clusters binomials: seconds at 30,000 studies).
    """

    def __init__(self, n_boot: int, seed: int):
        self.n_boot, self.seed = n_boot, seed
        self._n_clusters, self._weights = None, None

    def weights(self, n_clusters: int) -> np.ndarray:
        """(n_boot, n_clusters) float weights (integer counts summing to n_clusters per replicate), stored
        cluster-major (Fortran order): `weights.T` is the contiguous (n_clusters, n_boot) matrix the sparse
        products take, and BLAS reads either layout without a copy (a copy was 240 MB at 30,000 studies)."""
        if self._n_clusters != n_clusters:
            rng = np.random.default_rng(self.seed)
            draw = rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=self.n_boot)
            self._n_clusters, self._weights = n_clusters, np.asfortranarray(draw, dtype=float)
        return self._weights


def resampler_for(n_boot: int, seed: int, resampler: Resampler | None) -> Resampler:
    """The caller's resampler (refused when drawn for other replicates or another seed), else a fresh one."""
    if resampler is None:
        return Resampler(n_boot, seed)
    if (resampler.n_boot, resampler.seed) != (n_boot, seed):
        raise ValueError("the resampler was drawn for other replicates or another seed")
    return resampler


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # finds the loaded BLAS libraries once per process


def resampled_sums(weights: np.ndarray, per_cluster: np.ndarray) -> np.ndarray:
    """Each replicate's feature sums, weights @ per_cluster, on one BLAS thread: the products are small (a few
    columns), and on a busy server each multi-threaded product waited for its threads to be scheduled (26 ms
    against 0.3 ms for 100 replicates x 2,800 studies x 6 features at load 10, docs/performance.md)."""
    with _blas().limit(limits=1, user_api="blas"):
        return weights @ per_cluster


def percentile_estimate(value, replicates: np.ndarray, n_boot: int, n_items: int, n_clusters: int,
                        level: float = 0.95) -> Estimate:
    """The point estimate with the percentile interval of its finite replicates (none when most are undefined)."""
    replicates = replicates[np.isfinite(replicates)]
    if len(replicates) < n_boot / 2:  # mostly undefined replicates: no honest interval
        return Estimate(finite_or_none(value), None, None, n_items, n_clusters)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return Estimate(finite_or_none(value), finite_or_none(low), finite_or_none(high), n_items, n_clusters)


def bootstrap_estimate(
    features: np.ndarray,
    clusters: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    resampler: Resampler | None = None,
) -> Estimate:
    """Point estimate and percentile CI of `statistic(summed_features) -> values`, resampling clusters.
    `resampler` (of the same n_boot and seed) shares its weights with the other statistics of a table."""
    return bootstrap_estimates([(features, statistic)], clusters, n_boot=n_boot, seed=seed, level=level,
                               resampler=resampler)[0]


def bootstrap_estimates(
    blocks: list[tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]],
    clusters: np.ndarray,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    resampler: Resampler | None = None,
) -> list[Estimate]:
    """`bootstrap_estimate` of several (features, statistic) over the same items: their feature columns side by
    side, summed per cluster and resampled in one product (the weights are read once, not once per statistic)."""
    resampler = resampler_for(n_boot, seed, resampler)
    n_items = len(clusters)
    if n_items == 0:
        return [Estimate(None, None, None, 0, 0) for _ in blocks]
    bounds = np.cumsum([0, *(features.shape[1] for features, _ in blocks)])
    per_cluster = cluster_sums(np.hstack([features for features, _ in blocks]), clusters)
    n_clusters = len(per_cluster)
    totals = per_cluster.sum(axis=0, keepdims=True)
    replicates = None
    out = []
    for (_, statistic), a, b in zip(blocks, bounds, bounds[1:], strict=False):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = statistic(totals[:, a:b])[0]
            if n_boot <= 0 or n_clusters < 2:
                out.append(Estimate(finite_or_none(value), None, None, n_items, n_clusters))
                continue
            if replicates is None:
                replicates = resampled_sums(resampler.weights(n_clusters), per_cluster)
            values = statistic(replicates[:, a:b])
        out.append(percentile_estimate(value, values, n_boot, n_items, n_clusters, level))
    return out
