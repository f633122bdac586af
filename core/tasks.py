"""Celery tasks of `core`: the periodic sweep of stalled jobs (scheduled by beat in settings)."""

from celery import shared_task

from core.jobs import jobs_sweep


@shared_task(name="core.jobs_sweep")
def jobs_sweep_task() -> dict:
    result = jobs_sweep()
    return {"requeued": result.requeued, "failed": result.failed}
