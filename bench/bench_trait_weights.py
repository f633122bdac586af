"""Does a trait learn when it shares the loss? The demo preset trained twice on one dataset, with equal trait
shares and with the preset's significance weights, scoring one trait's study AUROC after every epoch.

Both runs use the same seed, data order and augmentation, so the only difference is `loss.significance_weight`;
the equal-share run is the baseline printed beside it. Scored on the calibration and test splits together
(more studies than either alone; a diagnostic, not a certified evaluation). No Django: a dataset directory in.

    .venv/bin/python bench/bench_trait_weights.py --data var/datasets/demo-head-ct/v1 --epochs 8 --seed 0
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.config import load_config  # noqa: E402
from training.data import DatasetDir, StudyDataset, make_loader  # noqa: E402
from training.demo import DEMO_PRESET  # noqa: E402
from training.engine import evaluate, train_one_epoch  # noqa: E402
from training.train import build_criterion, build_model, build_optimizer, build_preprocess, build_scheduler  # noqa: E402
from training.utils import seed_everything  # noqa: E402


def curve(ds: DatasetDir, overrides: list[str], trait: str, seed: int) -> list[tuple[float, float]]:
    """(AUROC of `trait`, seconds) after each epoch of one member trained with the demo preset and `overrides`."""
    cfg = load_config(None, overrides, base=DEMO_PRESET)
    seed_everything(seed)
    model, criterion = build_model(cfg, ds), build_criterion(cfg, ds)
    optimizer = build_optimizer(cfg, model)
    scheduler = build_scheduler(cfg, optimizer)
    preprocess, cpu = build_preprocess(cfg), torch.device("cpu")
    train = StudyDataset(ds, ds.split_indices("train"), max_slices=cfg.data.max_slices,
                         neighbours=cfg.data.neighbours, train=True, seed=seed)
    scored = StudyDataset(ds, np.concatenate([ds.split_indices("calibration"), ds.split_indices("test")]),
                          max_slices=cfg.data.eval_max_slices, neighbours=cfg.data.neighbours, train=False)
    train_loader = make_loader(train, batch_size=cfg.train.batch_size, shuffle=True, seed=seed, num_workers=0)
    score_loader = make_loader(scored, batch_size=cfg.train.batch_size, shuffle=False, seed=seed, num_workers=0)
    j = ds.traits.codes.index(trait)
    points = []
    for epoch in range(cfg.train.epochs):
        start = time.perf_counter()
        train_loader.sampler.set_epoch(epoch)
        train.set_epoch(epoch)
        train_one_epoch(model, criterion, optimizer, train_loader, preprocess, cpu, epoch, seed=seed, progress=False)
        scheduler.step()
        result = evaluate(model, score_loader, preprocess, cpu, progress=False)
        y = result["labels"][:, j]
        known = ~np.isnan(y)
        points.append((roc_auc_score(y[known], result["probs"][known, j]), time.perf_counter() - start))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a radcurate-dataset/1 directory (e.g. the demo's export)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trait", default="intracranial_hemorrhage")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread: on a shared 2-core box idle OpenMP threads spin
    ds = DatasetDir(args.data)
    weights = DEMO_PRESET["loss"]["significance_weight"]
    runs = {
        "equal shares": [f"train.epochs={args.epochs}",
                         "loss.significance_weight=" + json.dumps(dict.fromkeys(weights, 1.0))],
        f"significance {'/'.join(str(v) for v in weights.values())}": [f"train.epochs={args.epochs}"],
    }
    n = len(ds.split_indices("calibration")) + len(ds.split_indices("test"))
    print(f"{args.trait}: study AUROC on calibration + test ({n} studies) after each epoch, one member, seed {args.seed}")
    for name, overrides in runs.items():
        points = curve(ds, overrides, args.trait, args.seed)
        aucs = " ".join(f"{a:.3f}" for a, _ in points)
        print(f"  {name:28} {aucs}   ({sum(s for _, s in points):.0f} s)", flush=True)


if __name__ == "__main__":
    main()
