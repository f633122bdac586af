"""Prediction sets: unlabeled studies (a campaign's, or the whole archive's) in the dataset directory format,
so `python -m training predict` can score studies nobody has read yet.

Not a dataset version: nothing is published, no labels or reads, every study in split "test" (the reader
needs one of its splits; predict ignores them). The directory is rewritten each time.
"""

import json
import shutil
from pathlib import Path

import numpy as np

from curation.models import Study
from datasets.export.records import StudyPlacement, Volume
from datasets.export.shards import ShardWriter
from datasets.export.tables import read_table, write_labels, write_reads, write_studies
from datasets.export.volumes import resample_volume
from datasets.selectors.volumes import load_series_volume

FORMAT = "radcurate-dataset/1"


class _ExportedVolumes:
    """The volumes the dataset `like` already holds, read from its shards: the same series, resampled the same way,
    without decoding its DICOM files again (in the demo, 9 in 10 of the archive's studies)."""

    def __init__(self, like: Path):
        self.like = Path(like)
        self.rows = {r["study_id"]: r for r in read_table(self.like / "studies.parquet")}
        self._shards: dict[str, np.ndarray] = {}

    def get(self, study_uid: str) -> Volume | None:
        row = self.rows.get(study_uid)
        if row is None:
            return None
        if row["shard"] not in self._shards:
            self._shards[row["shard"]] = np.load(self.like / row["shard"], mmap_mode="r")
        hu = np.array(self._shards[row["shard"]][row["offset"]:row["offset"] + row["n_slices"]])
        spacing = float(row["pixel_spacing_mm"])
        return Volume(hu, (spacing, spacing), float(row["slice_thickness_mm"]))


def prediction_set_write(*, studies, like: Path, out_dir: Path, progress=None) -> dict:
    """Write the studies' primary axial volumes in the traits and matrix size of the dataset `like` (the one
    the model was trained on, so its outputs line up); studies without a readable series are listed, not fatal.
    Volumes `like` holds are copied from its shards. `progress()` is called after each study (a progress bar)."""
    reference = json.loads((Path(like) / "manifest.json").read_text())
    size = tuple(reference["preprocessing"]["size"])
    exported = _ExportedVolumes(like)
    out_dir = Path(out_dir)
    staging = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "volumes").mkdir(parents=True)
    placements, patients, skipped = [], {}, {}
    with ShardWriter(staging / "volumes" / "shard-00000.npy", size) as shard:
        for study in studies.select_related("patient", "primary_series").order_by("study_uid"):
            try:
                volume = exported.get(study.study_uid) or resample_volume(
                    load_series_volume(str(study.primary_series_id or "")), size)
            except (ValueError, OSError) as exc:
                skipped[study.study_uid] = str(exc)
                continue
            finally:
                if progress is not None:
                    progress()
            offset = shard.append(volume.hu, study_id=study.study_uid)
            placements.append(StudyPlacement(study.study_uid, "volumes/shard-00000.npy", offset, len(volume.hu),
                                              float(volume.pixel_spacing_mm[0]), float(volume.slice_thickness_mm)))
            patients[study.study_uid] = study.patient.pseudonym
        shard.close()  # writes the npy header; leaving the block on an error aborts instead
    write_studies(placements, patients, dict.fromkeys(patients, "test"), staging / "studies.parquet")
    write_labels([], staging / "labels.parquet")
    write_reads([], staging / "reads.parquet")
    manifest = {
        "format": FORMAT, "name": "prediction-set", "version": 0, "kind": "prediction_set",
        "traits": reference["traits"], "splits": {"test": len(placements)},
        "preprocessing": {"size": list(size), "dtype": "int16", "units": "HU", "series": "primary_axial"},
        "skipped": skipped,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return manifest


def prediction_set_for_campaign(*, campaign, like: Path, out_dir: Path) -> dict:
    studies = Study.objects.filter(pk__in=campaign.campaign_studies.values("study_id"))
    return prediction_set_write(studies=studies, like=like, out_dir=out_dir)
