"""Blend strategies into one priority per study, with the reason, and order a batch for diversity."""

from dataclasses import dataclass

import numpy as np

from .strategies import REASONS, STRATEGIES, Predictions, random_order, rank_normalize

# How many studies at the head of the worklist are re-ordered for diversity (greedy, O(batch * studies)).
DIVERSITY_BATCH = 500


@dataclass(frozen=True)
class Priority:
    study_id: str
    score: float  # in [0, 1]; higher is read sooner
    reason: str


def _reason(pred: Predictions, row: int, strategy: str) -> str:
    text = REASONS[strategy]
    if strategy in {"rare_significant", "entropy", "report_disagreement", "disagreement"}:
        trait = pred.traits[int(np.argmax(_trait_contribution(pred, row, strategy)))]
        text += f" ({trait})"
    return text


def _trait_contribution(pred: Predictions, row: int, strategy: str) -> np.ndarray:
    p = pred.probability[row]
    if strategy == "report_disagreement" and pred.report_verdict is not None:
        return np.nan_to_num(np.abs(p - pred.report_verdict[row]))
    if strategy == "disagreement" and pred.members is not None:
        return pred.members[:, row].std(axis=0)
    if strategy == "disagreement" and pred.spread is not None:
        return pred.spread[row]
    if strategy == "entropy":
        return -np.abs(p - 0.5)
    return p


def validate_weights(weights: dict[str, float]) -> None:
    unknown = set(weights) - set(STRATEGIES) - {"random", "diversity"}
    if unknown:
        raise ValueError(f"Unknown priority strategies: {', '.join(sorted(unknown))}.")
    negative = [name for name, w in weights.items() if not isinstance(w, int | float) or w < 0]
    if negative:
        raise ValueError(f"Strategy weights must be non-negative numbers: {', '.join(sorted(negative))}.")
    if not any(weights.values()):
        raise ValueError("At least one strategy needs a positive weight.")


def strategy_scores(pred: Predictions, weights: dict[str, float], *, seed: int = 0) -> dict[str, np.ndarray]:
    """Each weighted strategy's rank-normalized score per study, in [0, 1], before its weight is applied."""
    scores = {name: rank_normalize(STRATEGIES[name](pred)) for name, w in weights.items() if name in STRATEGIES and w}
    if weights.get("random"):
        scores["random"] = random_order(pred, seed)
    return scores


def blend(pred: Predictions, weights: dict[str, float], *, seed: int = 0) -> list[Priority]:
    """Weighted sum of rank-normalized strategy scores; `random` alone gives the baseline ordering.

    `diversity` in `weights` re-orders the head of the list so a batch is not near-identical studies.
    """
    validate_weights(weights)
    n = len(pred.study_ids)
    parts = {name: values * weights[name] for name, values in strategy_scores(pred, weights, seed=seed).items()}
    total_weight = sum(w for name, w in weights.items() if name != "diversity") or 1.0
    stacked = np.stack(list(parts.values())) if parts else np.zeros((1, n))
    score = stacked.sum(axis=0) / total_weight
    names = list(parts) or ["random"]
    leading = stacked.argmax(axis=0)
    priorities = [Priority(pred.study_ids[i], float(score[i]), _reason(pred, i, names[leading[i]])) for i in range(n)]
    if weights.get("diversity") and pred.embedding is not None:
        priorities = diversify(priorities, pred, weights["diversity"] / total_weight)
    return priorities


def diversify(priorities: list[Priority], pred: Predictions, strength: float) -> list[Priority]:
    """Greedy maximal-marginal-relevance over the head of the list, by cosine similarity of embeddings.

    Scores are rewritten as descending ranks in [0, 1] so the worklist follows the diverse order.
    """
    index = {sid: i for i, sid in enumerate(pred.study_ids)}
    ranked = sorted(priorities, key=lambda p: -p.score)
    head, tail = ranked[:DIVERSITY_BATCH], ranked[DIVERSITY_BATCH:]
    emb = pred.embedding[[index[p.study_id] for p in head]].astype(np.float64)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-12
    base = np.array([p.score for p in head])
    max_sim = np.zeros(len(head))
    chosen: list[int] = []
    available = np.ones(len(head), dtype=bool)
    for _ in range(len(head)):
        gain = np.where(available, base - strength * max_sim, -np.inf)
        pick = int(gain.argmax())
        chosen.append(pick)
        available[pick] = False
        max_sim = np.maximum(max_sim, emb @ emb[pick])
    ordered = [head[i] for i in chosen] + tail
    n = len(ordered)
    out = []
    for rank, p in enumerate(ordered):
        reason = p.reason if rank == 0 or p is ranked[rank] else f"{p.reason}; {REASONS['diversity']}"
        out.append(Priority(p.study_id, 1.0 - rank / max(n - 1, 1), reason))
    return out
