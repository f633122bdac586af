"""Writes a small synthetic dataset directory in the radcurate-dataset/1 format, for tests, benchmarks and the demo.

The platform's exporter writes the real thing; this writer exists so `training/` can be exercised without Django.
Signs are rendered as in the synthetic cohort: a hyperdense blob for hemorrhage, a crescent for subdural.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

TOY_TRAITS = [
    {"code": "intracranial_hemorrhage", "name": "Intracranial hemorrhage", "significance": "high",
     "parent": None, "prevalence": 5.14},
    {"code": "subdural", "name": "Subdural hemorrhage", "significance": "high",
     "parent": "intracranial_hemorrhage", "prevalence": 1.0},
    {"code": "intracranial_mass", "name": "Intracranial mass", "significance": "high", "parent": None,
     "prevalence": 2.2},
    {"code": "sinus_pathology", "name": "Sinus pathology", "significance": "low", "parent": None,
     "prevalence": 16.5},
]


def _head(size: int, n_slices: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    c = size / 2
    r = ((yy - c) / (0.42 * size)) ** 2 + ((xx - c) / (0.36 * size)) ** 2
    vol = np.full((n_slices, size, size), -1000.0, dtype=np.float32)
    skull = (r <= 1.0) & (r > 0.8)
    brain = r <= 0.8
    vol[:, skull] = 1200.0
    vol[:, brain] = 32.0
    vol += rng.normal(0, 4.0, vol.shape).astype(np.float32)
    return vol, r


def _render(vol: np.ndarray, r: np.ndarray, codes: set[str], rng: np.random.Generator) -> dict[str, list]:
    """Draw each present trait's sign on a run of slices; returns the slice ranges drawn."""
    n, size, _ = vol.shape
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    ranges: dict[str, list] = {}
    first = int(rng.integers(0, max(1, n // 2)))
    last = min(n - 1, first + max(1, n // 3))
    if "intracranial_hemorrhage" in codes and "subdural" not in codes:
        cy, cx = rng.uniform(0.35, 0.65, 2) * size
        blob = (yy - cy) ** 2 + (xx - cx) ** 2 <= (0.09 * size) ** 2
        vol[first:last + 1, blob] = 75.0 + rng.normal(0, 4.0, (last + 1 - first, int(blob.sum())))
        ranges["intracranial_hemorrhage"] = [[first, last]]
    if "subdural" in codes:
        side = xx < size / 2 if rng.random() < 0.5 else xx >= size / 2
        crescent = (r > 0.62) & (r <= 0.8) & side
        vol[first:last + 1, crescent] = 70.0
        ranges["subdural"] = ranges["intracranial_hemorrhage"] = [[first, last]]
    if "intracranial_mass" in codes:
        cy, cx = rng.uniform(0.4, 0.6, 2) * size
        mass = (yy - cy) ** 2 + (xx - cx) ** 2 <= (0.14 * size) ** 2
        vol[first:last + 1, mass] = 48.0
        ranges["intracranial_mass"] = [[first, last]]
    if "sinus_pathology" in codes:
        sinus = (yy - 0.12 * size) ** 2 + (xx - size / 2) ** 2 <= (0.06 * size) ** 2
        vol[: max(1, n // 4), sinus] = 20.0
    return ranges


def write_toy_dataset(path: str | Path, *, n_studies: int = 24, n_slices: int = 8, size: int = 32,
                      seed: int = 0, studies_per_shard: int = 64, positive_rate: float = 0.4,
                      traits: list[dict] | None = None, split_fractions: tuple[float, float] = (0.6, 0.2)
                      ) -> Path:
    """Write a complete dataset directory (manifest with hashes, three parquet tables, int16 shards)."""
    path = Path(path)
    (path / "volumes").mkdir(parents=True, exist_ok=True)
    traits = traits or TOY_TRAITS
    rng = np.random.default_rng(seed)
    study_rows, label_rows, read_rows, shard_arrays = [], [], [], []
    n_patients = max(3, int(n_studies * 0.8))
    patients = np.sort(rng.integers(0, n_patients, n_studies))
    # patients, not studies, are split: train / calibration / test by the given fractions
    unique = rng.permutation(np.unique(patients))
    cut = np.cumsum(np.round(np.array(split_fractions) * len(unique)).astype(int))
    split_of_patient = {p: "train" if k < cut[0] else "calibration" if k < cut[1] else "test"
                        for k, p in enumerate(unique)}
    offset, shard_slices = 0, []  # slices of the shard being filled
    for i in range(n_studies):
        codes: set[str] = set()
        if rng.random() < positive_rate:
            codes.add("intracranial_hemorrhage")
            if rng.random() < 0.3:
                codes.add("subdural")
        if rng.random() < 0.15:
            codes.add("intracranial_mass")
        if rng.random() < 0.2:
            codes.add("sinus_pathology")
        codes &= {t["code"] for t in traits}
        vol, r = _head(size, n_slices, rng)
        ranges = _render(vol, r, codes, rng)
        shard_index = i // studies_per_shard
        if i and i % studies_per_shard == 0:  # close the full shard, start the next
            shard_arrays.append(np.concatenate(shard_slices))
            shard_slices, offset = [], 0
        shard_slices.append(np.clip(np.rint(vol), -32768, 32767).astype(np.int16))
        sid = f"1.2.826.0.1.3680043.10.1{seed:03d}.{i}"
        study_rows.append({
            "study_id": sid, "patient_id": f"P{patients[i]:05d}", "split": split_of_patient[patients[i]],
            "shard": f"volumes/shard-{shard_index:05d}.npy", "offset": offset, "n_slices": n_slices,
            "pixel_spacing_mm": 0.5 * 512 / size, "slice_thickness_mm": 5.0 if i % 3 else 2.5,
            # de-identified metadata for subgroup evaluation: site pseudonym, scanner, age band
            "site": f"site-{i % 3}", "scanner": ("GE LightSpeed", "SIEMENS Definition")[i % 2],
            "age_band": ("18-39", "40-64", "65-79")[i % 3],
        })
        offset += n_slices
        for t in traits:
            present = t["code"] in codes
            marked = ranges.get(t["code"], []) if present and rng.random() < 0.5 else []
            label_rows.append({"study_id": sid, "trait": t["code"], "label": np.int8(present),
                               "soft_label": np.float32(present), "n_reads": np.int16(2), "adjudicated": False,
                               "slice_ranges": json.dumps(marked)})
            for reader in ("R1", "R2"):
                read_rows.append({"study_id": sid, "reader": reader, "trait": t["code"],
                                  "value": "present" if present else "absent", "slice_ranges": json.dumps(marked)})
    shard_arrays.append(np.concatenate(shard_slices))
    for k, arr in enumerate(shard_arrays):
        np.save(path / "volumes" / f"shard-{k:05d}.npy", arr)
    studies = pd.DataFrame(study_rows)
    labels = pd.DataFrame(label_rows)
    studies.to_parquet(path / "studies.parquet", index=False)
    labels.to_parquet(path / "labels.parquet", index=False)
    pd.DataFrame(read_rows).to_parquet(path / "reads.parquet", index=False)
    (path / "datacard.md").write_text(f"# toy dataset\n\n{n_studies} synthetic studies, seed {seed}.\n")
    _write_manifest(path, traits, studies, labels, size, seed)
    return path


def _write_manifest(path: Path, traits: list[dict], studies: pd.DataFrame, labels: pd.DataFrame,
                    size: int, seed: int) -> None:
    files = []
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.name != "manifest.json"):
        files.append({"path": f.relative_to(path).as_posix(), "bytes": f.stat().st_size,
                      "sha256": hashlib.sha256(f.read_bytes()).hexdigest()})
    content = "\n".join(f"{f['path']}:{f['sha256']}" for f in sorted(files, key=lambda f: f["path"]))
    merged = labels.merge(studies[["study_id", "split"]], on="study_id")
    counts = {s: {t: int(v) for t, v in g.groupby("trait")["label"].sum().items()} for s, g in merged.groupby("split")}
    manifest = {
        "format": "radcurate-dataset/1", "name": "toy", "version": 1,
        "content_hash": hashlib.sha256(content.encode()).hexdigest(),
        "traits": traits,
        "preprocessing": {"size": [size, size], "dtype": "int16", "units": "HU", "series": "primary_axial"},
        "splits": {s: int((studies["split"] == s).sum()) for s in ("train", "calibration", "test")},
        "counts": counts, "agreement": {},
        "provenance": {"generator": "training.toy", "seed": seed},
        "files": files,
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2))
