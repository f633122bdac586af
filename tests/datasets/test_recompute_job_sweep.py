"""Priority recomputes are jobs under core's sweep of stalled jobs: a recompute whose worker died (heartbeat old)
is re-sent and completes without duplicate priority rows; one that keeps stalling fails with the reason; a fresh
one is left alone."""

import datetime as dt

import pytest
from django.utils import timezone

from annotation.models import PriorityScore
from core.jobs import jobs_sweep
from curation.models import Taxonomy
from datasets.models import PriorityRecomputeJob
from datasets.services.active_learning import active_learning_policy_set, priorities_recompute_queue
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.datasets.test_model_runs import write_run
from tests.jobs import sweep_stalls_and_requeues, sweep_until_failed

pytestmark = pytest.mark.django_db
KIND = "priority recompute"


@pytest.fixture
def run_and_campaigns(tmp_path, django_capture_on_commit_callbacks):
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    studies = make_studies(3)
    campaigns = [make_campaign(taxonomy, studies=studies, readers=make_readers(2, prefix=f"r{i}-")) for i in range(2)]
    for campaign in campaigns:
        active_learning_policy_set(campaign=campaign, weights={"rare_significant": 1.0})
    probs = [[0.05, 0.01, 0.1], [0.95, 0.9, 0.1], [0.4, 0.2, 0.3]]
    with django_capture_on_commit_callbacks(execute=True):  # the import's own recompute runs (eager) and ends
        run = model_run_import(run_dir=write_run(tmp_path / "run", [s.study_uid for s in studies], probs))
    first = PriorityRecomputeJob.objects.get(run=run)
    assert (first.status, first.campaigns_done, first.campaigns_total) == ("done", 2, 2)
    return run, campaigns


def _dead_worker_job(run, beaten_s_ago=600.0) -> PriorityRecomputeJob:
    """A recompute a worker started and then died on: running, one campaign done, heartbeat `beaten_s_ago`."""
    job = priorities_recompute_queue(run=run)  # not committed here: its task is never sent
    PriorityRecomputeJob.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now(), campaigns_done=1, campaigns_total=2,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=beaten_s_ago))
    return job


def test_a_stale_recompute_is_resent_and_completes_without_duplicate_rows(run_and_campaigns,
                                                                          django_capture_on_commit_callbacks):
    run, campaigns = run_and_campaigns
    scores_before = list(PriorityScore.objects.filter(source="active_learning")
                         .order_by("campaign_id", "study_id").values_list("campaign_id", "study_id", "score"))
    assert len(scores_before) == 6
    job = _dead_worker_job(run)
    requeue, swept_at = sweep_stalls_and_requeues(job, KIND, django_capture_on_commit_callbacks)

    assert len(requeue) == 1
    requeue[0]()  # the re-sent task, eager here, recomputes every campaign again
    job.refresh_from_db()
    assert (job.status, job.stalled, job.message, job.campaigns_done, job.campaigns_total) == ("done", False, "", 2, 2)
    assert job.heartbeat_at >= swept_at and job.finished_at is not None
    assert list(PriorityScore.objects.filter(source="active_learning")
                .order_by("campaign_id", "study_id").values_list("campaign_id", "study_id", "score")) == scores_before


def test_a_recompute_that_keeps_stalling_fails_with_the_reason(run_and_campaigns, django_capture_on_commit_callbacks):
    job = sweep_until_failed(_dead_worker_job(run_and_campaigns[0]), KIND, django_capture_on_commit_callbacks)
    assert job.finished_at is not None
    assert job.message.startswith("stopped after 3 attempts: no worker made progress for 600 s")


def test_a_fresh_or_finished_recompute_is_left_alone(run_and_campaigns):
    run = run_and_campaigns[0]
    fresh = _dead_worker_job(run, beaten_s_ago=10)
    PriorityRecomputeJob.objects.filter(status="done").update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert jobs_sweep(stall_s=300, max_attempts=3).requeued == []
    fresh.refresh_from_db()
    assert (fresh.status, fresh.attempts, fresh.stalled, fresh.campaigns_done) == ("running", 1, False, 1)
