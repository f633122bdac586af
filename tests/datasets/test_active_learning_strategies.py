"""Each priority strategy orders constructed predictions the way its definition says."""

import numpy as np
import pytest

from datasets.active_learning.priorities import blend
from datasets.active_learning.strategies import Predictions, rank_normalize

TRAITS = ["intracranial_hemorrhage", "lacune", "sinus_pathology"]
SIGNIFICANCE = ["high", "low", "low"]
PREVALENCE = np.array([5.14, 2.39, 16.5])


def _pred(probability, **extra):
    probability = np.asarray(probability, dtype=float)
    ids = [f"s{i}" for i in range(len(probability))]
    return Predictions(ids, TRAITS, probability, SIGNIFICANCE, PREVALENCE, **extra)


def _order(pred, weights, **kw):
    return [p.study_id for p in sorted(blend(pred, weights, **kw), key=lambda p: -p.score)]


def test_entropy_puts_the_most_uncertain_study_first():
    pred = _pred([[0.02, 0.01, 0.03], [0.5, 0.5, 0.5], [0.9, 0.1, 0.2]])
    assert _order(pred, {"entropy": 1}) == ["s1", "s2", "s0"]


def test_disagreement_prefers_studies_where_members_split():
    members = np.array([
        [[0.1, 0.1, 0.1], [0.9, 0.1, 0.1], [0.5, 0.5, 0.5]],
        [[0.1, 0.1, 0.1], [0.1, 0.1, 0.1], [0.5, 0.5, 0.5]],
    ])
    pred = _pred(members.mean(axis=0), members=members)
    # s2 has maximal entropy but its members agree: no disagreement.
    ranked = blend(pred, {"disagreement": 1})
    assert _order(pred, {"disagreement": 1})[0] == "s1"
    assert "ensemble members disagree (intracranial_hemorrhage)" in next(p.reason for p in ranked if p.study_id == "s1")


def test_threshold_closeness_prefers_studies_that_decide_the_operating_point():
    pred = _pred([[0.05, 0, 0], [0.31, 0, 0], [0.9, 0, 0], [0.2, 0, 0]], threshold=0.3)
    assert _order(pred, {"threshold": 1}) == ["s1", "s3", "s0", "s2"]


def test_rare_significant_outranks_a_common_low_trait_at_the_same_probability():
    pred = _pred([[0.0, 0.0, 0.8], [0.8, 0.0, 0.0], [0.0, 0.0, 0.0]])
    order = _order(pred, {"rare_significant": 1})
    assert order == ["s1", "s0", "s2"]


def test_report_disagreement_finds_a_likely_report_miss():
    verdict = np.array([[0, np.nan, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    pred = _pred([[0.95, 0.1, 0.0], [0.9, 0.1, 0.0], [0.05, 0.0, 0.0]], report_verdict=verdict)
    ranked = {p.study_id: p for p in blend(pred, {"report_disagreement": 1})}
    assert max(ranked, key=lambda s: ranked[s].score) == "s0"
    assert "model and report disagree (intracranial_hemorrhage)" in ranked["s0"].reason


def test_random_is_a_seeded_baseline():
    pred = _pred(np.random.default_rng(1).random((50, 3)))
    assert _order(pred, {"random": 1}, seed=3) == _order(pred, {"random": 1}, seed=3)
    assert _order(pred, {"random": 1}, seed=3) != _order(pred, {"random": 1}, seed=4)


def test_diversity_spreads_a_batch_across_clusters():
    # Four near-identical uncertain studies and one different, slightly less uncertain one.
    emb = np.array([[1, 0], [1, 0.01], [1, 0.02], [1, 0.03], [0, 1]], dtype=float)
    prob = [[0.5, 0.5, 0.5], [0.49, 0.5, 0.5], [0.48, 0.5, 0.5], [0.47, 0.5, 0.5], [0.4, 0.4, 0.4]]
    pred = _pred(prob, embedding=emb)
    assert _order(pred, {"entropy": 1})[:2] == ["s0", "s1"]
    diverse = _order(pred, {"entropy": 1, "diversity": 1})
    assert diverse[:2] == ["s0", "s4"]


def test_weights_blend_and_unknown_strategies_are_refused():
    pred = _pred([[0.5, 0.5, 0.5], [0.95, 0.0, 0.0]], threshold=0.9)
    assert _order(pred, {"entropy": 1})[0] == "s0"
    assert _order(pred, {"entropy": 1, "threshold": 3})[0] == "s1"
    with pytest.raises(ValueError, match="Unknown priority strategies: magic"):
        blend(pred, {"magic": 1})


def test_rank_normalize_shares_ranks_on_ties():
    assert rank_normalize(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == pytest.approx([5 / 6, 0, 5 / 6, 1 / 3])
