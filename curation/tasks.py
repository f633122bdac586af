"""Celery tasks of `curation`: they load ids and call services, nothing else."""

from celery import shared_task

from curation.models import IngestJob
from curation.services.ingest_job import ingest_job_run


@shared_task(name="curation.ingest_upload")
def ingest_upload(job_id: int) -> dict:
    job = ingest_job_run(job=IngestJob.objects.get(pk=job_id))
    return {"job": job.pk, "status": job.status, "message": job.message}
