"""Ensemble members trained side by side (one process each, `train.member_processes`) end where one process ends."""

import json

import pytest
import torch

from training.config import ConfigError
from training.train import train_run
from training.utils import DistInfo


def _weights(path):
    return torch.load(path, map_location="cpu", weights_only=False)["model"]


def test_side_by_side_members_match_sequential_training(tiny_dataset, tiny_config, tmp_path):
    cfg = tiny_config
    cfg.train.members, cfg.train.epochs, cfg.train.cpu_threads = 2, 2, 1
    cpu = torch.device("cpu")
    sequential = train_run(cfg, tiny_dataset, tmp_path / "sequential", info=DistInfo(), device=cpu, progress=False)
    cfg.train.member_processes = 2
    side_by_side = train_run(cfg, tiny_dataset, tmp_path / "side", info=DistInfo(), device=cpu, progress=False)
    assert [m["seed"] for m in side_by_side["members"]] == [m["seed"] for m in sequential["members"]]
    assert json.loads((tmp_path / "side" / "run.json").read_text())["members"] == side_by_side["members"]
    for m in range(2):
        a = _weights(tmp_path / "sequential" / "members" / f"member-{m:02d}" / "last.pt")
        b = _weights(tmp_path / "side" / "members" / f"member-{m:02d}" / "last.pt")
        for key in a:
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
    first, second = (_weights(tmp_path / "side" / "members" / f"member-{m:02d}" / "last.pt") for m in range(2))
    assert any(not torch.equal(first[k], second[k]) for k in first)  # two members, not one trained twice


def test_side_by_side_is_refused_under_torchrun(tiny_dataset, tiny_config, tmp_path):
    cfg = tiny_config
    cfg.train.member_processes = 2
    with pytest.raises(ConfigError, match="member_processes"):
        train_run(cfg, tiny_dataset, tmp_path / "run", info=DistInfo(rank=0, world_size=2),
                  device=torch.device("cpu"), progress=False)
