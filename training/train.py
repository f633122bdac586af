"""Training driver: builds model, loss, optimizer and schedule from the config, trains the ensemble members of a run.

Each member trains with its own seed (so its own initialisation and data order), keeps its best checkpoint by AUROC
on the selection split (a patient-level share of train held out, by default: the calibration split's labels stay for
the certificate), stops early, and resumes exactly from its last completed epoch when restarted.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from training import __version__
from training.augment import Preprocess
from training.config import Config, ConfigError
from training.data import DatasetDir, StudyDataset, make_loader
from training.engine import evaluate, train_one_epoch
from training.losses import HierarchicalLoss, prevalence_pos_weight
from training.metrics import weighted_auroc_ap
from training.models import create_model
from training.models.study import StudyModel
from training.report import plot_curves
from training.utils import (
    DistInfo,
    JsonlLog,
    barrier,
    load_checkpoint,
    log,
    save_checkpoint,
    seed_everything,
    setup_logging,
    unwrap,
)

RUN_FORMAT = "radcurate-run/1"


def member_seed(cfg: Config, member: int) -> int:
    return cfg.train.seed + 1000 * member


def member_model_name(cfg: Config, member: int) -> str:
    names = cfg.train.member_models
    return names[member % len(names)] if names else cfg.model.name


def build_model(cfg: Config, dataset: DatasetDir, model_name: str | None = None) -> StudyModel:
    in_channels = (2 * cfg.data.neighbours + 1) * len(cfg.window.windows)
    backbone = create_model(model_name or cfg.model.name, in_channels=in_channels, width=cfg.model.width,
                            dropout=cfg.model.dropout, pool=cfg.model.pool)
    return StudyModel(backbone, len(dataset.traits), torch.from_numpy(dataset.traits.descendants()),
                      aggregation=cfg.model.aggregation, topk=cfg.model.topk, gru_hidden=cfg.model.gru_hidden)


def place_model(model: torch.nn.Module, cfg: Config, device: torch.device) -> torch.nn.Module:
    """On the device, channels-last when configured: on GPUs for the tensor cores; on CPUs too, where oneDNN's
    NHWC kernels (max pooling above all) ran a demo step 1.8x faster than NCHW."""
    model = model.to(device)
    return model.to(memory_format=torch.channels_last) if cfg.train.channels_last else model


def build_preprocess(cfg: Config, *, channels_last: bool = False) -> Preprocess:
    return Preprocess(windows=cfg.window.windows, size=cfg.data.image_size, rotation_deg=cfg.augment.rotation_deg,
                      scale=tuple(cfg.augment.scale), mirror_p=cfg.augment.mirror_p, augment=cfg.augment.enabled,
                      channels_last=channels_last)


def selection_split(cfg: Config, dataset: DatasetDir) -> tuple[np.ndarray, np.ndarray, str]:
    """(studies fitted, studies each epoch is scored on, the latter's name), from `train.select_on`; the holdout is
    drawn with the run's seed, so every member holds out the same patients."""
    if cfg.train.select_on == "calibration":
        return dataset.split_indices("train"), dataset.split_indices("calibration"), "calibration"
    if cfg.train.select_on != "holdout":
        raise ConfigError(f"train.select_on: {cfg.train.select_on!r} is not one of holdout, calibration")
    fit, held = dataset.train_holdout(cfg.train.holdout_fraction, cfg.train.seed)
    if not len(held):
        raise ConfigError(f"train.select_on = holdout: the train split has {len(fit)} studies of fewer than two "
                          "patients, none to hold out; set train.select_on = calibration")
    return fit, held, "holdout"


def build_criterion(cfg: Config, dataset: DatasetDir, fit: np.ndarray | None = None) -> HierarchicalLoss:
    """Positive weights from the fitted studies' prevalence (`fit`, default `selection_split`'s), falling back to the
    manifest's taxonomy figure."""
    train = dataset.labels[selection_split(cfg, dataset)[0] if fit is None else fit]
    observed = np.nanmean(train, 0) if len(train) else np.full(len(dataset.traits), np.nan)
    taxonomy = np.array(dataset.traits.prevalence) / 100
    prevalence = np.where(np.isfinite(observed) & (observed > 0), observed, taxonomy)
    pos_weight = prevalence_pos_weight(torch.tensor(prevalence, dtype=torch.float32),
                                       power=cfg.loss.class_weight_power, cap=cfg.loss.class_weight_max)
    significance = cfg.loss.significance_weight
    unknown = set(dataset.traits.significance) - set(significance)
    if unknown:
        raise ConfigError(f"loss.significance_weight: no weight for significance {sorted(unknown)}")
    trait_weight = torch.tensor([float(significance[s]) for s in dataset.traits.significance])
    return HierarchicalLoss(torch.from_numpy(dataset.traits.descendants()), pos_weight, kind=cfg.loss.kind,
                            gamma=cfg.loss.focal_gamma, slice_weight=cfg.loss.slice_weight, trait_weight=trait_weight)


def build_optimizer(cfg: Config, model: torch.nn.Module) -> torch.optim.Optimizer:
    o = cfg.optim
    if o.name == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=o.lr, weight_decay=o.weight_decay)
    if o.name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=o.lr, momentum=o.momentum, weight_decay=o.weight_decay,
                               nesterov=True)
    raise ValueError(f"optim.name {o.name!r} unknown (known: adamw, sgd)")


def build_scheduler(cfg: Config, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-epoch factor: linear warmup, then cosine to zero, step decay, or constant."""
    o, epochs = cfg.optim, cfg.train.epochs
    if o.schedule not in ("cosine", "step", "none"):
        raise ValueError(f"optim.schedule {o.schedule!r} unknown (known: cosine, step, none)")

    def factor(epoch: int) -> float:
        if epoch < o.warmup_epochs:
            return (epoch + 1) / (o.warmup_epochs + 1)
        if o.schedule == "cosine":
            span = max(epochs - o.warmup_epochs, 1)
            return 0.5 * (1 + math.cos(math.pi * (epoch - o.warmup_epochs) / span))
        if o.schedule == "step":
            return o.gamma ** (epoch // max(o.step_size, 1))
        return 1.0

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def calibration_score(result: dict, *, min_cases: int = 10) -> float:
    """Mean AUROC over traits with at least `min_cases` positives and negatives on the calibration split;
    -loss when none has. An AUROC over a handful of cases is noise: on 15 calibration studies it picked the
    untrained first epoch as best while the calibration loss fell every epoch after it."""
    aucs = []
    for j in range(result["probs"].shape[1]):
        y = result["labels"][:, j]
        known = ~np.isnan(y)
        positives = int(np.nansum(y))
        if min(positives, int(known.sum()) - positives) >= max(min_cases, 1):
            aucs.append(float(weighted_auroc_ap(result["probs"][known, j], y[known])[0][0]))
    return float(np.mean(aucs)) if aucs else -float(result["loss"])


SELECT_BY = ("score", "loss")


def check_select_by(cfg: Config) -> None:
    if cfg.train.select_by not in SELECT_BY:
        raise ConfigError(f"train.select_by {cfg.train.select_by!r} unknown (known: {', '.join(SELECT_BY)})")


def selection_score(result: dict, cfg: Config) -> float:
    """Higher is better: the calibration score, or with `train.select_by = "loss"` the negated calibration loss.
    The loss is for calibration splits too small to rank even one trait reliably: in an active-learning round
    (36 calibration studies, 11 with hemorrhage) the AUROC kept a member's untrained first epoch, and the
    ensemble scored 0.46 on test where its last epochs scored 0.76."""
    check_select_by(cfg)
    if cfg.train.select_by == "loss":
        return -float(result["loss"])
    return calibration_score(result, min_cases=cfg.train.select_min_cases)


def evaluation_due(epoch: int, cfg: Config) -> bool:
    """Every `train.eval_every` epochs and after the last: with a few labeled studies an epoch is a handful of
    steps, and scoring the calibration split after each cost more than the training (the active-learning rounds)."""
    return (epoch + 1) % max(cfg.train.eval_every, 1) == 0 or epoch == cfg.train.epochs - 1


def is_improvement(score: float, loss: float, best: float, best_loss: float) -> bool:
    """A higher calibration score, or the same score at a lower calibration loss: a small calibration split ranks
    perfectly (AUROC 1.0) long before the model stops improving, and the first such epoch is not the best."""
    return score > best or (score == best and loss < best_loss)


def train_member(cfg: Config, dataset: DatasetDir, member_dir: Path, member: int, *, info: DistInfo,
                 device: torch.device, progress: bool = True, stop_after_epoch: int | None = None) -> dict:
    """Train one ensemble member to completion (or resume it); returns its summary."""
    member_dir.mkdir(parents=True, exist_ok=True)
    done_path = member_dir / "member.json"
    if done_path.exists():
        log.info("member %d already trained: %s", member, done_path)
        return json.loads(done_path.read_text())
    seed = member_seed(cfg, member)
    seed_everything(seed)
    name = member_model_name(cfg, member)
    model = place_model(build_model(cfg, dataset, name), cfg, device)
    use_cuda = device.type == "cuda"
    fit, select, select_name = selection_split(cfg, dataset)
    criterion = build_criterion(cfg, dataset, fit).to(device)
    optimizer = build_optimizer(cfg, model)
    scheduler = build_scheduler(cfg, optimizer)
    start_epoch, best, best_loss, stale = 0, -float("inf"), float("inf"), 0
    last_path, best_path = member_dir / "last.pt", member_dir / "best.pt"
    if last_path.exists():
        state = load_checkpoint(last_path, model=model, optimizer=optimizer, scheduler=scheduler,
                                map_location=device)
        start_epoch, best, stale = state["epoch"] + 1, state["best"], state["stale"]
        best_loss = state["extra"].get("best_loss", float("inf"))
        log.info("member %d: resuming after epoch %d (best %.4f)", member, state["epoch"], best)
    net = model
    if info.enabled:
        # with the GRU and no slice term, the slice head gets no gradient: DDP must be told so
        unused = cfg.model.aggregation == "gru" and cfg.loss.slice_weight == 0
        net = DistributedDataParallel(model, device_ids=[device.index] if use_cuda else None,
                                      find_unused_parameters=unused)
    if cfg.train.compile:
        net = torch.compile(net)
    train_ds = StudyDataset(dataset, fit, max_slices=cfg.data.max_slices, neighbours=cfg.data.neighbours, train=True,
                            seed=seed)
    select_ds = StudyDataset(dataset, select, max_slices=cfg.data.eval_max_slices, neighbours=cfg.data.neighbours,
                          train=False)
    train_loader = make_loader(train_ds, batch_size=cfg.train.batch_size, shuffle=True, seed=seed,
                               num_workers=cfg.data.num_workers, world_size=info.world_size, rank=info.rank,
                               pin_memory=cfg.data.pin_memory and use_cuda)
    select_loader = make_loader(select_ds, batch_size=cfg.train.batch_size, shuffle=False, seed=seed,
                             num_workers=cfg.data.num_workers, pin_memory=cfg.data.pin_memory and use_cuda)
    preprocess = build_preprocess(cfg, channels_last=cfg.train.channels_last)
    metrics_log = JsonlLog(member_dir / "metrics.jsonl")
    amp = cfg.train.amp and use_cuda
    epoch = start_epoch - 1
    member_started = time.time()
    for epoch in range(start_epoch, cfg.train.epochs):
        train_loader.sampler.set_epoch(epoch)
        train_ds.set_epoch(epoch)
        stats = train_one_epoch(net, criterion, optimizer, train_loader, preprocess, device, epoch, seed=seed,
                                amp=amp, max_steps=cfg.train.max_steps_per_epoch, progress=progress and info.is_main)
        lr = optimizer.param_groups[0]["lr"]
        scheduler.step()
        stop = False
        if info.is_main:
            due = evaluation_due(epoch, cfg)
            if due:
                result = evaluate(model, select_loader, preprocess, device, criterion=criterion, amp=amp,
                                  progress=progress, desc=select_name)
                score = selection_score(result, cfg)
                improved = is_improvement(score, result["loss"], best, best_loss)
                best, best_loss, stale = (score, result["loss"], 0) if improved else (best, best_loss, stale + 1)
            else:
                result, score, improved = {"loss": float("nan")}, float("nan"), False
            metrics_log.write(member=member, epoch=epoch, lr=lr, train_loss=stats["loss"], steps=stats["steps"],
                              slices_per_s=stats["slices_per_s"], calibration_loss=result["loss"],
                              calibration_score=score, best=best, world_size=info.world_size,
                              selection_split=select_name)
            # The epoch count and the time left: member processes run without bars, and this line is their progress.
            left = (time.time() - member_started) / (epoch + 1 - start_epoch) * (cfg.train.epochs - epoch - 1)
            log.info("member %d epoch %d/%d: train loss %.4f, %s loss %.4f, score %.4f%s (%.0f slices/s, "
                     "about %d:%02d left)", member, epoch + 1, cfg.train.epochs, stats["loss"], select_name,
                     result["loss"], score, " *" if improved else "", stats["slices_per_s"], *divmod(int(left), 60))
            extra = {"model_name": name, "seed": seed, "best_loss": best_loss}
            if improved:
                save_checkpoint(best_path, model=model, optimizer=optimizer, scheduler=scheduler, epoch=epoch,
                                best=best, stale=stale, extra=extra)
            save_checkpoint(last_path, model=model, optimizer=optimizer, scheduler=scheduler, epoch=epoch,
                            best=best, stale=stale, extra=extra)
            plot_curves(metrics_log.read(), member_dir / "curves.png")
            stop = due and stale >= cfg.train.patience
        stop = _broadcast_flag(stop, info, device)
        barrier(info)
        if stop:
            log.info("member %d: early stop after epoch %d (no improvement in %d evaluations)", member, epoch, stale)
            break
        if stop_after_epoch is not None and epoch >= stop_after_epoch:
            return {"member": member, "interrupted_after_epoch": epoch}
    summary = {"member": member, "model": name, "seed": seed, "epochs_run": epoch + 1, "best_score": best,
               "checkpoint": str(best_path.relative_to(member_dir.parent.parent))}
    if info.is_main:
        done_path.write_text(json.dumps(summary, indent=2))
    barrier(info)
    return summary


def _broadcast_flag(flag: bool, info: DistInfo, device: torch.device) -> bool:
    if not info.enabled:
        return flag
    t = torch.tensor([1 if flag else 0], device=device)
    dist.broadcast(t, src=0)
    return bool(t.item())


def train_run(cfg: Config, data_dir: Path, run_dir: Path, *, info: DistInfo, device: torch.device,
              progress: bool = True) -> dict:
    """Train every member of the ensemble into run_dir; writes config.json and run.json."""
    check_select_by(cfg)  # before any member trains: a typo must not cost a training run
    dataset = DatasetDir(data_dir)
    run_dir = Path(run_dir)
    if info.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    barrier(info)
    started = time.time()
    if cfg.train.member_processes > 1:
        members = _train_members_side_by_side(cfg, Path(data_dir), run_dir, info=info, device=device)
    else:
        members = []
        for m in range(cfg.train.members):
            log.info("training member %d/%d (%s, seed %d)", m + 1, cfg.train.members, member_model_name(cfg, m),
                     member_seed(cfg, m))
            members.append(train_member(cfg, dataset, run_dir / "members" / f"member-{m:02d}", m, info=info,
                                        device=device, progress=progress))
    run = {
        "format": RUN_FORMAT, "code_version": __version__,
        "dataset": {"name": dataset.manifest.get("name"), "version": dataset.manifest.get("version"),
                    "content_hash": dataset.manifest.get("content_hash"), "path": str(Path(data_dir).resolve())},
        "traits": [{"code": c, "significance": s, "parent": p} for c, s, p in
                   zip(dataset.traits.codes, dataset.traits.significance, dataset.traits.parents, strict=True)],
        "members": members, "world_size": info.world_size, "device": str(device),
        "torch": torch.__version__, "train_seconds": round(time.time() - started, 1),
    }
    if info.is_main:
        (run_dir / "run.json").write_text(json.dumps(run, indent=2))
    return run


def _train_members_side_by_side(cfg: Config, data_dir: Path, run_dir: Path, *, info: DistInfo,
                                device: torch.device) -> list[dict]:
    """Members are independent, so on a CPU box each can have a core of its own: a pool of single-member
    processes beats one process whose threads share the cores (OpenMP threads spin while they wait)."""
    if device.type != "cpu" or info.enabled:
        raise ConfigError("train.member_processes > 1 is for CPU training in one process; on GPUs use torchrun")
    import multiprocessing

    jobs = [(cfg, data_dir, run_dir / "members" / f"member-{m:02d}", m) for m in range(cfg.train.members)]
    log.info("training %d members, %d processes side by side", len(jobs), cfg.train.member_processes)
    # spawn, not fork: a forked child inherits torch's thread pool in an unusable state
    with multiprocessing.get_context("spawn").Pool(min(cfg.train.member_processes, len(jobs))) as pool:
        return pool.starmap(_member_process, jobs, chunksize=1)


def _member_process(cfg: Config, data_dir: Path, member_dir: Path, member: int) -> dict:
    setup_logging()
    torch.set_num_threads(max(cfg.train.cpu_threads, 1))
    log.info("training member %d/%d (%s, seed %d) in process %d", member + 1, cfg.train.members,
             member_model_name(cfg, member), member_seed(cfg, member), os.getpid())
    return train_member(cfg, DatasetDir(data_dir), member_dir, member, info=DistInfo(), device=torch.device("cpu"),
                        progress=False)


def load_member(run_dir: Path, member: dict, cfg: Config, dataset: DatasetDir, device: torch.device) -> StudyModel:
    model = place_model(build_model(cfg, dataset, member["model"]), cfg, device)
    load_checkpoint(Path(run_dir) / member["checkpoint"], model=model, map_location=device)
    return unwrap(model).eval()
