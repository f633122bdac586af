"""Export use cases: start a job, plan it, write its chunks, publish it, or record that it failed.

The job runs as Celery tasks (plan, one task per chunk on any number of workers, finalize) or inline
for the CLI. Progress is on the ExportJob row; which chunks are done is in the staging area, so a job
whose worker died, or a new job for the same version, skips them. Publication is the rename of the
verified directory followed by the status change, under a row lock so that it happens once. Each step
beats the job's heartbeat; a job without one for the stall limit is re-queued by the sweep
(`export_job_requeue`, see core.jobs).
"""

import subprocess
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Greatest
from django.utils import timezone

from core.background import task_send
from datasets.export.chunks import chunk_done, write_chunk
from datasets.export.manifest import read_manifest, verify
from datasets.export.plan import ExportSpec, plan_export
from datasets.export.publish import VerificationFailed, publish_directory
from datasets.export.splits import SplitPolicy
from datasets.locations import published_dir, staging_for
from datasets.models import DatasetVersion, DatasetVersionPublishedError, ExportJob
from datasets.selectors.sources import (
    agreement_per_trait,
    dataset_traits,
    export_sources,
    trait_rows,
)
from datasets.selectors.versions import previous_splits, version_slice_count
from datasets.selectors.volumes import load_series_volume

ACTIVE = (ExportJob.Status.QUEUED, ExportJob.Status.PLANNING, ExportJob.Status.WRITING, ExportJob.Status.PUBLISHING)


@cache
def code_version() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=settings.BASE_DIR, capture_output=True,
                             text=True, timeout=5)
        commit = out.stdout.strip() if out.returncode == 0 else ""
    except OSError:
        commit = ""
    return f"radcurate 0.1.0{'+' + commit if commit else ''}"


def _update(job: ExportJob, **fields) -> None:
    """Write fields of the job; any change a worker makes is progress, so it beats the heartbeat too."""
    fields = {"heartbeat_at": timezone.now(), "stalled_at": None, **fields}
    ExportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


@transaction.atomic
def dataset_export_start(*, version: DatasetVersion, user=None, enqueue: bool = True,
                         supersede: bool = False) -> ExportJob:
    """A new export job for a building or failed version; queued on Celery unless `enqueue` is False."""
    version = DatasetVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise DatasetVersionPublishedError(version)
    active = version.jobs.filter(status__in=ACTIVE)
    if active.exists() and not supersede:
        raise ValidationError(f"Dataset '{version.name}' v{version.version} already has an export running "
                              f"(job {active.first().pk}); resume with supersede to replace it.")
    active.update(status=ExportJob.Status.FAILED, message="superseded by a newer job", finished_at=timezone.now())
    if version.status == DatasetVersion.Status.FAILED:
        version.status, version.error = DatasetVersion.Status.BUILDING, ""
        version.save(update_fields=["status", "error"])
    job = ExportJob.objects.create(version=version, created_by=user)
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: ExportJob) -> None:
    """Send the export's plan task; without a broker it runs in a background thread (core.background), never in
    the request that defined the version."""
    from celery.utils import uuid

    from datasets.tasks import export_plan  # tasks call services; imported here to keep that direction

    task_id = uuid()
    ExportJob.objects.filter(pk=job.pk, task_id="").update(task_id=task_id)
    task_send(export_plan, args=[job.pk], task_id=task_id)


def _mapping_set() -> dict | None:
    """The mapping set of the latest finished mining run: campaigns do not record which run ranked them."""
    from reports_nlp.selectors.mining import mining_run_latest_done

    run = mining_run_latest_done()
    return None if run is None else {"version": run.mapping_set.version, "mining_run": run.pk}


def _spec(version: DatasetVersion, sources) -> ExportSpec:
    traits = dataset_traits(version)
    codes = [t.code for t in traits]
    provenance = {
        "taxonomy": version.taxonomy.name, "taxonomy_version": version.taxonomy.version,
        "campaigns": sources.campaigns, "consensus_method": version.consensus_method,
        "reader_count": len(sources.readers), "mapping_set": _mapping_set(), "filters": version.filters,
        "code_version": code_version(),
    }
    return ExportSpec(
        name=version.name, traits=trait_rows(traits),
        policy=SplitPolicy(version.split_seed, tuple(version.split_fractions), tuple(version.stratify_on)),
        size=(version.image_rows, version.image_cols), chunk_studies=version.chunk_studies, provenance=provenance,
        agreement=agreement_per_trait(sources.reads, codes, seed=version.split_seed),
    )


def export_job_plan(*, job: ExportJob) -> list[int]:
    """Snapshot the inputs (once per version) and return the chunks still to write."""
    version = job.version
    staging = staging_for(version)
    _update(job, status=ExportJob.Status.PLANNING, started_at=job.started_at or timezone.now())
    if not staging.planned:
        sources = export_sources(version)
        plan_export(staging, _spec(version, sources), sources.studies, sources.labels, sources.reads,
                    previous_splits(version))
    plan = staging.read_plan()
    pending = [i for i in range(len(plan["chunks"])) if chunk_done(staging, i) is None]
    done = len(plan["chunks"]) - len(pending)
    _update(job, status=ExportJob.Status.WRITING, chunks_total=len(plan["chunks"]), chunks_done=done,
            chunks_skipped=done)
    return pending


def _chunks_done(job: ExportJob) -> int:
    return sum(1 for _ in staging_for(job.version).control.glob("chunk-*.json"))


def export_job_chunk(*, job: ExportJob, index: int) -> bool:
    """Write chunk `index` (a no-op when done); True when this was the last chunk missing."""
    if job.status in (ExportJob.Status.FAILED, ExportJob.Status.DONE):
        return False  # a failed or superseded job stops; its successor resumes from the markers
    write_chunk(staging_for(job.version), index, load_series_volume)
    done = _chunks_done(job)
    ExportJob.objects.filter(pk=job.pk).update(chunks_done=Greatest("chunks_done", done),
                                               heartbeat_at=timezone.now(), stalled_at=None)
    return done >= job.chunks_total


def _publish_files(version: DatasetVersion) -> dict:
    final = published_dir(version)
    staging = staging_for(version)
    if final.exists() and not staging.data.exists():
        # An earlier attempt renamed the directory but died before the status change: check and adopt it.
        manifest = read_manifest(final)
        problems = verify(final, manifest)
        if problems or (manifest.get("name"), manifest.get("version")) != (version.name, version.version):
            raise VerificationFailed(f"{final}: in place but not this version's verified export: {problems}")
        return manifest
    return publish_directory(staging, final, version=version.version)


def export_job_finalize(*, job: ExportJob) -> DatasetVersion:
    """Build and verify the manifest, rename the directory into place, and publish the version (once)."""
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().get(pk=job.version_id)
        if version.is_published:
            _update(job, status=ExportJob.Status.DONE, finished_at=timezone.now())
            return version
        _update(job, status=ExportJob.Status.PUBLISHING)
        manifest = _publish_files(version)
        version.status, version.published_at = DatasetVersion.Status.PUBLISHED, timezone.now()
        version.content_hash = manifest["content_hash"]
        version.n_studies = sum(manifest["splits"].values())
        version.n_slices = version_slice_count(version)
        version.full_clean()
        version.save()
        _update(job, status=ExportJob.Status.DONE, chunks_done=job.chunks_total, finished_at=timezone.now(),
                message=f"published {version.n_studies} studies, content hash {version.content_hash[:12]}")
    return version


def export_job_fail(*, job: ExportJob, error: BaseException) -> None:
    """Record a failure; the staging area stays, so the next job resumes where this one stopped."""
    _fail(job, f"{type(error).__name__}: {error}")


def _fail(job: ExportJob, message: str) -> None:
    message = message[:2000]
    _update(job, status=ExportJob.Status.FAILED, message=message, finished_at=timezone.now())
    DatasetVersion.objects.filter(pk=job.version_id, status=DatasetVersion.Status.BUILDING).update(
        status=DatasetVersion.Status.FAILED, error=message)


def export_job_requeue(job: ExportJob) -> int:
    """Send a stalled job's unfinished steps to the workers again (done chunks are no-ops); the sweep calls it."""
    from datasets.tasks import export_chunk, export_finalize, export_plan

    if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.PLANNING):
        export_plan.delay(job.pk)
        return 1
    staging = staging_for(job.version)
    pending = [i for i in range(job.chunks_total) if chunk_done(staging, i) is None]
    if job.status == ExportJob.Status.PUBLISHING or not pending:
        export_finalize.delay(job.pk)
        return 1
    for index in pending:
        export_chunk.delay(job.pk, index)
    return len(pending)


def export_job_stall_fail(job: ExportJob, reason: str) -> None:
    _fail(job, reason)


def dataset_export_run(*, version: DatasetVersion, user=None, max_chunks: int | None = None,
                       progress: Callable[[ExportJob], None] | None = None, supersede: bool = False) -> ExportJob:
    """Run an export in this process (the CLI): plan, write pending chunks, publish.

    With `max_chunks`, stop after that many chunks and leave the version building: a later run resumes.
    """
    job = dataset_export_start(version=version, user=user, enqueue=False, supersede=supersede)
    try:
        pending = export_job_plan(job=job)
        for n, index in enumerate(pending):
            if max_chunks is not None and n >= max_chunks:
                _update(job, status=ExportJob.Status.FAILED, message=f"stopped after {max_chunks} chunks",
                        finished_at=timezone.now())
                return job
            export_job_chunk(job=job, index=index)
            job.refresh_from_db()
            if progress:
                progress(job)
        export_job_finalize(job=job)
    except Exception as exc:
        export_job_fail(job=job, error=exc)
        raise
    job.refresh_from_db()
    return job
