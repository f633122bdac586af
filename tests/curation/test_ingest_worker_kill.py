"""An upload whose worker is SIGKILLed mid-chunk finishes on a new worker once the stalled-job sweep re-queues it,
with every instance stored once: none doubled, none lost.

The worker is stopped at a known point without mocks: one uploaded file of the second chunk is replaced by a named
pipe that nothing writes to, so the worker that opens it blocks inside that chunk until it is killed.
"""

import os
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from curation.models import IngestJob, Instance, Rejection
from curation.services.ingest_job import ingest_upload_start
from tests.datasets.workers import kill, received, routed_to, start_worker, sweep_until_requeued, wait_for, wait_ready


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_upload_whose_worker_is_killed_mid_chunk_finishes_after_the_sweep(tmp_path, test_data_dir,
                                                                             ct_series_files):
    paths, _, _ = ct_series_files(n=6)
    queue = f"test-ingest-{uuid.uuid4().hex[:8]}"
    with routed_to(queue):  # no worker yet: the job waits in the queue while one file becomes a pipe
        job = ingest_upload_start(user=None, chunk_size=2, files=[
            SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(paths)])
    stored = [test_data_dir / "storage" / job.upload_prefix / name for name in
              sorted(default_storage.listdir(job.upload_prefix)[1])]
    piped, aside = stored[3], tmp_path / "aside.dcm"  # the second file of the second chunk
    piped.rename(aside)
    os.mkfifo(piped)

    first_log, second_log = tmp_path / "worker-a.log", tmp_path / "worker-b.log"
    worker, second = start_worker(queue, test_data_dir, first_log), None
    try:
        wait_ready(first_log, worker)
        wait_for(lambda: IngestJob.objects.get(pk=job.pk).chunks_done == 1, 120, "the first chunk")
        wait_for(lambda: received(first_log, "curation.ingest_chunk") >= 2, 60, "the worker to take the second")
        kill(worker)
        piped.unlink()
        aside.rename(piped)
        assert IngestJob.objects.get(pk=job.pk).status == "running"

        second = start_worker(queue, test_data_dir, second_log)
        wait_ready(second_log, second)
        sweep_until_requeued("ingest job", queue)
        wait_for(lambda: IngestJob.objects.get(pk=job.pk).status != "running", 120, "the upload to finish")
    finally:
        for proc in (worker, second):
            if proc is not None and proc.poll() is None:
                kill(proc)
        if piped.is_fifo():
            piped.unlink()
            aside.rename(piped)

    job.refresh_from_db()
    assert job.status == "done", (job.message, second_log.read_text()[-2000:])
    assert (job.total, job.processed, job.chunks_done, job.chunks_total, job.attempts) == (6, 6, 3, 3, 2)
    assert (job.accepted + job.duplicate, job.rejected) == (6, 0), job.message
    assert Instance.objects.count() == Instance.objects.values("sop_uid").distinct().count() == 6
    assert not Rejection.objects.exists()
    assert not default_storage.exists(job.upload_prefix) or not default_storage.listdir(job.upload_prefix)[1]
