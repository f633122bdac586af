"""Finishing an export: write the tables, data card and manifest, verify every file, then rename into place.

The rename is the publication: before it the final path does not exist, after it the directory is
complete and verified. A failure at any earlier point leaves the staging area to resume from.
"""

import os
import shutil
from collections import Counter
from pathlib import Path

from . import tables
from .chunks import chunk_done, write_chunk
from .cooccurrence import cooccurrence
from .datacard import render_datacard
from .manifest import FORMAT, content_hash, list_files, read_manifest, write_manifest
from .plan import ExportSpec, Staging
from .records import SPLITS, StudyPlacement


class ExportIncomplete(RuntimeError):
    """Chunks are still missing; the message lists them."""


class VerificationFailed(RuntimeError):
    """A written file does not match what was recorded; the message names each file."""


def chunk_records(staging: Staging, plan: dict) -> list[dict]:
    records = [chunk_done(staging, i) for i in range(len(plan["chunks"]))]
    missing = [i for i, r in enumerate(records) if r is None]
    if missing:
        shown = ", ".join(str(i) for i in missing[:20])
        raise ExportIncomplete(f"{staging.root}: {len(missing)} of {len(records)} chunks not done ({shown})")
    return records


def _counts(label_rows: list[dict], splits: dict[str, str], codes: list[str]) -> dict:
    counter = Counter((splits[r["study_id"]], r["trait"]) for r in label_rows if r["label"] == 1)
    return {split: {code: counter[(split, code)] for code in codes} for split in SPLITS}


def _write_tables(staging: Staging, plan: dict, records: list[dict]) -> tuple[dict[str, str], list[dict]]:
    entries = {e["study_id"]: e for chunk in plan["chunks"] for e in chunk}
    placements = [StudyPlacement(**p) for r in records for p in r["placements"]]
    kept = {p.study_id for p in placements}
    splits = {s: entries[s]["split"] for s in kept}
    patients = {s: entries[s]["patient_id"] for s in kept}
    metadata = {s: {k: entries[s].get(k, "") for k in tables.SUBGROUP_COLUMNS} for s in kept}
    tables.write_studies(placements, patients, splits, staging.data / "studies.parquet", metadata)
    label_rows = tables.filter_studies(staging.control / "labels.parquet", staging.data / "labels.parquet", kept)
    tables.filter_studies(staging.control / "reads.parquet", staging.data / "reads.parquet", kept)
    return splits, label_rows


def _remove_abandoned(staging: Staging) -> None:
    # Every chunk is done, so any partial shard left is from an attempt that died or lost a race.
    for path in (staging.data / "volumes").glob("*.partial-*"):
        path.unlink(missing_ok=True)


def _verify_shards(staging: Staging, records: list[dict], files: list[dict]) -> None:
    """Each shard must still have the SHA-256 recorded when it was written; a bad one is marked not done,
    so the next attempt rewrites it."""
    by_path = {f["path"]: f for f in files}
    bad = [r for r in records if by_path.get(r["shard"], {}).get("sha256") != r["sha256"]]
    for record in bad:
        staging.marker(record["index"]).unlink(missing_ok=True)
    if bad:
        raise VerificationFailed("; ".join(
            f"{staging.data / r['shard']}: SHA-256 now {by_path.get(r['shard'], {}).get('sha256', 'missing')[:12]}, "
            f"written as {r['sha256'][:12]}" for r in bad))


def build_manifest(staging: Staging, *, version: int) -> dict:
    """Write tables and data card into `staging.data`, verify every file, write manifest.json."""
    plan = staging.read_plan()
    spec = ExportSpec.from_dict(plan["spec"])
    records = chunk_records(staging, plan)
    splits, label_rows = _write_tables(staging, plan, records)
    codes = [t["code"] for t in spec.traits]
    excluded = sorted((x for r in records for x in r["excluded"]), key=lambda x: x["study_id"])
    manifest = {
        "format": FORMAT,
        "name": spec.name,
        "version": version,
        "traits": list(spec.traits),
        "preprocessing": {"size": list(spec.size), "dtype": "int16", "units": "HU", "series": "primary_axial",
                          "resampling": "in-plane, bilinear with antialiasing", "chunk_studies": spec.chunk_studies},
        "splits": {s: sum(1 for v in splits.values() if v == s) for s in SPLITS},
        "counts": _counts(label_rows, splits, codes),
        "cooccurrence": cooccurrence(label_rows, splits, codes),
        "agreement": spec.agreement,
        "provenance": {**spec.provenance, **_policy_provenance(spec)},
        "excluded": excluded,
    }
    limitations = list(spec.limitations)
    if excluded:
        limitations.append(f"{len(excluded)} studies were excluded because their pixels could not be used "
                           "(listed in manifest.json under `excluded`).")
    (staging.data / "datacard.md").write_text(render_datacard(manifest, limitations))
    _remove_abandoned(staging)
    files = list_files(staging.data)
    _verify_shards(staging, records, files)
    manifest["files"] = files
    manifest["content_hash"] = content_hash(files)
    write_manifest(staging.data, manifest)
    return manifest


def _policy_provenance(spec: ExportSpec) -> dict:
    return {"seed": spec.policy.seed, "split_fractions": dict(zip(SPLITS, spec.policy.fractions, strict=True)),
            "stratify_on": list(spec.policy.stratify_on)}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_directory(staging: Staging, final: Path, *, version: int) -> dict:
    """Build and verify the manifest, then rename the staged data to `final` (which must not exist)."""
    manifest = build_manifest(staging, version=version)
    if read_manifest(staging.data) != manifest:
        raise VerificationFailed(f"{staging.data / 'manifest.json'}: does not read back as written")
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        raise FileExistsError(f"{final}: already exists; a published dataset directory is never replaced")
    os.rename(staging.data, final)
    _fsync_dir(final.parent)
    shutil.rmtree(staging.root, ignore_errors=True)
    return manifest


def export_all(staging: Staging, final: Path, *, version: int, load_volume) -> dict:
    """Run every chunk in this process, then build, verify and publish (tests and the benchmark use it)."""
    plan = staging.read_plan()
    for index in range(len(plan["chunks"])):
        write_chunk(staging, index, load_volume)
    return publish_directory(staging, final, version=version)
