"""Celery tasks of `curation`: they load ids and call services, nothing else.

An upload's ingest is a start task that sends one task per chunk of files, all at once, so every worker takes
chunks: a redelivered or re-queued chunk task that finds its chunk recorded does nothing.
"""

from celery import shared_task

from curation.models import IngestJob
from curation.services import transcoding
from curation.services.ingest_job import ingest_job_chunk, ingest_job_plan


@shared_task(name="curation.ingest_upload")
def ingest_upload(job_id: int) -> dict:
    job = IngestJob.objects.get(pk=job_id)
    for index in ingest_job_plan(job=job):
        ingest_chunk.delay(job_id, index)
    return {"job": job.pk, "status": job.status, "chunks": job.chunks_total}


@shared_task(name="curation.ingest_chunk")
def ingest_chunk(job_id: int, index: int) -> bool:
    return ingest_job_chunk(job=IngestJob.objects.get(pk=job_id), index=index)


@shared_task(name="curation.transcode_cache_trim")
def transcode_cache_trim() -> dict:
    return vars(transcoding.transcode_cache_trim())
