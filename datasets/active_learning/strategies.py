"""Priority strategies: each scores every study from a model run's predictions; higher reads sooner.

Every strategy takes a `Predictions` bundle and returns one float per study. Scores are rank-normalized
to [0, 1] before they are blended, so weights mean the same thing whatever a strategy's scale.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

EPS = 1e-6
SIGNIFICANCE_WEIGHT = {"high": 3.0, "moderate": 2.0, "low": 1.0}


@dataclass(frozen=True)
class Predictions:
    """A model run's view of the studies to prioritize (rows) and traits (columns)."""

    study_ids: list[str]
    traits: list[str]
    probability: np.ndarray  # (studies, traits) ensemble mean
    significance: list[str]  # per trait: high / moderate / low
    prevalence: np.ndarray  # per trait, percent of studies
    members: np.ndarray | None = None  # (members, studies, traits) member probabilities, when an ensemble
    spread: np.ndarray | None = None  # (studies, traits) ensemble standard deviation, when members are not kept
    embedding: np.ndarray | None = None  # (studies, dims) study embeddings, for diversity
    report_verdict: np.ndarray | None = None  # (studies, traits): 1 present, 0 absent, nan not mined
    threshold: float | None = None  # auto-report threshold on the max high-significance probability

    @property
    def high(self) -> np.ndarray:
        return np.array([s == "high" for s in self.significance])


def _entropy(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def entropy(pred: Predictions) -> np.ndarray:
    """Predictive entropy, summed over traits and weighted by clinical significance."""
    weights = np.array([SIGNIFICANCE_WEIGHT[s] for s in pred.significance])
    return _entropy(pred.probability) @ weights


def disagreement(pred: Predictions) -> np.ndarray:
    """Ensemble disagreement as mutual information (BALD): entropy of the mean minus mean member entropy.

    Imported runs keep only each trait's member spread; then the summed spread stands in for it.
    """
    if pred.members is None or len(pred.members) < 2:
        return pred.spread.sum(axis=1) if pred.spread is not None else np.zeros(len(pred.study_ids))
    mutual = _entropy(pred.members.mean(axis=0)) - _entropy(pred.members).mean(axis=0)
    return mutual.sum(axis=1)


def report_score(pred: Predictions) -> np.ndarray:
    """The study's selective-reporting score: the largest probability of any high-significance trait."""
    return pred.probability[:, pred.high].max(axis=1)


def threshold_closeness(pred: Predictions) -> np.ndarray:
    """Studies whose report score sits near the auto-report threshold decide the operating point."""
    if pred.threshold is None:
        return np.zeros(len(pred.study_ids))
    return -np.abs(report_score(pred) - pred.threshold)


def rare_significant(pred: Predictions) -> np.ndarray:
    """Predicted probability of rare and high-significance traits, weighted by rarity and significance."""
    rarity = np.log(100.0 / np.clip(pred.prevalence, 0.01, 100.0)) + 1.0
    weights = rarity * np.array([SIGNIFICANCE_WEIGHT[s] for s in pred.significance])
    return pred.probability @ weights


def report_disagreement(pred: Predictions) -> np.ndarray:
    """Model against the report-mined verdict: a likely report error or a likely model error."""
    if pred.report_verdict is None:
        return np.zeros(len(pred.study_ids))
    gap = np.abs(pred.probability - pred.report_verdict)
    return np.nansum(gap, axis=1)


def random_order(pred: Predictions, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(len(pred.study_ids))


STRATEGIES: dict[str, Callable[[Predictions], np.ndarray]] = {
    "entropy": entropy,
    "disagreement": disagreement,
    "threshold": threshold_closeness,
    "rare_significant": rare_significant,
    "report_disagreement": report_disagreement,
}

REASONS = {
    "entropy": "the model is unsure",
    "disagreement": "the ensemble members disagree",
    "threshold": "close to the auto-report threshold",
    "rare_significant": "likely rare or clinically significant finding",
    "report_disagreement": "model and report disagree",
    "random": "random baseline",
    "diversity": "unlike studies already chosen",
}


def rank_normalize(values: np.ndarray) -> np.ndarray:
    """Map scores to [0, 1] by rank (ties share their mean rank), so strategies blend on one scale."""
    if len(values) < 2 or np.ptp(values) == 0:
        return np.zeros(len(values))
    return (rankdata(values, method="average") - 1) / (len(values) - 1)
