"""Command line: `python -m training train|evaluate|predict|demo ...` (see docs/run-format.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from training.config import ConfigError, load_config
from training.data import DatasetDir, DatasetError
from training.demo import PRESETS, demo_dataset
from training.evaluation_inputs import InputError, read_evaluation_inputs
from training.report import build_report, write_report
from training.subgroups import subgroup_columns
from training.utils import cleanup_distributed, init_distributed, log, pick_device, setup_logging


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def config_args(p):
        p.add_argument("--config", type=Path, help="JSON or TOML config file (defaults otherwise)")
        p.add_argument("--preset", choices=sorted(PRESETS), help="start from a preset, then apply --config")
        p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                       help="override one config value (repeatable)")
        p.add_argument("--no-progress", action="store_true", help="no progress bars (logs only)")

    train = sub.add_parser("train", help="train the ensemble, then predict and evaluate")
    config_args(train)
    train.add_argument("--data", type=Path, required=True, help="dataset directory (radcurate-dataset/1)")
    train.add_argument("--out", type=Path, required=True, help="run directory (resumed when it exists)")
    train.add_argument("--no-evaluate", action="store_true", help="skip predictions and report after training")

    demo = sub.add_parser("demo", help="train and evaluate the small CPU preset (writes a toy dataset if no --data)")
    config_args(demo)
    demo.add_argument("--data", type=Path)
    demo.add_argument("--out", type=Path, required=True)

    ev = sub.add_parser("evaluate", help="report.json and plots for a run, or for predictions/labels CSV files")
    ev.add_argument("--run", type=Path, help="a trained run directory")
    ev.add_argument("--data", type=Path, help="dataset directory (default: the one the run was trained on)")
    ev.add_argument("--predictions", type=Path, help="predictions CSV (docs/evaluation-inputs.md)")
    ev.add_argument("--labels", type=Path, help="labels CSV (docs/evaluation-inputs.md)")
    ev.add_argument("--traits", type=Path, help="manifest.json naming traits and significance (CSV mode)")
    ev.add_argument("--high", help="comma-separated high-significance trait codes (CSV mode)")
    ev.add_argument("--out", type=Path, help="output directory (default: the run directory)")
    ev.add_argument("--config", type=Path, help="config file whose [eval] section applies (CSV mode)")
    ev.add_argument("--set", dest="overrides", action="append", default=[], metavar="eval.KEY=VALUE")
    ev.add_argument("--no-progress", action="store_true")

    pr = sub.add_parser("predict", help="per-study predictions of a run's ensemble")
    pr.add_argument("--run", type=Path, required=True)
    pr.add_argument("--data", type=Path, required=True)
    pr.add_argument("--out", type=Path, required=True, help="predictions CSV path (embeddings.npy beside it)")
    pr.add_argument("--split", default="all", choices=["all", "train", "calibration", "test"])
    pr.add_argument("--device", default="auto")
    pr.add_argument("--no-progress", action="store_true")
    pr.add_argument("--saliency", action="store_true",
                    help="also write Grad-CAM maps (saliency.npz, saliency.json beside the predictions)")
    pr.add_argument("--saliency-threshold", action="append", default=[], metavar="[CODE=]P",
                    help="probability at which a trait gets a map (default 0.5; CODE=P for one trait; repeatable)")
    pr.add_argument("--saliency-top", type=int, default=2,
                    help="traits mapped in a study where none passes its threshold (default 2)")
    pr.add_argument("--saliency-most", type=int, default=5,
                    help="at most this many traits mapped per study, the likeliest passing (default 5)")
    pr.add_argument("--saliency-studies", type=Path, metavar="FILE",
                    help="map only the studies whose ids this file lists, one a line (default: every predicted study)")
    return parser


def cmd_train(args, *, data: Path) -> int:
    base = PRESETS.get(args.preset) if args.preset else None
    cfg = load_config(args.config, args.overrides, base=base)
    device_kind = "cuda" if cfg.train.device == "cuda" or (cfg.train.device == "auto" and _cuda()) else "cpu"
    info = init_distributed(device_kind)
    setup_logging(info.rank)
    device = pick_device(cfg.train.device, info)
    if device.type == "cpu" and cfg.train.cpu_threads > 0:
        # measured on a loaded 2-core box: one thread ran a demo step 16x faster than two spinning ones
        torch.set_num_threads(cfg.train.cpu_threads)
    from training.train import train_run

    try:
        train_run(cfg, data, args.out, info=info, device=device, progress=not args.no_progress)
    finally:
        cleanup_distributed()
    if info.is_main and not getattr(args, "no_evaluate", False):
        evaluate_run(args.out, data, device=device, progress=not args.no_progress)
    return 0


def _cuda() -> bool:
    return torch.cuda.is_available()


def evaluate_run(run_dir: Path, data: Path | None, *, device=None, progress: bool = True, out: Path | None = None
                 ) -> Path:
    """Predict calibration and test with the ensemble, certify the operating point, write report and predictions."""
    from training.predict import load_run, predict_ensemble, write_predictions

    cfg, run = load_run(run_dir)
    dataset = DatasetDir(data or run["dataset"]["path"])
    device = device or pick_device(cfg.train.device, init_distributed("cpu"))
    indices = np.concatenate([dataset.split_indices("calibration"), dataset.split_indices("test")])
    pred = predict_ensemble(run_dir, dataset, indices, device, progress=progress)
    studies = dataset.studies.iloc[pred["indices"]]
    codes = list(dataset.traits.codes)
    report = build_report(codes=codes, high=dataset.traits.high, patients=studies["patient_id"].to_numpy(str),
                          splits=studies["split"].to_numpy(str), probs=pred["probs"], labels=pred["labels"],
                          cfg=cfg.eval, source={"run": str(Path(run_dir).resolve()),
                                                "dataset": run["dataset"], "members": len(run["members"])},
                          groups=subgroup_columns(studies))
    out = Path(out or run_dir)
    path = write_report(report, out, probs=pred["probs"], labels=pred["labels"],
                        patients=studies["patient_id"].to_numpy(str), splits=studies["split"].to_numpy(str),
                        codes=codes, seed=cfg.eval.seed)
    write_predictions(out / "predictions.csv", dataset, pred, report["operating_point"]["threshold"])
    _log_summary(report)
    return path


def _log_summary(report: dict) -> None:
    for t in report["traits"]:
        if t["auroc"] is not None:
            log.info("%-28s AUROC %.3f [%.3f, %.3f]  AUPRC %.3f  (n+=%d)", t["code"], t["auroc"],
                     t["auroc_lo"] or float("nan"), t["auroc_hi"] or float("nan"), t["auprc"], t["n_positive"])
    if "note" in report["operating_point"]:
        log.warning("%s", report["operating_point"]["note"])
    op = report["operating_point"]["test"]
    log.info("certified operating point on test: coverage %.1f%%, CSMR %.2f%% (95%% upper %.2f%%), "
             "%.1f misses per 1000 studies", 100 * op["coverage"], 100 * op["csmr"], 100 * op["csmr_upper"],
             op["misses_per_1000_studies"])
    for row in report["reference"]["points"]:
        log.info("%s: %s", row["point"], row["note"])


def cmd_evaluate(args) -> int:
    setup_logging()
    if args.run is not None:
        path = evaluate_run(args.run, args.data, progress=not args.no_progress, out=args.out)
    else:
        if args.predictions is None or args.labels is None or args.out is None:
            raise InputError("evaluate needs --run, or --predictions, --labels and --out")
        cfg = load_config(args.config, args.overrides)
        high = [c.strip() for c in args.high.split(",") if c.strip()] if args.high else None
        inputs = read_evaluation_inputs(args.predictions, args.labels, traits=args.traits, high=high,
                                        seed=cfg.eval.seed)
        report = build_report(codes=inputs.codes, high=inputs.high, patients=inputs.patients, splits=inputs.splits,
                              probs=inputs.probs, labels=inputs.labels, cfg=cfg.eval,
                              source={"predictions": str(args.predictions), "labels": str(args.labels)})
        path = write_report(report, args.out, probs=inputs.probs, labels=inputs.labels, patients=inputs.patients,
                            splits=inputs.splits, codes=inputs.codes, seed=cfg.eval.seed)
        _log_summary(report)
    log.info("wrote %s", path)
    return 0


def cmd_predict(args) -> int:
    setup_logging()
    from training.predict import predict_ensemble, write_predictions

    dataset = DatasetDir(args.data)
    # checked before any study is scored: a typo should not cost a prediction pass
    selection = (saliency_selection(args.saliency_threshold, args.saliency_top, list(dataset.traits.codes),
                                    most=args.saliency_most) if args.saliency else None)
    mapped = _saliency_studies(args.saliency_studies, dataset) if args.saliency else None
    indices = np.arange(len(dataset)) if args.split == "all" else dataset.split_indices(args.split)
    device = pick_device(args.device, init_distributed("cpu"))
    pred = predict_ensemble(args.run, dataset, indices, device, progress=not args.no_progress)
    threshold = None
    report_path = Path(args.run) / "report.json"
    if report_path.exists():
        threshold = json.loads(report_path.read_text())["operating_point"]["threshold"]
    else:
        log.warning("%s missing: no certified operating point, every study is marked referred", report_path)
    path = write_predictions(args.out, dataset, pred, threshold)
    reported = int(pd.read_csv(path)["reported"].sum())
    log.info("wrote %s (%d studies, %d reported)", path, len(indices), reported)
    if selection is not None:
        from training.saliency import ensemble_saliency, write_saliency

        entries = ensemble_saliency(args.run, dataset, pred, device, selection=selection, studies=mapped,
                                    progress=not args.no_progress)
        written = write_saliency(Path(args.out).parent, entries, image_size=pred["cfg"].data.image_size,
                                 selection=selection)
        log.info("wrote %s (%d studies, %d maps)", written, len(entries), sum(len(e["traits"]) for e in entries))
    return 0


def _saliency_studies(path: Path | None, dataset: DatasetDir) -> set[str] | None:
    """The study ids `--saliency-studies` lists; checked before any study is scored."""
    if path is None:
        return None
    try:
        wanted = {line.strip() for line in path.read_text().splitlines() if line.strip()}
    except OSError as exc:
        raise InputError(f"--saliency-studies {path}: {exc.strerror}") from None
    unknown = wanted - set(dataset.studies["study_id"].astype(str))
    if unknown:
        log.warning("--saliency-studies: %d of %d studies are not in %s (e.g. %s): no map for them", len(unknown),
                    len(wanted), dataset.path, sorted(unknown)[0])
    return wanted


def saliency_selection(values: list[str], top: int, codes: list[str], most: int = 5):
    """`--saliency-threshold 0.4 --saliency-threshold intracranial_hemorrhage=0.2` -> a Selection."""
    from training.saliency import Selection

    threshold, per_trait = 0.5, {}
    for value in values:
        code, _, number = value.rpartition("=")
        try:
            p = float(number)
        except ValueError:
            raise InputError(f"--saliency-threshold {value}: {number!r} is not a probability") from None
        if not 0.0 <= p <= 1.0:
            raise InputError(f"--saliency-threshold {value}: {p} is outside [0, 1]")
        if code and code not in codes:
            raise InputError(f"--saliency-threshold {value}: unknown trait {code!r}")
        if code:
            per_trait[code] = p
        else:
            threshold = p
    return Selection(threshold=threshold, per_trait=per_trait, top=top, most=most)


def main(argv: list[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    try:
        if args.command == "train":
            return cmd_train(args, data=args.data)
        if args.command == "demo":
            args.preset = args.preset or "demo"
            data = args.data or demo_dataset(args.out / "dataset")
            return cmd_train(args, data=data)
        if args.command == "evaluate":
            return cmd_evaluate(args)
        return cmd_predict(args)
    except (ConfigError, DatasetError, InputError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
