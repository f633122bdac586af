"""Which epoch is kept: the calibration AUROC only where a trait has enough cases to rank, else the loss."""

import json
import math

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from training.config import ConfigError
from training.data import DatasetDir
from training.train import calibration_score, is_improvement, selection_score, train_member, train_run
from training.utils import DistInfo


def _result(labels, probs, loss=0.4):
    return {"labels": np.asarray(labels, float), "probs": np.asarray(probs, float), "loss": loss}


def test_a_trait_with_few_cases_does_not_steer_the_choice():
    # three positives among fifteen: an AUROC of 1.0 here says little, so the loss decides
    labels = np.zeros((15, 2))
    labels[:3, 0] = 1
    probs = np.random.default_rng(0).random((15, 2))
    assert calibration_score(_result(labels, probs, loss=0.4), min_cases=10) == pytest.approx(-0.4)


def test_traits_with_enough_cases_are_ranked_and_unlabelled_studies_ignored():
    rng = np.random.default_rng(1)
    labels = (rng.random((60, 3)) < 0.4).astype(float)
    labels[:5, 1] = np.nan  # no consensus for these studies on trait 1
    labels[:, 2] = 0  # one class only: never counted
    probs = np.clip(labels * 0.3 + rng.random((60, 3)) * 0.7, 0, 1)
    known = ~np.isnan(labels[:, 1])
    expected = np.mean([roc_auc_score(labels[:, 0], probs[:, 0]),
                        roc_auc_score(labels[known, 1], probs[known, 1])])
    assert calibration_score(_result(np.nan_to_num(labels, nan=np.nan), probs), min_cases=10) == pytest.approx(expected)


def test_a_tied_score_is_broken_by_the_calibration_loss():
    # a 30-study calibration split ranks perfectly from epoch 6 on; the later, lower-loss epoch must win
    assert is_improvement(1.0, 0.24, best=1.0, best_loss=0.26)
    assert not is_improvement(1.0, 0.27, best=1.0, best_loss=0.26)
    assert not is_improvement(0.99, 0.10, best=1.0, best_loss=0.26)
    assert is_improvement(0.5, 9.0, best=-float("inf"), best_loss=float("inf"))


def test_calibration_is_scored_every_eval_every_epochs_and_after_the_last(tiny_dataset, tiny_config, tmp_path):
    cfg = tiny_config
    cfg.train.epochs, cfg.train.eval_every, cfg.train.patience = 3, 2, 10
    train_member(cfg, DatasetDir(tiny_dataset), tmp_path / "m", 0, info=DistInfo(), device=torch.device("cpu"),
                 progress=False)
    rows = [json.loads(line) for line in (tmp_path / "m" / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1, 2]
    assert [math.isnan(r["calibration_loss"]) for r in rows] == [True, False, False]
    kept = torch.load(tmp_path / "m" / "best.pt", map_location="cpu", weights_only=False)["epoch"]
    assert kept in (1, 2)


def test_select_by_loss_ranks_epochs_by_calibration_loss_alone(tiny_config):
    # a ranking AUROC of 1.0 at a high loss must lose to a noisier ranking at a lower loss
    cfg = tiny_config
    labels = np.zeros((40, 1))
    labels[:15, 0] = 1
    ranked = _result(labels, labels * 0.6 + 0.2, loss=0.9)
    noisy = _result(labels, np.random.default_rng(2).random((40, 1)), loss=0.3)
    cfg.train.select_by = "score"
    assert selection_score(ranked, cfg) > selection_score(noisy, cfg)
    cfg.train.select_by = "loss"
    assert selection_score(ranked, cfg) == pytest.approx(-0.9)
    assert selection_score(noisy, cfg) > selection_score(ranked, cfg)


def test_an_unknown_select_by_is_refused_before_training(tiny_dataset, tiny_config, tmp_path):
    cfg = tiny_config
    cfg.train.select_by = "auroc"
    with pytest.raises(ConfigError, match="train.select_by 'auroc' unknown"):
        train_run(cfg, tiny_dataset, tmp_path / "run", info=DistInfo(), device=torch.device("cpu"), progress=False)
    assert not (tmp_path / "run").exists()
