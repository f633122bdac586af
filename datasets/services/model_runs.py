"""Import a training run directory (docs/run-format.md) into the platform, all or nothing."""

import json
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from curation.models import Study
from datasets.models import DatasetVersion, ModelRun, StudyPrediction
from datasets.services.active_learning import priorities_recompute_queue

PREDICTIONS_FORMAT = "radcurate-predictions/1"
REQUIRED_FILES = ("report.json", "predictions.csv", "predictions.json")
REQUIRED_COLUMNS = ("study_id", "referral_score", "reported")


class RunImportError(ValidationError):
    """The run directory cannot be imported; the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class RunFiles:
    meta: dict
    report: dict
    config: dict
    table: pd.DataFrame
    embeddings: np.ndarray | None
    plots: list[Path]


def _json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunImportError(f"{path.name}: not valid JSON ({exc}).") from exc
    if not isinstance(value, dict):
        raise RunImportError(f"{path.name}: expected a JSON object.")
    return value


def _table(path: Path, traits: list[str]) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype={"study_id": str, "split": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise RunImportError(f"predictions.csv: cannot be read as CSV ({exc}).") from exc
    missing = [c for c in (*REQUIRED_COLUMNS, *(f"p_{t}" for t in traits)) if c not in table.columns]
    if missing:
        raise RunImportError(f"predictions.csv: missing columns {', '.join(missing)}.")
    probs = table[[f"p_{t}" for t in traits]].to_numpy(dtype=float)
    bad = ~np.isfinite(probs) | (probs < 0) | (probs > 1)
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise RunImportError(f"predictions.csv line {row + 2}: p_{traits[col]} is {float(probs[row, col])!r}, "
                             "not a probability in [0, 1].")
    if table["study_id"].isna().any() or table["study_id"].duplicated().any():
        raise RunImportError("predictions.csv: study_id must be present and unique on every row.")
    return table


def run_files_read(run_dir: Path) -> RunFiles:
    """Read and check everything before anything is written."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunImportError(f"{run_dir}: not a directory.")
    missing = [name for name in REQUIRED_FILES if not (run_dir / name).is_file()]
    if missing:
        raise RunImportError(f"{run_dir}: missing {', '.join(missing)} (run `python -m training predict`?).")
    meta = _json(run_dir / "predictions.json")
    if meta.get("format") != PREDICTIONS_FORMAT or not isinstance(meta.get("traits"), list) or not meta["traits"]:
        raise RunImportError(f"predictions.json: expected format '{PREDICTIONS_FORMAT}' with a list of traits.")
    table = _table(run_dir / "predictions.csv", meta["traits"])
    embeddings = None
    if (run_dir / "embeddings.npy").is_file():
        embeddings = np.load(run_dir / "embeddings.npy", allow_pickle=False)
        if embeddings.ndim != 2 or len(embeddings) != len(table):
            raise RunImportError(f"embeddings.npy: shape {embeddings.shape} does not match {len(table)} predictions.")
    config = _json(run_dir / "config.json") if (run_dir / "config.json").is_file() else {}
    plots = sorted(run_dir.glob("*.png")) + sorted(run_dir.glob("roc/*.png"))
    return RunFiles(meta, _json(run_dir / "report.json"), config, table, embeddings, plots)


def _studies(study_ids: list[str]) -> dict[str, int]:
    known = dict(Study.objects.filter(study_uid__in=study_ids).values_list("study_uid", "id"))
    unknown = [s for s in study_ids if s not in known]
    if unknown:
        raise RunImportError(f"predictions.csv: {len(unknown)} studies are not in the archive "
                             f"(first: {', '.join(unknown[:3])}).")
    return known


def _predictions(run: ModelRun, files: RunFiles, study_pks: dict[str, int]) -> list[StudyPrediction]:
    traits = files.meta["traits"]
    sd_columns = [f"sd_{t}" for t in traits if f"sd_{t}" in files.table.columns]
    rows = []
    for i, rec in enumerate(files.table.itertuples(index=False)):
        rec = rec._asdict()
        emb = files.embeddings[i].astype(np.float32).tobytes() if files.embeddings is not None else b""
        rows.append(StudyPrediction(
            run=run, study_id=study_pks[rec["study_id"]], split=rec.get("split") or "",
            referral_score=float(rec["referral_score"]), reported=bool(int(rec["reported"])),
            probability={t: round(float(rec[f"p_{t}"]), 6) for t in traits},
            spread={c[3:]: round(float(rec[c]), 6) for c in sd_columns},
            embedding=emb,
        ))
    return rows


def _store_plots(run: ModelRun, plots: list[Path]) -> list[str]:
    names = []
    for plot in plots:
        names.append(default_storage.save(f"runs/{run.pk}/{plot.parent.name}-{plot.name}"
                                          if plot.parent.name == "roc" else f"runs/{run.pk}/{plot.name}",
                                          ContentFile(plot.read_bytes())))
    return names


def model_run_import(*, run_dir: Path, user=None, name: str = "") -> ModelRun:
    """Import a run directory: its config, report, predictions and plots; nothing is kept if any part fails."""
    files = run_files_read(Path(run_dir))
    study_pks = _studies(files.table["study_id"].tolist())
    content_hash = files.meta.get("dataset_content_hash") or ""
    stored: list[str] = []
    try:
        with transaction.atomic():
            run = ModelRun(
                name=name or Path(run_dir).name, dataset_content_hash=content_hash,
                dataset_version=DatasetVersion.objects.filter(content_hash=content_hash).first() if content_hash else None,
                config=files.config, report=files.report, traits=files.meta["traits"],
                high_traits=files.meta.get("high_traits", []), threshold=files.meta.get("threshold"),
                members=int(files.meta.get("members") or 1), imported_by=user,
            )
            run.full_clean()
            run.save()
            StudyPrediction.objects.bulk_create(_predictions(run, files, study_pks), batch_size=1000)
            stored = _store_plots(run, files.plots)
            run.plots = stored
            run.save(update_fields=["plots"])
            priorities_recompute_queue(run=run)
    except Exception:
        for name_ in stored:
            default_storage.delete(name_)
        raise
    return run


def model_run_import_archive(*, upload, user=None, name: str = "") -> ModelRun:
    """Import an uploaded .zip or .tar(.gz) of a run directory (the API upload)."""
    with tempfile.TemporaryDirectory(prefix="radcurate-run-") as tmp:
        root = Path(tmp)
        _extract(upload, root)
        candidates = [p.parent for p in root.rglob("predictions.json")]
        if len(candidates) != 1:
            raise RunImportError(f"{upload.name}: expected one run directory with predictions.json, "
                                 f"found {len(candidates)}.")
        return model_run_import(run_dir=candidates[0], user=user, name=name or Path(upload.name).stem)


def _extract(upload, root: Path) -> None:
    raw = root / "upload"
    with raw.open("wb") as f:
        shutil.copyfileobj(upload, f)
    dest = root / "run"
    try:
        if zipfile.is_zipfile(raw):
            with zipfile.ZipFile(raw) as zf:
                _refuse_escape(zf.namelist(), upload.name)
                zf.extractall(dest)
        else:
            with tarfile.open(raw) as tf:
                tf.extractall(dest, filter="data")  # the data filter refuses links and paths leaving dest
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
        raise RunImportError(f"{upload.name}: not a readable .zip or .tar archive ({exc}).") from exc


def _refuse_escape(names: list[str], label: str) -> None:
    for member in names:
        if member.startswith("/") or ".." in Path(member).parts:
            raise RunImportError(f"{label}: member '{member}' would be written outside the run directory.")
