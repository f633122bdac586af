"""Annotation's Celery tasks on a real worker: Dawid–Skene over a campaign and reservation expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import Assignment, ReaderConfusion
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from annotation.tasks import dawid_skene_task, reservations_expire_task
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
    summary = dawid_skene_task.delay(campaign.pk).get(timeout=60)
    assert summary["lacune"]["n_calls"] == 6
    assert ReaderConfusion.objects.filter(campaign=campaign, trait__code="lacune").count() == 2
    Assignment.objects.filter(campaign=campaign).update(status="reserved",
                                                        expires_at=timezone.now() - timedelta(minutes=1))
    assert reservations_expire_task.delay().get(timeout=60) == 6
