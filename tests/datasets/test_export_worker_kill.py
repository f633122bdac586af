"""An export whose worker is SIGKILLed mid-chunk is published by a new worker once the stalled-job sweep re-queues
its unfinished chunk: every study once, no half-written shard, nothing published before it is whole.

The worker is stopped at a known point without mocks, as in test_workers.py: one DICOM file of the last chunk is a
named pipe that nothing writes to, so the worker that opens it blocks inside that chunk until it is killed.
"""

import uuid

import pytest

from datasets.export.manifest import read_manifest, verify
from datasets.locations import published_dir
from datasets.models import DatasetVersion, ExportJob
from datasets.services.export import dataset_export_start

from .workers import blocked_export, kill, received, routed_to, start_worker, sweep_until_requeued, wait_for, wait_ready


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_is_killed_mid_chunk_is_published_after_the_sweep(
        tmp_path, settings, test_data_dir, platform_defaults):
    settings.RADCURATE_DATASETS_DIR = str(test_data_dir / "datasets")  # where the workers write
    blocked = blocked_export(tmp_path, test_data_dir, studies=4, seed=5, name="kill")
    version, total = blocked.version, blocked.chunks

    queue = f"test-export-{uuid.uuid4().hex[:8]}"
    first_log, second_log = tmp_path / "worker-a.log", tmp_path / "worker-b.log"
    worker, second = start_worker(queue, test_data_dir, first_log), None
    try:
        wait_ready(first_log, worker)
        with routed_to(queue):
            job = dataset_export_start(version=version, supersede=True)
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).chunks_done == total - 1, 120, "the other chunks")
        wait_for(lambda: received(first_log, "datasets.export_chunk") == total, 60, "the worker to take the last")
        kill(worker)
        blocked.release()
        assert DatasetVersion.objects.get(pk=version.pk).status == "building"
        assert not published_dir(version).exists()

        second = start_worker(queue, test_data_dir, second_log)
        wait_ready(second_log, second)
        sweep_until_requeued("export job", queue)
        assert "stalled, retrying" in ExportJob.objects.get(pk=job.pk).message
        wait_for(lambda: DatasetVersion.objects.get(pk=version.pk).status != "building", 120, "the export")
    finally:
        for proc in (worker, second):
            if proc is not None and proc.poll() is None:
                kill(proc)
        blocked.release()

    version.refresh_from_db()
    job.refresh_from_db()
    assert version.status == "published", (job.message, second_log.read_text()[-2000:])
    assert (job.status, job.attempts, job.stalled, job.chunks_done) == ("done", 2, False, total)
    assert second_log.read_text().count("datasets.export_chunk[") == 2  # only the dead chunk ran again
    final = published_dir(version)
    manifest = read_manifest(final)
    assert verify(final, manifest) == []
    assert version.n_studies == sum(manifest["splits"].values()) == 4
    assert not any(".partial" in p.name for p in final.rglob("*"))
