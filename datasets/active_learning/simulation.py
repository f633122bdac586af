"""Does active learning beat random ordering? A simulation on the synthetic cohort, through files only.

Start from a small labeled seed set; each round trains a small model (`python -m training train`), predicts
the unlabeled pool (`python -m training predict`), picks the next batch by a strategy, labels it with
simulated readers (a majority of noisy readers, as the platform's consensus would), and repeats. Every
round is scored on a fixed test split labeled by the reference standard: the mean test AUROC of the
high-significance traits and the coverage certified at the target CSMR.

No Django here: the cohort is read from its files and the model is trained in its own process.
"""

import json
import math
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom

from datasets.active_learning.priorities import blend
from datasets.active_learning.strategies import Predictions
from datasets.export.records import LabelInput, StudyPlacement
from datasets.export.shards import ShardWriter
from datasets.export.tables import write_labels, write_reads, write_studies
from synth.readers import simulated_consensus
from synth.study import finding_spans

STRATEGY_WEIGHTS = {
    "random": {"random": 1.0},
    "uncertainty": {"entropy": 1.0, "disagreement": 1.0},
    "rare_significant": {"rare_significant": 1.0},
    "threshold": {"threshold": 1.0},
    "combined": {"entropy": 1.0, "rare_significant": 1.0, "threshold": 0.5, "diversity": 0.5},
}

# select_by=loss: a round's selection holdout (15% of its labeled train studies' patients) is too few to rank by
# AUROC (training.train.selection_score); it was already so on the 36 calibration studies epochs were chosen on before
TRAINING_OVERRIDES = ("data.max_slices=8", "train.members=2", "eval.n_bootstrap=200", "train.select_by=loss")


@dataclass
class SimulationConfig:
    cohort_dir: Path
    work_dir: Path
    strategies: list[str] = field(default_factory=lambda: list(STRATEGY_WEIGHTS))
    seeds: list[int] = field(default_factory=lambda: [0, 1])
    seed_size: int = 24
    batch_size: int = 24
    rounds: int = 4
    test_fraction: float = 0.3
    calibration_fraction: float = 0.15
    reader_sensitivity: float = 0.85
    reader_specificity: float = 0.97
    n_readers: int = 3
    training_overrides: tuple[str, ...] = TRAINING_OVERRIDES
    # every round trains for about this many optimizer steps, so a round with more labels is not also a longer
    # training (with a fixed epoch count the 24-study seed round got 24 steps and learned nothing); None: as set
    steps_per_round: int | None = 240
    train_batch_size: int = 4


@dataclass
class Pool:
    """The whole cohort once, as a dataset: one shard, the truth, and the fixed calibration/test studies."""

    root: Path
    traits: list[dict]
    studies: pd.DataFrame  # study_id, patient_id, shard, offset, n_slices, spacing, role (pool/calibration/test)
    truth: dict[str, set[str]]
    spans: dict[str, dict[str, tuple[int, int]]]  # where the visible findings lie: the readers' slice ranges

    @property
    def codes(self) -> list[str]:
        return [t["code"] for t in self.traits]

    def ids(self, role: str) -> list[str]:
        return self.studies.loc[self.studies["role"] == role, "study_id"].tolist()


def _axial_volume(study_dir: Path, folder: str) -> tuple[np.ndarray, float, float]:
    slices = [pydicom.dcmread(p) for p in sorted((study_dir / folder).glob("*.dcm"))]
    slices.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    hu = np.stack([ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept) for ds in slices])
    return hu.astype(np.int16), float(slices[0].PixelSpacing[0]), float(slices[0].SliceThickness)


def pool_build(cohort_dir: Path, root: Path, *, test_fraction: float, calibration_fraction: float) -> Pool:
    """Decode every study's axial series once into a shard; assign test/calibration by patient, the rest pool."""
    from curation.default_taxonomy import DEFAULT_TRAITS  # plain data, no Django

    records = [json.loads(line) for line in (cohort_dir / "ground_truth.jsonl").read_text().splitlines()]
    traits = [{"code": t.code, "name": t.name, "significance": t.significance, "parent": t.parent,
               "prevalence": t.prevalence} for t in DEFAULT_TRAITS]
    root.mkdir(parents=True, exist_ok=True)
    rows, truth, spans = [], {}, {}
    patients = sorted({r["patient_id"] for r in records})
    order = np.random.default_rng(12345).permutation(len(patients))
    n_test, n_cal = int(len(patients) * test_fraction), int(len(patients) * calibration_fraction)
    role_of = {patients[i]: ("test" if k < n_test else "calibration" if k < n_test + n_cal else "pool")
               for k, i in enumerate(order)}
    writer = None
    for r in records:
        axial = next(s for s in r["series"] if s["kind"] == "axial")
        hu, spacing, thickness = _axial_volume(cohort_dir / "dicom" / r["study_folder"], axial["folder"])
        if writer is None:
            (root / "volumes").mkdir(exist_ok=True)
            writer = ShardWriter(root / "volumes" / "shard-00000.npy", hu.shape[1:])
        offset = writer.append(hu, study_id=r["study_instance_uid"])
        rows.append({"study_id": r["study_instance_uid"], "patient_id": f"patient-{patients.index(r['patient_id'])}",
                     "shard": "volumes/shard-00000.npy", "offset": offset, "n_slices": len(hu),
                     "pixel_spacing_mm": spacing, "slice_thickness_mm": thickness, "role": role_of[r["patient_id"]]})
        truth[r["study_instance_uid"]] = {t["code"] for t in r["traits"]}
        spans[r["study_instance_uid"]] = finding_spans(r)
    writer.close()
    return Pool(root, traits, pd.DataFrame(rows), truth, spans)


def _write_round(pool: Pool, out: Path, labeled: dict[str, set[str]], *, split_of: dict[str, str]) -> Path:
    """A dataset directory over the shared shard: `labeled` as train, the fixed calibration and test studies."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "volumes").symlink_to((pool.root / "volumes").resolve(), target_is_directory=True)
    keep = pool.studies[pool.studies["study_id"].isin(split_of)]
    placements = [StudyPlacement(r.study_id, r.shard, int(r.offset), int(r.n_slices), float(r.pixel_spacing_mm),
                                 float(r.slice_thickness_mm)) for r in keep.itertuples()]
    patients = dict(zip(keep["study_id"], keep["patient_id"], strict=True))
    write_studies(placements, patients, split_of, out / "studies.parquet")
    labels = []
    for study_id, split in split_of.items():
        positives = labeled.get(study_id) if split == "train" else pool.truth.get(study_id)
        if positives is None:
            continue  # unlabeled: predicted, never trained or scored on
        marked = pool.spans.get(study_id, {})
        labels += [LabelInput(study_id, code, int(code in positives), float(code in positives), 1, False,
                              (marked[code],) if code in positives and code in marked else ())
                   for code in pool.codes]
    write_labels(labels, out / "labels.parquet")
    write_reads([], out / "reads.parquet")
    size = list(np.load(pool.root / "volumes" / "shard-00000.npy", mmap_mode="r").shape[1:])
    manifest = {"format": "radcurate-dataset/1", "name": out.name, "version": 0, "traits": pool.traits,
                "preprocessing": {"size": size, "dtype": "int16", "units": "HU", "series": "primary_axial"},
                "splits": {s: list(split_of.values()).count(s) for s in ("train", "calibration", "test")}}
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def round_overrides(cfg: SimulationConfig, n_labeled: int) -> tuple[str, ...]:
    """The training overrides of a round with `n_labeled` training studies: its epochs from the step budget."""
    extra = (f"train.batch_size={cfg.train_batch_size}",)
    if cfg.steps_per_round:
        epochs = max(1, math.ceil(cfg.steps_per_round / math.ceil(n_labeled / cfg.train_batch_size)))
        # about 8 calibration evaluations a round, however short its epochs
        extra += (f"train.epochs={epochs}", f"train.patience={epochs}", f"train.eval_every={max(1, epochs // 8)}")
    return (*cfg.training_overrides, *extra)


def _training(*args: str, overrides: tuple[str, ...] = ()) -> None:
    command = [sys.executable, "-m", "training", *args, "--no-progress"]
    for item in overrides:
        command += ["--set", item]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed:\n{result.stderr[-2000:]}")


def _score(report: dict) -> dict:
    high = [t["auroc"] for t in report["traits"] if t.get("high") and t.get("auroc") is not None
            and not np.isnan(t["auroc"])]
    ich = next((t["auroc"] for t in report["traits"] if t["code"] == "intracranial_hemorrhage"), None)
    test = report["operating_point"]["test"]
    return {"high_auroc": float(np.mean(high)) if high else float("nan"),
            "ich_auroc": float("nan") if ich is None else float(ich), "coverage": float(test["coverage"]),
            "csmr_upper": float(test["csmr_upper"])}


def _predictions(csv_path: Path, pool: Pool, threshold: float | None) -> Predictions:
    table = pd.read_csv(csv_path, dtype={"study_id": str})
    emb_path = csv_path.with_name("embeddings.npy")
    sig = [t["significance"] for t in pool.traits]
    return Predictions(
        study_ids=table["study_id"].tolist(), traits=pool.codes,
        probability=table[[f"p_{c}" for c in pool.codes]].to_numpy(float),
        spread=table[[f"sd_{c}" for c in pool.codes]].to_numpy(float) if f"sd_{pool.codes[0]}" in table else None,
        significance=sig, prevalence=np.array([t["prevalence"] for t in pool.traits]),
        embedding=np.load(emb_path) if emb_path.exists() else None, threshold=threshold,
    )


def run_strategy(pool: Pool, cfg: SimulationConfig, strategy: str, seed: int, log=print) -> list[dict]:
    """One learning curve: rounds of train, evaluate, predict the pool, pick, label."""
    rng = np.random.default_rng(seed)
    candidates = pool.ids("pool")
    fixed = {**dict.fromkeys(pool.ids("calibration"), "calibration"), **dict.fromkeys(pool.ids("test"), "test")}
    chosen = list(rng.choice(candidates, size=min(cfg.seed_size, len(candidates)), replace=False))
    labeled = {}
    curve = []
    work = cfg.work_dir / f"{strategy}-seed{seed}"
    for round_index in range(cfg.rounds):
        for study_id in chosen:
            labeled[study_id] = simulated_consensus(
                pool.truth[study_id], pool.codes, rng, n_readers=cfg.n_readers,
                sensitivity=cfg.reader_sensitivity, specificity=cfg.reader_specificity)
        data = _write_round(pool, work / f"round{round_index}-data", labeled,
                            split_of={**dict.fromkeys(labeled, "train"), **fixed})
        run = work / f"round{round_index}-run"
        shutil.rmtree(run, ignore_errors=True)
        _training("train", "--preset", "demo", "--data", str(data), "--out", str(run),
                  overrides=(*round_overrides(cfg, len(labeled)), f"train.seed={seed}"))
        report = json.loads((run / "report.json").read_text())
        point = {"strategy": strategy, "seed": seed, "round": round_index, "labeled": len(labeled), **_score(report)}
        curve.append(point)
        log(f"{strategy:16} seed {seed} round {round_index}: {len(labeled):4d} labeled, "
            f"high-trait AUROC {point['high_auroc']:.3f}, hemorrhage {point['ich_auroc']:.3f}, "
            f"certified coverage {point['coverage']:.1%}")
        unlabeled = [s for s in candidates if s not in labeled]
        if round_index == cfg.rounds - 1 or not unlabeled:
            break
        pool_dir = _write_round(pool, work / f"round{round_index}-pool", {}, split_of=dict.fromkeys(unlabeled, "test"))
        _training("predict", "--run", str(run), "--data", str(pool_dir), "--out", str(run / "pool.csv"),
                  "--split", "all")
        pred = _predictions(run / "pool.csv", pool, report["operating_point"].get("threshold"))
        ranked = sorted(blend(pred, STRATEGY_WEIGHTS[strategy], seed=seed * 1000 + round_index),
                        key=lambda p: -p.score)
        chosen = [p.study_id for p in ranked[:cfg.batch_size]]
    return curve


def labels_to_reach(curves: list[dict], target: float, metric: str = "high_auroc") -> int | None:
    """The fewest labels at which a strategy's seed-averaged `metric` reaches `target`."""
    by_size = pd.DataFrame(curves).groupby("labeled")[metric].mean()
    reached = by_size[by_size >= target]
    return int(reached.index.min()) if len(reached) else None


METRICS = ("high_auroc", "ich_auroc")


def summarize(points: list[dict]) -> dict:
    frame = pd.DataFrame(points)
    if "ich_auroc" not in frame:
        frame["ich_auroc"] = np.nan
    baseline = frame[frame.strategy == "random"].groupby("labeled")[list(METRICS)].mean()
    finals = {m: float(baseline[m].iloc[-1]) for m in METRICS} if len(baseline) else {}
    out = {"random_final_high_auroc": finals.get("high_auroc"), "random_final_ich_auroc": finals.get("ich_auroc"),
           "strategies": {}}
    for strategy, rows in frame.groupby("strategy"):
        curve = rows.groupby("labeled")[[*METRICS, "coverage"]].agg(["mean", "std"]).reset_index()
        records = rows.to_dict("records")
        out["strategies"][strategy] = {
            "curve": [{"labeled": int(r[("labeled", "")]),
                       **{m: float(r[(m, "mean")]) for m in METRICS},
                       **{f"{m}_sd": float(np.nan_to_num(r[(m, "std")])) for m in METRICS},
                       "coverage": float(r[("coverage", "mean")])} for _, r in curve.iterrows()],
            "labels_to_reach_random_final": labels_to_reach(records, finals["high_auroc"]) if finals else None,
            "labels_to_reach_random_final_ich": (labels_to_reach(records, finals["ich_auroc"], "ich_auroc")
                                                 if finals and np.isfinite(finals["ich_auroc"]) else None),
        }
    return out


def plot(summary: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), dpi=110)
    titles = {"high_auroc": "test AUROC, high-significance traits (mean)",
              "ich_auroc": "test AUROC, intracranial hemorrhage"}
    for strategy, data in sorted(summary["strategies"].items()):
        x = [p["labeled"] for p in data["curve"]]
        style = {"color": "black", "linestyle": "--"} if strategy == "random" else {}
        for ax, metric in zip(axes, METRICS, strict=False):
            y = np.array([p.get(metric, np.nan) for p in data["curve"]])
            sd = np.array([p.get(f"{metric}_sd", 0.0) for p in data["curve"]])
            ax.plot(x, y, marker="o", label=strategy, **style)
            ax.fill_between(x, y - sd, y + sd, alpha=0.12, **({"color": "black"} if strategy == "random" else {}))
        axes[2].plot(x, [p["coverage"] for p in data["curve"]], marker="o", label=strategy, **style)
    for ax, metric in zip(axes, METRICS, strict=False):
        ax.set(xlabel="labeled studies", ylabel=titles[metric], title="Learning curves (mean ± sd over seeds)")
    axes[2].set(xlabel="labeled studies", ylabel="certified coverage at target CSMR", title="Selective reporting",
                ylim=(-0.02, 1.0))  # a fixed scale: an all-zero curve must read as "nothing certified", not as noise
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def simulate(cfg: SimulationConfig, log=print) -> dict:
    cfg.work_dir.mkdir(parents=True, exist_ok=True)
    pool = pool_build(cfg.cohort_dir, cfg.work_dir / "pool", test_fraction=cfg.test_fraction,
                      calibration_fraction=cfg.calibration_fraction)
    log(f"cohort: {len(pool.ids('pool'))} pool, {len(pool.ids('calibration'))} calibration, "
        f"{len(pool.ids('test'))} test studies")
    points = [p for strategy in cfg.strategies for seed in cfg.seeds
              for p in run_strategy(pool, cfg, strategy, seed, log=log)]
    summary = summarize(points)
    summary["config"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()}
    summary["points"] = points
    (cfg.work_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary
