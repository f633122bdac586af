"""Which demo recipe learns a trait fastest on the CPU? One member per recipe, the same seed and data order,
scoring one trait's study AUROC and the seconds spent after every epoch.

The recipes are the demo preset (`training.demo.DEMO_PRESET`) and variants of it, each named by the overrides
that make it; `previous` is the preset as it stood on 2026-11-27 (average pooling, lr 1e-3, the brain window
alone, NCHW), the baseline printed beside the others. Scored on the calibration and test splits together (more
studies than either alone; a diagnostic, not a certified evaluation). No Django: a dataset directory in.

    .venv/bin/python bench/bench_demo_recipe.py --data var/datasets/demo-head-ct/v1 --epochs 16
    .venv/bin/python bench/bench_demo_recipe.py --data DATASET --recipes equal_shares current
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
from training.train import (  # noqa: E402
    build_criterion,
    build_model,
    build_optimizer,
    build_preprocess,
    build_scheduler,
    place_model,
)
from training.utils import seed_everything  # noqa: E402

RECIPES = {
    "previous": ["model.pool=avg", "optim.lr=1e-3", "window.windows=[[40, 80]]", "train.channels_last=false"],
    "avg_pool": ["model.pool=avg"],
    "brain_window_only": ["window.windows=[[40, 80]]"],
    "lr_1e-3": ["optim.lr=1e-3"],
    "equal_shares": ["loss.significance_weight=" + json.dumps(dict.fromkeys(("high", "moderate", "low"), 1.0))],
    "current": [],
}


def curve(ds: DatasetDir, overrides: list[str], trait: str, seed: int) -> list[tuple[float, float]]:
    """(AUROC of `trait`, seconds) after each epoch of one member trained with the demo preset and `overrides`."""
    cfg = load_config(None, overrides, base=DEMO_PRESET)
    seed_everything(seed)
    cpu = torch.device("cpu")
    model, criterion = place_model(build_model(cfg, ds), cfg, cpu), build_criterion(cfg, ds)
    optimizer = build_optimizer(cfg, model)
    scheduler = build_scheduler(cfg, optimizer)
    preprocess = build_preprocess(cfg, channels_last=cfg.train.channels_last)
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
    parser.add_argument("--epochs", type=int, default=DEMO_PRESET["train"]["epochs"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trait", default="intracranial_hemorrhage")
    parser.add_argument("--recipes", nargs="+", default=["previous", "current"], choices=list(RECIPES))
    args = parser.parse_args()
    if "previous" not in args.recipes:
        args.recipes.insert(0, "previous")  # the baseline is always measured
    torch.set_num_threads(1)  # the preset's one thread per process: on a shared box idle OpenMP threads spin
    ds = DatasetDir(args.data)
    n = len(ds.split_indices("calibration")) + len(ds.split_indices("test"))
    print(f"{args.trait}: study AUROC on calibration + test ({n} studies) after each epoch, one member, "
          f"seed {args.seed}, {args.epochs} epochs of {len(ds.split_indices('train'))} training studies")
    for name in args.recipes:
        points = curve(ds, [f"train.epochs={args.epochs}", *RECIPES[name]], args.trait, args.seed)
        aucs = " ".join(f"{a:.3f}" for a, _ in points)
        seconds = sum(s for _, s in points)
        print(f"  {name:18} {aucs}   ({seconds:.0f} s, {seconds / len(points):.1f} s/epoch)", flush=True)
        if name != "current":
            print(f"  {'':18} overrides: {' '.join(RECIPES[name])}")


if __name__ == "__main__":
    main()
