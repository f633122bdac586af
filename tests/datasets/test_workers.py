"""Exports on real Celery workers through Redis: chunks spread over workers, and a worker killed mid-chunk.

The killed worker is stopped at a known point without mocks: one DICOM file of the last chunk is
replaced by a named pipe that nothing writes to, so the worker that opens it blocks inside that chunk
until it is killed.
"""

import re
import signal
import uuid

import pytest

from curation.models import Study, Taxonomy
from datasets.locations import published_dir
from datasets.models import DatasetVersion, ExportJob
from datasets.services.export import dataset_export_run, dataset_export_start
from datasets.services.versions import dataset_version_create

from .platform_cohort import ingest_cohort, read_campaign, truth_by_study_pk
from .workers import blocked_export, routed_to, start_worker, wait_for, wait_ready


def _in_flight_chunk(logs) -> bool:
    """A worker has taken a chunk task and not finished it (nothing ever writes to the pipe, so it cannot)."""
    for log in logs:
        text = log.read_text()
        received = set(re.findall(r"datasets\.export_chunk\[([0-9a-f-]+)\] received", text))
        done = set(re.findall(r"datasets\.export_chunk\[([0-9a-f-]+)\] (?:succeeded|raised)", text))
        if received - done:
            return True
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_chunks_run_on_two_workers_and_a_worker_killed_mid_chunk_leaves_nothing_published(
        tmp_path, settings, test_data_dir, platform_defaults):
    settings.RADCURATE_DATASETS_DIR = str(test_data_dir / "datasets")  # where the workers write
    blocked = blocked_export(tmp_path, test_data_dir, studies=6, seed=11, name="workers")
    version, total = blocked.version, blocked.chunks

    queue = f"test-export-{uuid.uuid4().hex[:8]}"
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_worker(queue, test_data_dir, log) for log in logs]
    try:
        for proc, log in zip(workers, logs, strict=True):
            wait_ready(log, proc)
        with routed_to(queue):
            job = dataset_export_start(version=version, supersede=True)
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).chunks_done == total - 1, 120, "the other chunks")
        wait_for(lambda: _in_flight_chunk(logs), 60, "a worker to take the chunk with the pipe")
        for proc in workers:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
        blocked.release()

    chunk_runs = [log.read_text().count("Task datasets.export_chunk[") for log in logs]
    assert all(n >= 2 for n in chunk_runs), chunk_runs  # received + succeeded lines on both workers
    version.refresh_from_db()
    assert version.status == DatasetVersion.Status.BUILDING
    assert not published_dir(version).exists()
    # A re-run finishes only the chunk that died, cleans the dead worker's partial shard, and publishes.
    resumed = dataset_export_run(version=version, supersede=True)
    version.refresh_from_db()
    assert version.status == DatasetVersion.Status.PUBLISHED
    assert resumed.chunks_skipped == total - 1
    assert not any(p.name.count(".partial") for p in published_dir(version).rglob("*"))
    assert version.n_studies == 6


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_shared_worker_publishes_an_export(celery_worker, tmp_path, settings, test_data_dir, platform_defaults):
    settings.RADCURATE_DATASETS_DIR = str(test_data_dir / "datasets")
    truth = ingest_cohort(tmp_path / "cohort", studies=4, seed=3)
    studies = list(Study.objects.order_by("study_uid"))
    campaign = read_campaign(f"shared-{uuid.uuid4().hex[:6]}", studies, truth_by_study_pk(truth))
    version = dataset_version_create(name=f"s-{uuid.uuid4().hex[:8]}", taxonomy=Taxonomy.objects.get(
        name="head-ct", version=1), campaign_ids=[campaign.pk], image_size=(16, 16), chunk_studies=1)
    job = dataset_export_start(version=version)
    wait_for(lambda: DatasetVersion.objects.get(pk=version.pk).status != "building", 120, "the export")
    version.refresh_from_db()
    assert version.status == "published", ExportJob.objects.get(pk=job.pk).message
    assert "datasets.export_finalize" in celery_worker["log"].read_text()
