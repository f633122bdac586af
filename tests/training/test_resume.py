"""Checkpoints resume exactly: an interrupted member continues to the same weights as an uninterrupted one."""

import torch

from training.data import DatasetDir
from training.train import train_member
from training.utils import DistInfo


def _weights(path):
    return torch.load(path, map_location="cpu", weights_only=False)["model"]


def test_resume_gives_the_same_next_epoch(tiny_dataset, tiny_config, tmp_path):
    cfg = tiny_config
    cfg.train.patience = 100  # no early stop: both runs do both epochs
    ds = DatasetDir(tiny_dataset)
    cpu, info = torch.device("cpu"), DistInfo()
    train_member(cfg, ds, tmp_path / "straight", 0, info=info, device=cpu, progress=False)
    # the second run stops after epoch 0, as if killed, then a fresh call resumes it from last.pt
    interrupted = train_member(cfg, ds, tmp_path / "resumed", 0, info=info, device=cpu, progress=False,
                               stop_after_epoch=0)
    assert interrupted == {"member": 0, "interrupted_after_epoch": 0}
    first = _weights(tmp_path / "resumed" / "last.pt")
    train_member(cfg, ds, tmp_path / "resumed", 0, info=info, device=cpu, progress=False)
    a, b = _weights(tmp_path / "straight" / "last.pt"), _weights(tmp_path / "resumed" / "last.pt")
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
    assert any(not torch.equal(first[k], b[k]) for k in b)  # the resumed epoch did change the weights
    log = (tmp_path / "resumed" / "metrics.jsonl").read_text().splitlines()
    assert len(log) == 2
    assert (tmp_path / "resumed" / "curves.png").stat().st_size > 1000
