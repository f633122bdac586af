"""Browser uploads as ingest jobs: save the files, queue the Celery task, run it with visible progress."""

import time
import uuid
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from curation.dicom.sources import Source
from curation.models import IngestJob

from .archive import ingest_sources

UPLOAD_PREFIX = "uploads"
# Progress is written at most this often, so a fast ingest is not slowed by its own progress bar.
PROGRESS_INTERVAL_S = 0.5


@transaction.atomic
def ingest_upload_start(*, user, files) -> IngestJob:
    """Keep the uploaded files (DICOM files or zip files) in storage and queue their ingest."""
    files = list(files)
    if not files:
        raise ValidationError({"files": ["Choose at least one DICOM file or zip file to upload."]})
    prefix = f"{UPLOAD_PREFIX}/{uuid.uuid4().hex}"
    for n, upload in enumerate(files):
        default_storage.save(f"{prefix}/{n:05d}_{upload.name.replace('/', '_')}", upload)
    job = IngestJob(source="upload", created_by=user, upload_prefix=prefix)
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
    with default_storage.open(path, "rb") as fh, zipfile.ZipFile(fh) as archive:
        members = [m.filename for m in archive.infolist() if not m.is_dir()]

    def member_reader(member: str):
        def load() -> bytes:
            with default_storage.open(path, "rb") as fh, zipfile.ZipFile(fh) as archive:
                return archive.read(member)

        return load

    return [(f"{name}:{m}", member_reader(m)) for m in members if "__MACOSX/" not in m]


class _JobProgress:
    def __init__(self, job: IngestJob):
        self.job = job
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self.last >= PROGRESS_INTERVAL_S:
            self.last = now
            IngestJob.objects.filter(pk=self.job.pk).update(processed=done, total=total)


def ingest_job_run(*, job: IngestJob) -> IngestJob:
    """Run an upload job to the end; the job row carries progress while it runs and the summary after."""
    sources = _storage_sources(job.upload_prefix) if job.upload_prefix else []
    IngestJob.objects.filter(pk=job.pk).update(
        status=IngestJob.Status.RUNNING, started_at=timezone.now(), total=len(sources), processed=0
    )
    try:
        summary = ingest_sources(sources, source=job.source, progress=_JobProgress(job), job=job)
    except Exception as exc:
        IngestJob.objects.filter(pk=job.pk).update(
            status=IngestJob.Status.FAILED, message=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    counts = summary.as_dict()
    IngestJob.objects.filter(pk=job.pk).update(
        status=IngestJob.Status.DONE,
        processed=len(sources),
        total=len(sources),
        accepted=counts["accepted"],
        duplicate=counts["duplicate"],
        rejected=counts["rejected"],
        rejected_by_reason=counts["rejected_by_reason"],
        message=str(summary),
        finished_at=timezone.now(),
    )
    for path in _listing(job.upload_prefix) if job.upload_prefix else []:
        default_storage.delete(path)  # uploads are originals (PHI): keep only the de-identified copies
    job.refresh_from_db()
    return job

