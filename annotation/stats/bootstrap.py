"""Cluster bootstrap over studies for statistics that are ratios of per-item sums.

Every agreement statistic here is a function of sums of per-item quantities, so resampling studies
(the independent units; traits of one study are correlated) is one matrix product of multinomial
study weights with per-study feature sums: thousands of replicates cost milliseconds.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


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


def _finite(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def cluster_sums(features: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """Per-cluster sums of per-item feature rows: (n_items, m) -> (n_clusters, m)."""
    _, index = np.unique(clusters, return_inverse=True)
    sums = np.zeros((index.max() + 1 if len(index) else 0, features.shape[1]))
    np.add.at(sums, index, features)
    return sums


def bootstrap_estimate(
    features: np.ndarray,
    clusters: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Estimate:
    """Point estimate and percentile CI of `statistic(summed_features) -> values`, resampling clusters."""
    n_items = len(features)
    if n_items == 0:
        return Estimate(None, None, None, 0, 0)
    per_cluster = cluster_sums(features, clusters)
    n_clusters = len(per_cluster)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = statistic(per_cluster.sum(axis=0, keepdims=True))[0]
        if n_boot <= 0 or n_clusters < 2:
            return Estimate(_finite(value), None, None, n_items, n_clusters)
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=n_boot)
        replicates = statistic(weights @ per_cluster)
    replicates = replicates[np.isfinite(replicates)]
    if len(replicates) < n_boot / 2:  # mostly undefined replicates: no honest interval
        return Estimate(_finite(value), None, None, n_items, n_clusters)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return Estimate(_finite(value), _finite(low), _finite(high), n_items, n_clusters)
