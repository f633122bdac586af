"""Import a training run directory (docs/run-format.md) into the platform, all or nothing."""

import datetime as dt
import hashlib
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
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.archives import ArchiveRefused, ZipLimits, check_tar, extract_zip
from curation.models import Study
from datasets.models import DatasetVersion, ModelRun, StudyPrediction, StudySaliency
from datasets.services.active_learning import priorities_recompute_queue

PREDICTIONS_FORMAT = "radcurate-predictions/1"
SALIENCY_FORMAT = "radcurate-saliency/1"
REQUIRED_FILES = ("report.json", "predictions.csv", "predictions.json")
REQUIRED_COLUMNS = ("study_id", "referral_score", "reported")
ORPHAN_AGE_S = 3600.0  # far longer than any import's transaction: a younger plot directory may be in flight


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
    fingerprint: str = ""
    saliency: tuple[dict, dict] | None = None  # (saliency.json, maps by "<study_id>/<trait>")


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
    for column in (f"p_{t}" for t in traits):
        _check_numbers(table, column, "a probability in [0, 1]", lambda v: (v >= 0) & (v <= 1))
    _check_numbers(table, "referral_score", "a finite number", lambda v: v == v)
    _check_numbers(table, "reported", "0 or 1", lambda v: (v == 0) | (v == 1))
    for column in (c for c in table.columns if c.startswith("sd_")):
        _check_numbers(table, column, "a spread of 0 or more", lambda v: v >= 0)
    if table["study_id"].isna().any() or table["study_id"].duplicated().any():
        raise RunImportError("predictions.csv: study_id must be present and unique on every row.")
    return table


def _check_numbers(table: pd.DataFrame, column: str, expected: str, valid) -> None:
    """Refuse the first cell of `column` that is not a finite number passing `valid`, naming its line."""
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | ~np.asarray(valid(values), dtype=bool)
    if bad.any():
        row = int(np.argmax(bad))
        raw = table[column].iloc[row]
        shown = repr(float(raw)) if isinstance(raw, (int, float, np.number)) else repr(str(raw))
        raise RunImportError(f"predictions.csv line {row + 2}: {column} is {shown}, not {expected}.")


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
        try:
            embeddings = np.load(run_dir / "embeddings.npy", allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise RunImportError(f"embeddings.npy: not a readable .npy array ({exc}).") from exc
        if embeddings.ndim != 2 or len(embeddings) != len(table):
            raise RunImportError(f"embeddings.npy: shape {embeddings.shape} does not match {len(table)} predictions.")
    config = _json(run_dir / "config.json") if (run_dir / "config.json").is_file() else {}
    plots = sorted(run_dir.glob("*.png")) + sorted(run_dir.glob("roc/*.png")) + sorted(run_dir.glob("forest/*.png"))
    return RunFiles(meta, _json(run_dir / "report.json"), config, table, embeddings, plots,
                    _fingerprint(run_dir, plots), _saliency(run_dir, set(table["study_id"]), meta["traits"]))


def _saliency(run_dir: Path, study_ids: set[str], traits: list[str]) -> tuple[dict, dict] | None:
    """saliency.json and saliency.npz when the run has them, each map checked against its study's entry."""
    if not (run_dir / "saliency.json").is_file():
        return None
    meta = _json(run_dir / "saliency.json")
    if meta.get("format") != SALIENCY_FORMAT or not isinstance(meta.get("studies"), list):
        raise RunImportError(f"saliency.json: expected format '{SALIENCY_FORMAT}' with a list of studies.")
    try:
        with np.load(run_dir / "saliency.npz", allow_pickle=False) as z:
            maps = {k: z[k] for k in z.files}
    except (ValueError, OSError, EOFError) as exc:
        raise RunImportError(f"saliency.npz: not a readable .npz archive ({exc}).") from exc
    for study in meta["studies"]:
        sid = study.get("study_id")
        if sid not in study_ids:
            raise RunImportError(f"saliency.json: study {sid} has no row in predictions.csv.")
        for t in study.get("traits", []):
            key = f"{sid}/{t.get('code')}"
            m = maps.get(key)
            if t.get("code") not in traits or m is None:
                raise RunImportError(f"saliency.npz: no map {key} (or {t.get('code')} is not a trait of the run).")
            if m.ndim != 3 or len(m) != len(study.get("positions", [])) or not np.isfinite(m).all():
                raise RunImportError(f"saliency.npz: {key} has shape {m.shape}, expected one finite map per "
                                     f"position ({len(study.get('positions', []))}).")
    return meta, maps


def _saliency_rows(run: ModelRun, files: RunFiles, study_pks: dict[str, int]) -> list[StudySaliency]:
    if files.saliency is None:
        return []
    meta, maps = files.saliency
    rows = []
    for study in meta["studies"]:
        for t in study["traits"]:
            m = np.clip(maps[f"{study['study_id']}/{t['code']}"], 0, 1).astype("<f2")
            rows.append(StudySaliency(run=run, study_id=study_pks[study["study_id"]], trait=t["code"],
                                      probability=float(t["probability"]), n_slices=int(study["n_slices"]),
                                      positions=[int(p) for p in study["positions"]], rows=m.shape[1],
                                      cols=m.shape[2], maps=m.tobytes()))
    return rows


def _fingerprint(run_dir: Path, plots: list[Path]) -> str:
    """sha256 over the run's files, names included: the same run, uploaded again, has the same one."""
    digest = hashlib.sha256()
    names = (*REQUIRED_FILES, "config.json", "embeddings.npy", "saliency.json", "saliency.npz")
    for path in [run_dir / n for n in names if (run_dir / n).is_file()] + plots:
        digest.update(str(path.relative_to(run_dir)).encode() + b"\0")
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _refuse_if_imported(fingerprint: str, label: str) -> None:
    earlier = ModelRun.objects.filter(fingerprint=fingerprint).first()
    if earlier is not None:
        raise RunImportError(f"{label}: this run was already imported as run {earlier.pk} ('{earlier.name}', "
                             f"{earlier.imported_at:%Y-%m-%d %H:%M} UTC); it is not imported twice.")


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
    # A new run's pk is its own, so anything under runs/<pk>/ is a leftover of an import that never committed
    # (or, in a test database, of a pk handed out again after a flush): clear it, so each plot keeps its name.
    _plots_remove(run.pk)
    names = []
    for plot in plots:
        names.append(default_storage.save(f"runs/{run.pk}/{plot.parent.name}-{plot.name}"
                                          if plot.parent.name in ("roc", "forest") else f"runs/{run.pk}/{plot.name}",
                                          ContentFile(plot.read_bytes())))
    return names


def _plots_remove(run_pk: int) -> None:
    """Delete everything stored under `runs/<pk>/` and, on a file system, the directory itself."""
    try:
        _, names = default_storage.listdir(f"runs/{run_pk}")
    except FileNotFoundError:
        return
    for name_ in names:
        default_storage.delete(f"runs/{run_pk}/{name_}")
    try:
        Path(default_storage.path(f"runs/{run_pk}")).rmdir()
    except (NotImplementedError, OSError):  # not a file system, or already gone
        pass


def model_run_orphans_purge(*, older_than_s: float = ORPHAN_AGE_S) -> list[int]:
    """Remove plot directories `runs/<pk>/` with no committed run, older than `older_than_s` (younger ones may be
    an import still in flight): what an import killed before its commit left behind. Returns their pks."""
    try:
        dirs, _ = default_storage.listdir("runs")
    except (FileNotFoundError, NotImplementedError):
        return []
    pks = {int(d) for d in dirs if d.isdigit()}
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_s)
    purged = []
    for pk in sorted(pks - set(ModelRun.objects.filter(pk__in=pks).values_list("pk", flat=True))):
        _, names = default_storage.listdir(f"runs/{pk}")
        stored = [f"runs/{pk}/{n}" for n in names]
        if all(default_storage.get_modified_time(name_) < cutoff for name_ in stored):
            _plots_remove(pk)
            purged.append(pk)
    return purged


def model_run_import(*, run_dir: Path, user=None, name: str = "") -> ModelRun:
    """Import a run directory: its config, report, predictions and plots; nothing is kept if any part fails.

    Rows and plots are written in one transaction; the plots of a failed import are removed with their directory,
    and those of an import killed before its commit (no row) are purged by the next import.
    """
    model_run_orphans_purge()
    files = run_files_read(Path(run_dir))
    _refuse_if_imported(files.fingerprint, Path(run_dir).name)
    study_pks = _studies(files.table["study_id"].tolist())
    content_hash = files.meta.get("dataset_content_hash") or ""
    stored: list[str] = []
    run = None
    try:
        with transaction.atomic():
            run = ModelRun(
                name=name or Path(run_dir).name, dataset_content_hash=content_hash,
                dataset_version=DatasetVersion.objects.filter(content_hash=content_hash).first() if content_hash else None,
                config=files.config, report=files.report, traits=files.meta["traits"],
                high_traits=files.meta.get("high_traits", []), threshold=files.meta.get("threshold"),
                members=int(files.meta.get("members") or 1), imported_by=user, fingerprint=files.fingerprint,
            )
            run.full_clean(validate_constraints=False)  # the fingerprint: a clear refusal below
            run.save()
            StudyPrediction.objects.bulk_create(_predictions(run, files, study_pks), batch_size=1000)
            StudySaliency.objects.bulk_create(_saliency_rows(run, files, study_pks), batch_size=500)
            stored = _store_plots(run, files.plots)
            run.plots = stored
            run.save(update_fields=["plots"])
            priorities_recompute_queue(run=run)
    except Exception as exc:
        if run is not None and run.pk is not None:
            _plots_remove(run.pk)  # also what a save that failed half-way wrote
        if isinstance(exc, IntegrityError) and "modelrun_fingerprint_once" in str(exc):
            _refuse_if_imported(files.fingerprint, Path(run_dir).name)  # the same upload, imported meanwhile
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
    """Extract within the archive limits (RADCURATE_ZIP_*): sizes, member names and links are checked before
    anything is extracted, and zip members are written in chunks that stop at their declared size."""
    raw = root / "upload"
    with raw.open("wb") as f:
        shutil.copyfileobj(upload, f)
    dest = root / "run"
    limits = ZipLimits.from_settings()
    try:
        if zipfile.is_zipfile(raw):
            with zipfile.ZipFile(raw) as zf:
                extract_zip(zf, dest, limits, label=upload.name)
        else:
            with tarfile.open(raw) as tf:
                members = check_tar(tf, limits, label=upload.name, compressed_bytes=raw.stat().st_size)
                tf.extractall(dest, members=members, filter="data")  # the data filter: no paths leaving dest
    except ArchiveRefused as exc:
        raise RunImportError(exc.message) from exc
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise RunImportError(_not_an_archive(upload.name)) from exc


def _not_an_archive(name: str) -> str:
    """What the uploader is told: what the file is not, in their words; tarfile's own message is a list of every
    decompressor it tried, which says nothing to them."""
    lowered = name.lower()
    if lowered.endswith(".zip"):
        return f"{name}: not a zip file (or a damaged one); upload the run directory as a .zip or .tar.gz."
    if lowered.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return f"{name}: not a tar archive (or a damaged one); upload the run directory as a .zip or .tar.gz."
    return f"{name}: not a zip file or a tar archive; upload the run directory as a .zip or .tar.gz."
