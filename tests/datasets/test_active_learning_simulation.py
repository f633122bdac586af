"""The active-learning simulation runs end to end on a tiny cohort: real training processes, real picks."""

from pathlib import Path

import numpy as np
import pytest

from datasets.active_learning.simulation import (
    SimulationConfig,
    labels_to_reach,
    plot,
    round_overrides,
    simulate,
)
from synth.cohort import generate_cohort
from synth.readers import simulated_consensus

TINY = ("data.image_size=32", "data.max_slices=4", "train.members=2", "train.epochs=1", "eval.n_bootstrap=20")


def test_simulated_consensus_follows_reader_accuracy():
    rng = np.random.default_rng(0)
    calls = [simulated_consensus({"a"}, ["a", "b"], rng, n_readers=3, sensitivity=0.9, specificity=0.9)
             for _ in range(2000)]
    hit = np.mean(["a" in c for c in calls])
    false_alarm = np.mean(["b" in c for c in calls])
    assert hit == pytest.approx(0.972, abs=0.02)  # P(at least 2 of 3 readers at 0.9)
    assert false_alarm == pytest.approx(0.028, abs=0.015)


def test_labels_to_reach_uses_the_seed_average():
    points = [{"labeled": 10, "high_auroc": 0.6}, {"labeled": 20, "high_auroc": 0.8},
              {"labeled": 10, "high_auroc": 0.7}, {"labeled": 20, "high_auroc": 0.7}]
    assert labels_to_reach(points, 0.75) == 20
    assert labels_to_reach(points, 0.9) is None


def test_each_round_trains_for_the_same_step_budget():
    cfg = SimulationConfig(cohort_dir=Path("."), work_dir=Path("."), steps_per_round=240, train_batch_size=4)
    for n_labeled, epochs, every in ((24, 40, 5), (48, 20, 2), (96, 10, 1), (1000, 1, 1)):
        overrides = round_overrides(cfg, n_labeled)
        assert f"train.epochs={epochs}" in overrides and f"train.patience={epochs}" in overrides
        assert f"train.eval_every={every}" in overrides
        assert "train.batch_size=4" in overrides
    assert not any(o.startswith("train.epochs") for o in round_overrides(
        SimulationConfig(cohort_dir=Path("."), work_dir=Path("."), steps_per_round=None), 24))


def test_two_rounds_pick_new_studies_and_record_a_curve(tmp_path):
    cohort = tmp_path / "cohort"
    generate_cohort(cohort, studies=24, seed=3, size=32, slices=4, broken_fraction=0.0,
                    enrich={"intracranial_hemorrhage": 0.5})
    cfg = SimulationConfig(cohort_dir=cohort, work_dir=tmp_path / "sim", strategies=["combined"], seeds=[0],
                           seed_size=6, batch_size=4, rounds=2, training_overrides=TINY, steps_per_round=None)
    summary = simulate(cfg, log=lambda line: None)
    curve = summary["strategies"]["combined"]["curve"]
    assert [p["labeled"] for p in curve] == [6, 10]
    assert all(0.0 <= p["ich_auroc"] <= 1.0 for p in curve)
    assert all(0.0 <= p["coverage"] <= 1.0 for p in curve)
    assert plot(summary, tmp_path / "al.png").stat().st_size > 1000
