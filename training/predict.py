"""Per-study predictions of a run's ensemble: mean trait probabilities, member spread, reported-or-referred,
and study embeddings (docs/run-format.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from training.config import Config, config_from_dict
from training.data import DatasetDir, StudyDataset, make_loader
from training.engine import evaluate
from training.report import referral_score
from training.side_by_side import map_members, side_by_side
from training.train import build_preprocess, load_member

PREDICTIONS_FORMAT = "radcurate-predictions/1"


def load_run(run_dir: Path) -> tuple[Config, dict]:
    run_dir = Path(run_dir)
    for name in ("config.json", "run.json"):
        if not (run_dir / name).is_file():
            raise FileNotFoundError(f"{run_dir / name}: missing (is {run_dir} a trained run?)")
    cfg = config_from_dict(json.loads((run_dir / "config.json").read_text()), str(run_dir / "config.json"))
    return cfg, json.loads((run_dir / "run.json").read_text())


def predict_ensemble(run_dir: Path, dataset: DatasetDir, indices: np.ndarray, device: torch.device, *,
                     progress: bool = True) -> dict:
    """Every member scores the studies (side by side on a CPU, see side_by_side.py); returns mean/std probabilities
    (N, T), mean embedding, labels."""
    cfg, run = load_run(run_dir)
    if list(dataset.traits.codes) != [t["code"] for t in run["traits"]]:
        raise ValueError(f"{dataset.path}: its traits differ from those the run {run_dir} was trained on")
    processes = side_by_side(cfg, device)
    # side by side, one bar (the first member's) stands for all: two bars on one terminal line garble each other
    jobs = [(Path(run_dir), dataset.path, np.asarray(indices), member, str(device),
             progress and (k == 0 or processes < 2)) for k, member in enumerate(run["members"])]
    results = map_members(_score_member, jobs, processes=processes, threads=cfg.train.cpu_threads)
    stacked = np.stack([r["probs"] for r in results])
    return {"indices": results[0]["indices"], "probs": stacked.mean(0), "spread": stacked.std(0),
            "embeddings": np.mean([r["embeddings"] for r in results], 0).astype(np.float32),
            "labels": results[0]["labels"], "cfg": cfg, "run": run}


def _score_member(run_dir: Path, dataset_path: Path, indices: np.ndarray, member: dict, device: str,
                  progress: bool) -> dict:
    cfg, run = load_run(run_dir)
    dataset, device = DatasetDir(dataset_path), torch.device(device)
    ds = StudyDataset(dataset, indices, max_slices=cfg.data.eval_max_slices, neighbours=cfg.data.neighbours,
                      train=False)
    loader = make_loader(ds, batch_size=cfg.train.batch_size, shuffle=False, seed=0, num_workers=cfg.data.num_workers)
    preprocess = build_preprocess(cfg, channels_last=cfg.train.channels_last)
    model = load_member(run_dir, member, cfg, dataset, device)
    n = len(run["members"])
    return evaluate(model, loader, preprocess, device, amp=cfg.train.amp and device.type == "cuda", progress=progress,
                    desc=f"member {member['member']} of {n}")


def write_predictions(path: Path, dataset: DatasetDir, pred: dict, threshold: float | None) -> Path:
    """predictions.csv (one row per study) and embeddings.npy (same row order) beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    codes = list(dataset.traits.codes)
    studies = dataset.studies.iloc[pred["indices"]]
    score = referral_score(pred["probs"], dataset.traits.high)
    table = pd.DataFrame({"study_id": studies["study_id"].to_numpy(), "split": studies["split"].to_numpy(),
                          "referral_score": score})
    if threshold is not None and not np.isfinite(threshold):
        threshold = None  # nothing certified: every study is referred
    table["reported"] = (score <= threshold).astype(int) if threshold is not None else 0
    for j, code in enumerate(codes):
        table[f"p_{code}"] = pred["probs"][:, j]
    for j, code in enumerate(codes):
        table[f"sd_{code}"] = pred["spread"][:, j]
    table.to_csv(path, index=False, float_format="%.6g")
    np.save(path.with_name("embeddings.npy"), pred["embeddings"])
    meta = {"format": PREDICTIONS_FORMAT, "traits": codes, "high_traits": [codes[j] for j in dataset.traits.high],
            "threshold": threshold, "members": len(pred["run"]["members"]),
            "embedding_dim": int(pred["embeddings"].shape[1]),
            # The dataset the run was trained on, which the platform links the run to; not the set predicted here.
            "dataset_content_hash": (pred["run"].get("dataset") or {}).get("content_hash")
            or dataset.manifest.get("content_hash")}
    path.with_name("predictions.json").write_text(json.dumps(meta, indent=2))
    return path
