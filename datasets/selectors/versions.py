"""Dataset version reads: lists, the latest job, files of a published version, earlier splits, the diff."""

import math
from pathlib import Path

import pyarrow.parquet as pq
from django.db.models import QuerySet

from datasets.export.diff import definition_changes, diff_versions, labels_by_key
from datasets.export.manifest import MANIFEST, read_manifest
from datasets.locations import published_dir
from datasets.models import DatasetVersion, ExportJob

_STRICTNESS = {"test": 0, "calibration": 1, "train": 2}


class DatasetFileNotFound(LookupError):
    """The path is not a file of this dataset version."""


def dataset_version_list(*, name: str = "") -> QuerySet[DatasetVersion]:
    versions = DatasetVersion.objects.select_related("taxonomy", "created_by")
    return versions.filter(name=name) if name else versions


def dataset_version_latest_job(version: DatasetVersion) -> ExportJob | None:
    return version.jobs.order_by("-created_at", "-id").first()


def version_manifest(version: DatasetVersion) -> dict | None:
    if not version.is_published:
        return None
    return read_manifest(published_dir(version))


def version_slice_count(version: DatasetVersion) -> int:
    table = pq.read_table(published_dir(version) / "studies.parquet", columns=["n_slices"])
    return int(sum(table["n_slices"].to_pylist()))


def version_studies(version: DatasetVersion) -> dict[str, str]:
    """study_id -> split of a published version."""
    table = pq.read_table(published_dir(version) / "studies.parquet", columns=["study_id", "split"])
    return dict(zip(table["study_id"].to_pylist(), table["split"].to_pylist(), strict=True))


def version_labels(version: DatasetVersion) -> dict[tuple[str, str], int]:
    table = pq.read_table(published_dir(version) / "labels.parquet", columns=["study_id", "trait", "label"])
    return labels_by_key(table.to_pylist())


def previous_splits(version: DatasetVersion) -> dict[str, str]:
    """Split of every study in earlier published versions of the same dataset; the strictest where they differ."""
    out: dict[str, str] = {}
    earlier = DatasetVersion.objects.filter(name=version.name, version__lt=version.version,
                                            status=DatasetVersion.Status.PUBLISHED).order_by("version")
    for old in earlier:
        for study, split in version_studies(old).items():
            if study not in out or _STRICTNESS[split] < _STRICTNESS[out[study]]:
                out[study] = split
    return out


def version_diff(old: DatasetVersion, new: DatasetVersion) -> dict:
    """Studies added and removed, studies that changed split, and labels changed per trait."""
    for v in (old, new):
        if not v.is_published:
            raise ValueError(f"Dataset '{v.name}' v{v.version} is not published; only published versions compare.")
    diff = diff_versions(version_studies(old), version_studies(new), version_labels(old), version_labels(new))
    return {"old": {"id": old.pk, "name": old.name, "version": old.version},
            "new": {"id": new.pk, "name": new.name, "version": new.version},
            "definition_changed": definition_changes(version_definition(old), version_definition(new)), **diff}


def version_definition(version: DatasetVersion) -> dict:
    """How the version was defined, as the diff compares it (the keys of `DEFINITION_FIELDS`)."""
    return {
        "taxonomy": str(version.taxonomy), "campaigns": sorted(version.campaign_ids),
        "consensus_method": version.consensus_method, "traits": sorted(version.traits) or "all",
        "filters": version.filters or "none", "image_size": f"{version.image_rows} x {version.image_cols}",
        "split_seed": version.split_seed, "split_fractions": ", ".join(f"{f:g}" for f in version.split_fractions),
        "stratify_on": ", ".join(version.stratify_on) or "nothing", "chunk_studies": version.chunk_studies,
    }


def version_file(version: DatasetVersion, relative: str) -> Path:
    """A listed file of a published version (never anything outside it)."""
    manifest = version_manifest(version)
    listed = {f["path"] for f in (manifest or {}).get("files", [])} | ({MANIFEST} if manifest else set())
    if relative not in listed:
        raise DatasetFileNotFound(f"{relative}: not a file of dataset '{version.name}' v{version.version}")
    return published_dir(version) / relative


def version_trait_rows(manifest: dict) -> list[dict]:
    """Per trait: positives per split and the headline agreement figures, for the version page."""
    rows = []
    for trait in manifest["traits"]:
        code = trait["code"]
        stats = manifest.get("agreement", {}).get(code) or {}
        rows.append({
            "code": code, "name": trait["name"], "significance": trait["significance"],
            "counts": [manifest["counts"].get(split, {}).get(code, 0) for split in ("train", "calibration", "test")],
            "fleiss_kappa": (stats.get("fleiss_kappa") or {}).get("value"),
            "krippendorff_alpha": (stats.get("krippendorff_alpha") or {}).get("value"),
        })
    return rows


def version_datacard(version: DatasetVersion) -> str:
    return (published_dir(version) / "datacard.md").read_text() if version.is_published else ""


def version_siblings(version: DatasetVersion) -> QuerySet[DatasetVersion]:
    """Other published versions of the same dataset, to compare with."""
    return DatasetVersion.objects.filter(name=version.name, status=DatasetVersion.Status.PUBLISHED).exclude(
        pk=version.pk).order_by("-version")


def version_cooccurrence(manifest: dict) -> list[dict]:
    """Per split, the co-occurrence heatmaps of the version page over the traits positive somewhere: each cell's
    count and lift with a shade in [0, 1] (count: of the split's largest off-diagonal count; lift: |log2| up to 3)."""
    table = manifest.get("cooccurrence") or {}
    codes = [t["code"] for t in manifest["traits"]]
    keep = [j for j in range(len(codes)) if any(table[s]["counts"][j][j] for s in table)]
    out = []
    for split, data in table.items():
        counts, lifts = data["counts"], data["lift"]
        top = max([counts[i][j] for i in keep for j in keep if i != j] or [0]) or 1
        rows = []
        for i in keep:
            cells = []
            for j in keep:
                value = lifts[i][j]
                shade = min(abs(math.log2(value)), 3) / 3 if value else 0.0
                cells.append({"count": counts[i][j], "lift": value, "diagonal": i == j,
                              "count_shade": round(min(counts[i][j] / top, 1.0), 3),
                              "lift_shade": round(shade, 3), "lift_above": bool(value and value > 1)})
            rows.append({"code": codes[i], "cells": cells})
        out.append({"split": split, "n": data["n"], "codes": [codes[j] for j in keep], "rows": rows})
    return out
