"""Prediction sets: every archived study in the trained-on dataset's format; the volumes that dataset already holds
are copied from its shards (the same pixels as decoding the DICOM again), the others decoded."""

import numpy as np
import pytest

import datasets.services.prediction_sets as prediction_sets
from curation.models import Study
from datasets.export.volumes import resample_volume
from datasets.selectors.volumes import load_series_volume
from frontend.demo import DemoContext, step_export
from tests.datasets.platform_cohort import ingest_cohort
from training.data import DatasetDir


@pytest.mark.django_db
def test_exported_studies_are_copied_from_the_shards_and_match_their_dicom(cohort, users, tmp_path, monkeypatch):
    ctx = DemoContext(data_dir=tmp_path, out=lambda line: None, users=users, state={"campaign": cohort["campaign"]})
    step_export(ctx)
    exported = set(DatasetDir(ctx.state["dataset_dir"]).studies["study_id"])
    ingest_cohort(tmp_path / "later", studies=2, seed=11)  # archived after the export: not in the dataset
    decoded = []

    def counting(series_id):
        decoded.append(series_id)
        return load_series_volume(series_id)

    monkeypatch.setattr(prediction_sets, "load_series_volume", counting)
    manifest = prediction_sets.prediction_set_write(studies=Study.objects.all(), like=ctx.state["dataset_dir"],
                                                    out_dir=tmp_path / "set")
    written = DatasetDir(tmp_path / "set")
    assert manifest["splits"]["test"] == Study.objects.count() == len(written)
    outside = Study.objects.exclude(study_uid__in=exported)
    assert outside.exists() and len(exported) > 0
    assert sorted(decoded) == sorted(str(s.primary_series_id) for s in outside)  # only those were decoded
    size = tuple(manifest["preprocessing"]["size"])
    for study in Study.objects.all():
        row = written.studies.index[written.studies["study_id"] == study.study_uid][0]
        shard = np.load(tmp_path / "set" / written.shard_names[row], mmap_mode="r")
        stored = shard[written.offsets[row]:written.offsets[row] + written.n_slices[row]]
        expected = resample_volume(load_series_volume(str(study.primary_series_id)), size).hu
        np.testing.assert_array_equal(stored, expected)
