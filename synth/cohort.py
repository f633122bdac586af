"""Generate a synthetic cohort on disk: DICOM studies, reports, ground truth and a manifest.

Studies are built and written one at a time (optionally in worker processes), so memory stays
bounded by a study, not by the cohort. The layout is documented in docs/synthetic-cohort.md.
"""

import csv
import hashlib
import json
import multiprocessing
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from curation.default_taxonomy import ALL_CODES
from synth import broken as broken_files
from synth.dicom_writer import StudyIds, write_axial, write_localizer, write_sagittal
from synth.streams import stream
from synth.study import CohortParams, ground_truth_record, synthesize_study

OUTPUTS = ("dicom", "reports.csv", "reports.jsonl", "ground_truth.jsonl", "manifest.json")
REPORT_FIELDS = ("accession_number", "patient_id", "report_date", "text")


def study_folder_name(index: int) -> str:
    return f"ST{index:05d}"


def write_study(out_dir: Path, params: CohortParams, index: int) -> tuple[dict, dict]:
    """Build and write one study; returns its report row and ground-truth record."""
    study = synthesize_study(params, index)
    ids = StudyIds(params.seed, index)
    folder = study_folder_name(index)
    root = out_dir / "dicom" / folder
    geom, stored = params.geometry, study.volume.stored
    series = [
        write_localizer(root, stored, geom, study.visit, ids),
        write_axial(root, stored, geom, study.visit, ids),
        write_sagittal(root, stored, geom, study.visit, ids, params.sagittal_images),
    ]
    broken = []
    rng = stream(params.seed, index, "broken")
    if rng.random() < params.broken_fraction:
        axial = series[1]
        broken = broken_files.write_broken(rng, root / axial.folder, axial.files)
        for b in broken:
            b["path"] = b["path"].relative_to(out_dir).as_posix()
    series_info = [{"folder": s.folder, "kind": s.kind, "series_instance_uid": ids.series_uid(n), "instances": len(s.files)}
                   for n, s in zip((1, 2, 3), series, strict=True)]
    record = ground_truth_record(study, ids.study_uid, folder, series_info, broken)
    report = {"accession_number": study.visit.accession_number, "patient_id": study.visit.patient.patient_id,
              "report_date": study.report.report_date.isoformat(), "text": study.report.text}
    return report, record


def _write_study_job(args):
    out_dir, params, index = args
    return write_study(Path(out_dir), params, index)


def _prepare(out_dir: Path, overwrite: bool) -> None:
    existing = [name for name in OUTPUTS if (out_dir / name).exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{out_dir}: already holds a cohort ({', '.join(existing)}); pass overwrite=True")
    for name in existing:  # only our own outputs are removed, never anything else in the folder
        path = out_dir / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    (out_dir / "dicom").mkdir(parents=True, exist_ok=True)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _manifest(out_dir: Path, params: CohortParams, studies: int, records: list[dict]) -> dict:
    traits = Counter(t["code"] for r in records for t in r["traits"])
    errors = Counter(e["kind"] for r in records for e in r["report"]["errors"])
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name != "manifest.json")
    return {
        "format": "radcurate-synth/1",
        "seed": params.seed,
        "parameters": {"studies": studies, "size": params.size, "slices": params.slices, "enrich": params.enrich,
                       "report_error_rate": params.report_error_rate, "broken_fraction": params.broken_fraction,
                       "follow_up_rate": params.follow_up_rate, "sagittal_images": params.sagittal_images},
        "counts": {
            "studies": studies,
            "patients": len({r["patient_id"] for r in records}),
            "traits": {c: traits.get(c, 0) for c in ALL_CODES},
            "normal_studies": sum(1 for r in records if not r["traits"]),
            "report_errors": dict(sorted(errors.items())),
            "studies_with_broken_files": sum(1 for r in records if r["broken_files"]),
        },
        "files": {p.relative_to(out_dir).as_posix(): _sha256(p) for p in files},
    }


def generate_cohort(out_dir, *, studies: int, seed: int, size: int = 256, slices: int = 32,
                    enrich: dict[str, float] | None = None, report_error_rate: float = 0.05,
                    broken_fraction: float = 0.03, follow_up_rate: float = 0.12, sagittal_images: int = 3,
                    workers: int = 1, overwrite: bool = False,
                    progress: Callable[[int], None] | None = None) -> dict:
    """Write `studies` synthetic studies under out_dir and return the manifest (also written as manifest.json)."""
    if studies < 1 or size < 32 or slices < 4:
        raise ValueError(f"studies={studies}, size={size}, slices={slices}: need studies >= 1, size >= 32, slices >= 4")
    out_dir = Path(out_dir)
    _prepare(out_dir, overwrite)
    params = CohortParams(seed=seed, size=size, slices=slices, enrich=dict(sorted((enrich or {}).items())),
                          report_error_rate=report_error_rate, broken_fraction=broken_fraction,
                          follow_up_rate=follow_up_rate, sagittal_images=sagittal_images)
    jobs = [(str(out_dir), params, i) for i in range(studies)]
    records = []
    with (out_dir / "reports.csv").open("w", newline="", encoding="utf-8") as fcsv, \
         (out_dir / "reports.jsonl").open("w", encoding="utf-8") as fjson, \
         (out_dir / "ground_truth.jsonl").open("w", encoding="utf-8") as fgt:
        writer = csv.DictWriter(fcsv, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        pool = multiprocessing.get_context("spawn").Pool(workers) if workers > 1 else None
        try:
            results = pool.imap(_write_study_job, jobs) if pool else map(_write_study_job, jobs)
            for report, record in results:  # in index order: the text files do not depend on scheduling
                writer.writerow(report)
                fjson.write(json.dumps(report, ensure_ascii=False) + "\n")
                fgt.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                records.append({k: record[k] for k in ("patient_id", "traits", "report", "broken_files")})
                if progress:
                    progress(1)
        finally:
            if pool:
                pool.close()
                pool.join()
    manifest = _manifest(out_dir, params, studies, records)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
