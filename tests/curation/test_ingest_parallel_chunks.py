"""An upload's chunks run on every worker at once: two real Celery workers each ingest some of them, the job
finishes once all are recorded, and the instances (two copies of one study among them) are stored once."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from curation.models import IngestJob, Instance, Series, Study
from curation.services.ingest_job import ingest_upload_start
from tests.datasets.workers import kill, received, routed_to, start_worker, wait_for, wait_ready


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_an_uploads_chunks(tmp_path, test_data_dir, ct_series_files):
    first, _, _ = ct_series_files(n=8, name="first")
    second, _, _ = ct_series_files(n=8, name="second")
    # the second study twice, in opposite orders: its copies land in chunks that may run at the same time
    files = [SimpleUploadedFile(p.name, p.read_bytes()) for p in [*first, *second, *reversed(second)]]
    queue = f"test-parallel-{uuid.uuid4().hex[:8]}"
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_worker(queue, test_data_dir, log) for log in logs]
    with routed_to(queue):
        try:
            for log, worker in zip(logs, workers, strict=True):
                wait_ready(log, worker, timeout=240)  # both listen before the chunks are queued: both take some
            job = ingest_upload_start(user=None, chunk_size=2, files=files)
            wait_for(lambda: IngestJob.objects.get(pk=job.pk).status in ("done", "failed"), 180, "the upload to finish")
        finally:
            for worker in workers:
                kill(worker)
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert (job.total, job.processed, job.chunks_done, job.chunks_total) == (24, 24, 12, 12)
    assert sorted(job.chunks_recorded) == list(range(12))
    # Each chunk counts what it saw: a copy indexed by two chunks at the same moment is accepted by both.
    assert (job.accepted + job.duplicate, job.rejected) == (24, 0) and job.accepted >= 16, job.message
    assert all(received(log, "curation.ingest_chunk") > 0 for log in logs), "one worker took every chunk"
    assert Instance.objects.count() == Instance.objects.values("sop_uid").distinct().count() == 16
    assert Study.objects.count() == 2 and Series.objects.count() == 2
    assert sorted(Series.objects.values_list("n_instances", flat=True)) == [8, 8]
    assert sorted(Study.objects.values_list("n_instances", flat=True)) == [8, 8]
