"""A dataset exported from the platform: directory, provenance, determinism, immutability, PHI, training reader."""

import io
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.management import call_command

from annotation.services.consensus import dawid_skene_run
from curation.models import Instance, Taxonomy
from datasets.export.manifest import read_manifest, verify
from datasets.locations import published_dir
from datasets.models import DatasetVersion, DatasetVersionPublishedError
from datasets.selectors.sources import DawidSkeneMissing
from datasets.services.export import dataset_export_run
from datasets.services.versions import dataset_version_create
from training.data import DatasetDir

from .platform_cohort import phi_strings


def _version(cohort, name="heads", **extra):
    return dataset_version_create(name=name, taxonomy=Taxonomy.objects.get(name="head-ct", version=1),
                                  campaign_ids=[cohort["campaign"].pk], image_size=(16, 16), chunk_studies=2,
                                  **extra)


@pytest.mark.django_db
def test_a_campaign_exports_to_a_published_verified_directory(cohort):
    version = _version(cohort)
    job = dataset_export_run(version=version)
    version.refresh_from_db()
    assert job.status == "done" and version.status == "published" and version.n_studies == 6
    root = published_dir(version)
    manifest = read_manifest(root)
    assert verify(root, manifest) == []
    assert manifest["content_hash"] == version.content_hash
    assert manifest["provenance"]["campaigns"][0]["name"] == "first"
    assert manifest["provenance"]["reader_count"] == 2
    assert len(manifest["traits"]) == 35 and sum(manifest["splits"].values()) == 6
    assert set(manifest["agreement"]["intracranial_hemorrhage"]) >= {"fleiss_kappa", "krippendorff_alpha"}
    assert version.n_slices == 6 * 4


@pytest.mark.django_db
def test_no_original_identifier_reaches_any_exported_file(cohort):
    version = _version(cohort)
    dataset_export_run(version=version)
    phi = phi_strings()
    assert len(phi) >= 12  # names, patient ids, accession numbers, birth dates and UIDs of the cohort
    root = published_dir(version)
    texts = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        texts.append((path.name, path.read_bytes().decode("latin1")))
        if path.suffix == ".parquet":  # compressed columns: scan the decoded values too
            rows = pq.read_table(path).to_pylist()
            texts.append((path.name, "\n".join(str(v) for row in rows for v in row.values())))
    assert len(texts) >= 8
    leaks = [(name, s) for name, text in texts for s in phi if s in text]
    assert leaks == []
    studies = pq.read_table(root / "studies.parquet").to_pylist()
    assert {r["study_id"] for r in studies} == {s.study_uid for s in cohort["studies"]}


@pytest.mark.django_db
def test_a_published_version_is_immutable_and_a_new_version_is_a_new_row(cohort):
    version = _version(cohort)
    dataset_export_run(version=version)
    version.refresh_from_db()
    version.description = "edited"
    with pytest.raises(DatasetVersionPublishedError):
        version.save()
    with pytest.raises(DatasetVersionPublishedError):
        version.delete()
    with pytest.raises(DatasetVersionPublishedError):
        dataset_export_run(version=version)
    second = _version(cohort)
    assert (second.pk, second.version, second.status) != (version.pk, version.version, version.status)
    assert second.version == version.version + 1 and second.status == "building"


@pytest.mark.django_db
def test_an_interrupted_export_resumes_skipping_finished_chunks_and_matches_an_uninterrupted_one(cohort):
    first = _version(cohort)
    stopped = dataset_export_run(version=first, max_chunks=1)
    first.refresh_from_db()
    assert stopped.status == "failed" and first.status == "building"
    assert not published_dir(first).exists()
    call_command("export_dataset", "--resume", str(first.pk), stdout=io.StringIO())
    first.refresh_from_db()
    assert first.status == "published"
    assert first.jobs.order_by("-id").first().chunks_skipped == 1
    straight = _version(cohort)
    dataset_export_run(version=straight)
    straight.refresh_from_db()
    assert straight.content_hash == first.content_hash  # same inputs, same bytes


@pytest.mark.django_db
def test_a_storage_failure_fails_the_version_without_a_directory_and_a_retry_publishes(cohort, settings):
    version = _version(cohort)
    instance = Instance.objects.filter(series=cohort["studies"][3].primary_series).first()
    stored = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / instance.storage_path
    aside = stored.with_suffix(".aside")
    stored.rename(aside)
    try:
        with pytest.raises(OSError):
            dataset_export_run(version=version)
    finally:
        aside.rename(stored)
    version.refresh_from_db()
    assert version.status == "failed" and "FileNotFoundError" in version.error
    assert not published_dir(version).exists()
    with pytest.raises(ObjectDoesNotExist):
        DatasetVersion.objects.get(pk=version.pk).jobs.get(status="done")
    job = dataset_export_run(version=version)
    version.refresh_from_db()
    assert version.status == "published" and job.chunks_skipped >= 1


@pytest.mark.django_db
def test_the_training_reader_opens_an_exported_version(cohort):
    version = _version(cohort)
    dataset_export_run(version=version)
    dataset = DatasetDir(published_dir(version))
    assert len(dataset) == 6 and dataset.image_size == (16, 16)
    assert sum(len(dataset.split_indices(s)) for s in ("train", "calibration", "test")) == 6
    volume = dataset.slices(0, np.arange(4))
    assert volume.shape == (4, 16, 16) and volume.dtype == np.int16
    assert not np.isnan(dataset.labels).any()
    codes = dataset.traits.codes
    for study_pk, positives in cohort["positives"].items():
        uid = next(s.study_uid for s in cohort["studies"] if s.pk == study_pk)
        row = dataset.labels[dataset._row[uid]]
        assert {c for c, v in zip(codes, row, strict=True) if v == 1} >= positives


@pytest.mark.django_db
def test_dawid_skene_labels_are_exported_once_fitted_and_refused_before(cohort):
    version = _version(cohort, consensus_method="dawid_skene")
    with pytest.raises(DawidSkeneMissing, match="first"):
        dataset_export_run(version=version)
    version.refresh_from_db()
    assert version.status == "failed" and "Dawid–Skene has not been fitted" in version.error
    dawid_skene_run(campaign=cohort["campaign"])
    dataset_export_run(version=version)
    labels = pq.read_table(published_dir(version) / "labels.parquet").to_pylist()
    assert labels and all(r["label"] == int(r["soft_label"] >= 0.5) for r in labels)
    assert read_manifest(published_dir(version))["provenance"]["consensus_method"] == "dawid_skene"


@pytest.mark.django_db
def test_the_command_defines_and_exports_a_version(cohort):
    out = io.StringIO()
    call_command("export_dataset", "--name", "cli-heads", "--campaign", str(cohort["campaign"].pk), "--size", "16",
                 "--seed", "4", stdout=out)
    version = DatasetVersion.objects.get(name="cli-heads")
    assert f"published cli-heads v1: 6 studies, 24 slices, content hash {version.content_hash}" in out.getvalue()
    assert version.split_seed == 4 and version.image_rows == 16
