"""Browser uploads as ingest jobs: save the files, queue the Celery task, run it with visible progress."""

import time
import uuid
import zipfile
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from curation.dicom.sources import Source, zip_sources
from curation.models import IngestJob

from .archive import ingest_sources

UPLOAD_PREFIX = "uploads"
# Progress is written at most this often, so a fast ingest is not slowed by its own progress bar.
PROGRESS_INTERVAL_S = 0.5


def too_many_files_message() -> str:
    """Why a form with more files than Django parses (DATA_UPLOAD_MAX_NUMBER_FILES) was refused."""
    return (f"At most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files in one upload: upload a zip of the series, "
            "or the files in several uploads.")


@transaction.atomic
def ingest_upload_start(*, user, files, chunk_size: int = 200) -> IngestJob:
    """Keep the uploaded files (DICOM files or zip files) in storage and queue their ingest."""
    files = list(files)
    if not files:
        raise ValidationError({"files": ["Choose at least one DICOM file or zip file to upload."]})
    prefix = f"{UPLOAD_PREFIX}/{uuid.uuid4().hex}"
    for n, upload in enumerate(files):
        default_storage.save(f"{prefix}/{n:05d}_{upload.name.replace('/', '_')}", upload)
    job = IngestJob(source="upload", created_by=user, upload_prefix=prefix, chunk_size=chunk_size)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: IngestJob) -> None:
    from curation.tasks import ingest_upload  # tasks call services; import here to keep that direction

    result = ingest_upload.delay(job.pk)
    IngestJob.objects.filter(pk=job.pk, task_id="").update(task_id=result.id or "")


def _listing(prefix: str) -> list[str]:
    dirs, files = default_storage.listdir(prefix)
    paths = [f"{prefix}/{f}" for f in sorted(files)]
    for d in sorted(dirs):
        paths += _listing(f"{prefix}/{d}")
    return paths


def _storage_sources(prefix: str) -> list[Source]:
    sources: list[Source] = []
    for path in _listing(prefix):
        name = path.rsplit("/", 1)[-1].split("_", 1)[-1]
        if path.lower().endswith(".zip"):
            with default_storage.open(path, "rb") as fh:
                if zipfile.is_zipfile(fh):
                    sources += _zip_members(path, name)
                    continue
        sources.append((name, _reader(path)))
    return sources


def _reader(path: str):
    def load() -> bytes:
        with default_storage.open(path, "rb") as fh:
            return fh.read()

    return load


def _zip_members(path: str, name: str) -> list[Source]:
    return zip_sources(name, partial(default_storage.open, path, "rb"))  # within the RADCURATE_ZIP_* limits


class _JobProgress:
    """Adds a chunk's progress to the job's (and beats its heartbeat: a worker is alive) at most every
    PROGRESS_INTERVAL_S. Chunks run in parallel, so each adds what it did since its last report; a chunk run
    again after dying half way counts twice, so the sum stops at the total."""

    def __init__(self, job: IngestJob):
        self.job = job
        self.last = 0.0
        self.reported = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self.last >= PROGRESS_INTERVAL_S:
            self.last = now
            IngestJob.objects.filter(pk=self.job.pk).update(
                processed=Least(F("processed") + (done - self.reported), F("total")), heartbeat_at=timezone.now(),
                stalled_at=None)
            self.reported = done


def _job_sources(job: IngestJob) -> list[Source]:
    return _storage_sources(job.upload_prefix) if job.upload_prefix else []


def ingest_job_plan(*, job: IngestJob) -> list[int]:
    """Count the upload's files and lay out its chunks; return the chunks to send to the workers (all of them,
    at once: each worker takes the next), none when the job had started already. An empty upload is done."""
    total = len(_job_sources(job))
    started = IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.PENDING).update(
        status=IngestJob.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), total=total,
        processed=0, chunks_total=-(-total // job.chunk_size), chunks_done=0, chunks_recorded=[],
    )
    job.refresh_from_db()
    if not started:
        return []
    if not job.chunks_total:
        _finish(job)
    return list(range(job.chunks_total))


def ingest_job_unfinished(job: IngestJob) -> list[int]:
    recorded = set(job.chunks_recorded)
    return [index for index in range(job.chunks_total) if index not in recorded]


def ingest_job_chunk(*, job: IngestJob, index: int) -> bool:
    """Ingest chunk `index` unless it is recorded; True when it was (here or by another attempt).

    Chunks of one job run in parallel on as many workers as there are; the same study in two chunks is
    indexed once (`archive_index`). A chunk run again (redelivered, re-queued by the sweep) after it was
    recorded does nothing; one that died half way is ingested again, its stored instances coming back as
    duplicates, so no row is doubled or lost.
    """
    job.refresh_from_db()
    if job.status != IngestJob.Status.RUNNING or index in job.chunks_recorded or index >= job.chunks_total:
        return False
    first = index * job.chunk_size
    sources = _job_sources(job)[first:first + job.chunk_size]
    try:
        summary = ingest_sources(sources, source=job.source, progress=_JobProgress(job), job=job)
    except Exception as exc:
        ingest_job_fail(job=job, reason=f"{type(exc).__name__}: {exc}")
        raise
    counts = summary.as_dict()
    with transaction.atomic():
        locked = IngestJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != IngestJob.Status.RUNNING or index in locked.chunks_recorded:
            return True  # another attempt of this chunk recorded it first
        reasons = dict(locked.rejected_by_reason)
        for rule, n in counts["rejected_by_reason"].items():
            reasons[rule] = reasons.get(rule, 0) + n
        recorded = sorted([*locked.chunks_recorded, index])
        IngestJob.objects.filter(pk=job.pk).update(
            chunks_recorded=recorded, chunks_done=len(recorded), accepted=locked.accepted + counts["accepted"],
            duplicate=locked.duplicate + counts["duplicate"], rejected=locked.rejected + counts["rejected"],
            rejected_by_reason=dict(sorted(reasons.items())), heartbeat_at=timezone.now(), stalled_at=None,
        )
    if len(recorded) >= locked.chunks_total:  # the last chunk to finish finishes the job
        job.refresh_from_db()
        _finish(job)
    return True


def _summary(job: IngestJob) -> str:
    reasons = ", ".join(f"{rule} {n}" for rule, n in sorted(job.rejected_by_reason.items()))
    return (f"accepted {job.accepted}, duplicate {job.duplicate}, rejected {job.rejected}"
            + (f" ({reasons})" if reasons else ""))


def _finish(job: IngestJob) -> None:
    for path in _listing(job.upload_prefix) if job.upload_prefix else []:
        default_storage.delete(path)  # uploads are originals (PHI): keep only the de-identified copies
    IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.RUNNING).update(
        status=IngestJob.Status.DONE, processed=job.total, message=_summary(job), finished_at=timezone.now())


def ingest_job_stall_fail(job: IngestJob, reason: str) -> None:
    ingest_job_fail(job=job, reason=reason)


def ingest_job_fail(*, job: IngestJob, reason: str) -> None:
    """Give the job up with its reason; the uploaded files stay until a new upload replaces them."""
    IngestJob.objects.filter(pk=job.pk).update(status=IngestJob.Status.FAILED, message=reason[:2000],
                                               finished_at=timezone.now())


def ingest_job_requeue(job: IngestJob) -> int:
    """Send a stalled job's unfinished chunks (or its start) to the workers again; the sweep calls it."""
    from curation.tasks import ingest_chunk, ingest_upload

    if job.status == IngestJob.Status.PENDING:
        ingest_upload.delay(job.pk)
        return 1
    unfinished = ingest_job_unfinished(job)
    for index in unfinished:
        ingest_chunk.delay(job.pk, index)
    return len(unfinished)


def ingest_job_run(*, job: IngestJob) -> IngestJob:
    """Run an upload job to the end in this process, chunk after chunk (what the workers do in parallel)."""
    for index in ingest_job_plan(job=job):
        ingest_job_chunk(job=job, index=index)
    job.refresh_from_db()
    return job
