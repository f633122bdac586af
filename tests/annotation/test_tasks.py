"""Annotation's Celery tasks on a real worker: Dawid–Skene over a campaign and reservation expiry (as beat sends it)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from annotation.models import Assignment, ReaderConfusion
from annotation.services.consensus import dawid_skene_job_create
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from annotation.tasks import dawid_skene_task, reservations_expire_task
from radcurate.celery import app as celery_app
from tests.annotation.conftest import make_campaign, make_readers, make_studies


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_dawid_skene_and_expiry_run_on_a_real_worker(celery_worker, taxonomy):
    readers = make_readers(3)
    campaign = make_campaign(taxonomy, studies=make_studies(3), readers=readers)
    for reader in readers[:2]:
        for _ in range(3):
            read_submit(reader=reader, assignment=worklist_next(reader=reader, campaign=campaign),
                        labels={"lacune": "present"} if reader == readers[0] else {})
    lapsed = worklist_next(reader=readers[2], campaign=campaign)
    assert lapsed is None  # every study has its two reads
    job = dawid_skene_job_create(campaign=campaign)  # its task goes to the worker when the row commits
    assert job.status == "queued"
    finished = dawid_skene_task.delay(job.pk).get(timeout=60)  # a second delivery of the same run is a no-op
    assert finished["status"] == "done" and finished["summary"]["lacune"]["n_calls"] == 6
    assert ReaderConfusion.objects.filter(campaign=campaign, trait__code="lacune").count() == 2
    Assignment.objects.filter(campaign=campaign).update(status="reserved",
                                                        expires_at=timezone.now() - timedelta(minutes=1))
    assert reservations_expire_task.delay().get(timeout=60) == 6


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_schedule_sweeps_abandoned_reservations_on_a_real_worker(celery_worker, taxonomy):
    """What beat sends (the schedule entry's task name and options) runs on the worker and frees the slot."""
    entry = settings.CELERY_BEAT_SCHEDULE["annotation-reservations-expire"]
    assert celery_app.conf.beat_schedule["annotation-reservations-expire"] == entry
    assert 0 < entry["schedule"] <= 300  # a reservation is not left looking taken for long
    alice, bob, carol = make_readers(3)
    campaign = make_campaign(taxonomy, studies=make_studies(1), readers=[alice, bob, carol], min_reads=2, max_reads=2)
    abandoned = worklist_next(reader=alice, campaign=campaign)
    kept = worklist_next(reader=bob, campaign=campaign)
    Assignment.objects.filter(pk=abandoned.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    swept = celery_app.send_task(entry["task"], **entry.get("options", {})).get(timeout=60)
    assert swept == 1
    assert Assignment.objects.get(pk=abandoned.pk).status == "expired"
    assert Assignment.objects.get(pk=kept.pk).status == "reserved"
    taken = worklist_next(reader=carol, campaign=campaign)
    assert taken is not None and taken.campaign_study_id == abandoned.campaign_study_id
