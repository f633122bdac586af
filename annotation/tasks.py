"""Celery tasks of `annotation`: each loads ids, calls one service and returns its summary."""

from celery import shared_task

from annotation.services.consensus import dawid_skene_job_run
from annotation.services.worklist import reservations_expire


@shared_task(name="annotation.reservations_expire")  # scheduled by CELERY_BEAT_SCHEDULE in radcurate/settings.py
def reservations_expire_task() -> int:
    return reservations_expire()


@shared_task(name="annotation.dawid_skene")
def dawid_skene_task(job_id: int) -> dict:
    """A queued Dawid–Skene fit (`dawid_skene_job_create`); its progress is on the job row."""
    job = dawid_skene_job_run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "summary": job.summary}
