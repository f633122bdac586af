"""DistributedDataParallel through torchrun: two CPU processes with the gloo backend train one member."""

import json
import os
import subprocess
import sys
from pathlib import Path

import torch


def test_torchrun_two_processes_with_gloo(tiny_dataset, tmp_path):
    run = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "training", "train", "--preset", "smoke", "--data", str(tiny_dataset), "--out", str(run),
           "--no-progress", "--no-evaluate", "--set", "train.epochs=1", "--set", "train.max_steps_per_epoch=2",
           "--set", "train.batch_size=2"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads((run / "run.json").read_text())["world_size"] == 2
    record = json.loads((run / "members" / "member-00" / "metrics.jsonl").read_text().splitlines()[0])
    assert record["world_size"] == 2 and record["steps"] == 2
    state = torch.load(run / "members" / "member-00" / "last.pt", map_location="cpu", weights_only=False)
    assert all(torch.isfinite(v).all() for v in state["model"].values() if v.is_floating_point())
