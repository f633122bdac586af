"""Dawid–Skene runs under core's sweep of stalled jobs: a run whose worker died (heartbeat old) is re-sent and
completes, writing no duplicate rows; a run that keeps stalling fails with the reason; a fresh one is left alone."""

import datetime as dt

import pytest
from django.utils import timezone

from annotation.models import Consensus, DawidSkeneRun, ReaderConfusion
from annotation.services.consensus import dawid_skene_job_create, dawid_skene_job_run
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.jobs import jobs_sweep
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.jobs import sweep_stalls_and_requeues, sweep_until_failed

pytestmark = pytest.mark.django_db
KIND = "dawid-skene run"


@pytest.fixture
def campaign(taxonomy):
    readers = make_readers(2)
    campaign = make_campaign(taxonomy, studies=make_studies(3), readers=readers)
    for i, reader in enumerate(readers):
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            read_submit(reader=reader, assignment=assignment,
                        labels={"lacune": "present", "fracture": "present"} if i == 0 else {"fracture": "present"})
    return campaign


def _dead_worker_run(campaign, beaten_s_ago=600.0) -> DawidSkeneRun:
    """A run a worker started and then died on: running, one trait fitted, heartbeat `beaten_s_ago`."""
    job = dawid_skene_job_create(campaign=campaign)  # not committed here: its task is never sent
    DawidSkeneRun.objects.filter(pk=job.pk).update(
        status=DawidSkeneRun.Status.RUNNING, started_at=timezone.now(), traits_done=1, traits_total=5,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=beaten_s_ago))
    return job


def test_a_stale_run_is_resent_and_completes_without_duplicate_rows(campaign, django_capture_on_commit_callbacks):
    dawid_skene_job_run(job_id=dawid_skene_job_create(campaign=campaign).pk)  # an earlier, finished fit
    rows_before = (Consensus.objects.filter(campaign_study__campaign=campaign).count(),
                   ReaderConfusion.objects.filter(campaign=campaign).count())
    job = _dead_worker_run(campaign)
    requeue, swept_at = sweep_stalls_and_requeues(job, KIND, django_capture_on_commit_callbacks)

    assert len(requeue) == 1
    requeue[0]()  # the re-sent task, eager here, fits the run again
    job.refresh_from_db()
    assert (job.status, job.stalled, job.message) == ("done", False, "")
    assert job.traits_done == job.traits_total == len(job.summary) and job.heartbeat_at >= swept_at
    assert job.summary["fracture"]["n_calls"] == 6
    assert (Consensus.objects.filter(campaign_study__campaign=campaign).count(),
            ReaderConfusion.objects.filter(campaign=campaign).count()) == rows_before
    assert Consensus.objects.filter(campaign_study__campaign=campaign, ds_probability__isnull=False).exists()


def test_a_run_that_keeps_stalling_fails_with_the_reason(campaign, django_capture_on_commit_callbacks):
    job = sweep_until_failed(_dead_worker_run(campaign), KIND, django_capture_on_commit_callbacks)
    assert job.finished_at is not None
    assert job.message.startswith("stopped after 3 attempts: no worker made progress for 600 s")


def test_a_run_with_a_fresh_heartbeat_or_finished_is_left_alone(campaign, taxonomy):
    fresh = _dead_worker_run(campaign, beaten_s_ago=10)
    other = make_campaign(taxonomy, studies=make_studies(1), readers=make_readers(2))
    done = dawid_skene_job_run(job_id=dawid_skene_job_create(campaign=other).pk)
    DawidSkeneRun.objects.filter(pk=done.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert jobs_sweep(stall_s=300, max_attempts=3).requeued == []
    fresh.refresh_from_db()
    assert (fresh.status, fresh.attempts, fresh.stalled, fresh.traits_done) == ("running", 1, False, 1)
    assert DawidSkeneRun.objects.get(pk=done.pk).status == "done"
