"""Celery tasks of `annotation`: each loads ids, calls one service and returns its summary."""

from celery import shared_task

from annotation.models import Campaign
from annotation.services.consensus import dawid_skene_run
from annotation.services.worklist import reservations_expire


@shared_task(name="annotation.reservations_expire")  # scheduled by CELERY_BEAT_SCHEDULE in radcurate/settings.py
def reservations_expire_task() -> int:
    return reservations_expire()


@shared_task(name="annotation.dawid_skene")
def dawid_skene_task(campaign_id: int) -> dict:
    return dawid_skene_run(campaign=Campaign.objects.get(pk=campaign_id))
