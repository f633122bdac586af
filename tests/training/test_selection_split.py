"""Where each member's epoch is chosen: by default a patient-level share of train held out, so the calibration split's
labels are first seen when they certify the operating point."""

import json

import numpy as np
import pytest
import torch

from training.config import ConfigError
from training.data import DatasetDir
from training.train import selection_split, train_member
from training.utils import DistInfo


def test_the_holdout_is_whole_patients_of_train_drawn_by_the_seed(tiny_dataset):
    dataset = DatasetDir(tiny_dataset)
    train = dataset.split_indices("train")
    fit, held = dataset.train_holdout(0.25, seed=0)
    assert len(held) and len(fit) and sorted(np.concatenate([fit, held])) == sorted(train)
    patients = dataset.studies["patient_id"].to_numpy()
    assert not set(patients[fit]) & set(patients[held])  # a patient's studies stay on one side
    again, _ = dataset.train_holdout(0.25, seed=0)
    other, _ = dataset.train_holdout(0.25, seed=1)
    assert np.array_equal(again, fit) and not np.array_equal(other, fit)
    n_patients = len(np.unique(patients[train]))
    assert len(np.unique(patients[held])) == min(max(1, round(0.25 * n_patients)), n_patients - 1)
    assert len(dataset.train_holdout(0.0, seed=0)[1]) == 0


def test_the_default_selection_never_scores_the_calibration_split(tiny_dataset, tiny_config):
    dataset = DatasetDir(tiny_dataset)
    fit, select, name = selection_split(tiny_config, dataset)
    assert name == "holdout" and tiny_config.train.select_on == "holdout"
    assert not set(select) & set(dataset.split_indices("calibration"))
    assert not set(fit) & set(select) and set(fit) | set(select) == set(dataset.split_indices("train"))
    tiny_config.train.select_on = "calibration"
    fit, select, name = selection_split(tiny_config, dataset)
    assert name == "calibration" and np.array_equal(select, dataset.split_indices("calibration"))
    tiny_config.train.select_on = "test"
    with pytest.raises(ConfigError, match="train.select_on"):
        selection_split(tiny_config, dataset)


def test_a_member_trains_on_the_rest_of_train_and_logs_where_it_chose(tiny_dataset, tiny_config, tmp_path,
                                                                       monkeypatch):
    import training.train as train_module

    seen = []
    original = train_module.StudyDataset

    def recording(dataset, indices, **kw):
        seen.append((kw.get("train"), sorted(int(i) for i in indices)))
        return original(dataset, indices, **kw)

    monkeypatch.setattr(train_module, "StudyDataset", recording)
    tiny_config.train.epochs, tiny_config.train.patience = 2, 10
    dataset = DatasetDir(tiny_dataset)
    train_member(tiny_config, dataset, tmp_path / "m", 0, info=DistInfo(), device=torch.device("cpu"), progress=False)
    fit, held = dataset.train_holdout(tiny_config.train.holdout_fraction, tiny_config.train.seed)
    assert seen == [(True, sorted(fit.tolist())), (False, sorted(held.tolist()))]
    rows = [json.loads(line) for line in (tmp_path / "m" / "metrics.jsonl").read_text().splitlines()]
    assert {r["selection_split"] for r in rows} == {"holdout"}
