"""The sweep of stalled jobs (core.jobs) on mining runs: a stale run is marked stalled and re-queued, a run that
keeps stalling fails with the reason after the last attempt, and a run with a fresh heartbeat is left alone."""

import datetime as dt

import pytest
from django.utils import timezone

from core.jobs import jobs_sweep
from reports_nlp.models import MiningRun, ReportVerdict
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.selectors.mining import mining_run_status
from reports_nlp.services.mining import mining_chunk_process, mining_run_create
from tests.jobs import sweep_until_failed


def _running(chunk_size=2, beaten_s_ago=600.0) -> MiningRun:
    """A run whose workers died after its first chunk: running, chunks pending, heartbeat `beaten_s_ago`."""
    run = mining_run_create(mapping_set=mapping_set_get(), chunk_size=chunk_size)
    mining_chunk_process(chunk_id=run.chunks.order_by("first_report_id").first().pk)
    MiningRun.objects.filter(pk=run.pk).update(
        status=MiningRun.Status.RUNNING, started_at=timezone.now(),
        heartbeat_at=timezone.now() - dt.timedelta(seconds=beaten_s_ago))
    return run


@pytest.mark.django_db
def test_a_stale_run_is_marked_stalled_and_its_pending_chunks_requeued(imported_reports,
                                                                        django_capture_on_commit_callbacks):
    run = _running()
    with django_capture_on_commit_callbacks() as requeue:
        result = jobs_sweep(stall_s=300, max_attempts=3)
    assert result.requeued == [("mining run", run.pk)] and result.failed == []
    run.refresh_from_db()
    assert (run.status, run.attempts, run.stalled) == ("running", 2, True)
    status = mining_run_status(run=run)
    assert status["stalled"] and status["message"].startswith("stalled, retrying")
    assert "attempt 2 of 3" in status["message"]
    assert jobs_sweep(stall_s=300, max_attempts=3).requeued == []  # the stall restarted its clock

    for callback in requeue:  # the re-queued chunks (eager here) finish the run
        callback()
    run.refresh_from_db()
    assert (run.status, run.done_reports, run.total_reports, run.stalled) == ("done", 5, 5, False)
    assert ReportVerdict.objects.filter(run=run).values("report_id", "trait_code").distinct().count() == \
        ReportVerdict.objects.filter(run=run).count()


@pytest.mark.django_db
def test_a_run_that_keeps_stalling_fails_with_the_reason_after_the_last_attempt(imported_reports,
                                                                                 django_capture_on_commit_callbacks):
    run = sweep_until_failed(_running(), "mining run", django_capture_on_commit_callbacks)
    assert run.error.startswith("stopped after 3 attempts: no worker made progress for 600 s")


@pytest.mark.django_db
def test_a_run_with_a_fresh_heartbeat_or_not_running_is_left_alone(imported_reports):
    fresh = _running(beaten_s_ago=10)
    pending = mining_run_create(mapping_set=mapping_set_get(), chunk_size=2)  # never dispatched
    MiningRun.objects.filter(pk=pending.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert jobs_sweep(stall_s=300, max_attempts=3).requeued == []
    fresh.refresh_from_db()
    assert (fresh.status, fresh.attempts, fresh.stalled, fresh.done_reports) == ("running", 1, False, 2)
