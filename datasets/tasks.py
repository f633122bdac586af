"""Celery tasks of `datasets`: an export is a plan task, one task per chunk (any worker), and a finalize task.

Tasks acknowledge late (settings): a chunk whose worker dies is redelivered and resumes; chunks done by
then are skipped.
"""

from celery import shared_task

from datasets.models import ExportJob, ModelRun
from datasets.services.active_learning import priorities_recompute, priorities_recompute_job_run
from datasets.services.export import export_job_chunk, export_job_fail, export_job_finalize, export_job_plan


def _failing(job: ExportJob, fn, **kwargs):
    try:
        return fn(job=job, **kwargs)
    except Exception as exc:
        export_job_fail(job=job, error=exc)
        raise


@shared_task(name="datasets.export_plan")
def export_plan(job_id: int) -> int:
    job = ExportJob.objects.select_related("version").get(pk=job_id)
    pending = _failing(job, export_job_plan)
    for index in pending:
        export_chunk.delay(job_id, index)
    if not pending:
        export_finalize.delay(job_id)
    return len(pending)


@shared_task(name="datasets.export_chunk")
def export_chunk(job_id: int, index: int) -> bool:
    job = ExportJob.objects.select_related("version").get(pk=job_id)
    last = _failing(job, export_job_chunk, index=index)
    if last:
        export_finalize.delay(job_id)
    return last


@shared_task(name="datasets.export_finalize")
def export_finalize(job_id: int) -> str:
    job = ExportJob.objects.select_related("version").get(pk=job_id)
    return _failing(job, export_job_finalize).status


@shared_task(name="datasets.priorities_recompute")
def priorities_recompute_task(run_id: int | None = None, job_id: int | None = None) -> dict:
    """Recompute active-learning priorities after a run is imported (every campaign that follows it), as the job
    `priorities_recompute_queue` made; a task sent before jobs existed (no `job_id`) recomputes without one."""
    if job_id is None:
        return priorities_recompute(run=ModelRun.objects.get(pk=run_id) if run_id else None)
    job = priorities_recompute_job_run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "campaigns": job.campaigns_done}
