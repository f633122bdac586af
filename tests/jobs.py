"""What every long job's sweep test checks: one sweep finds the job stalled and re-sends its work once; a job that
never makes progress is re-sent until its last attempt, then failed."""

import datetime as dt

from django.utils import timezone

from core.jobs import jobs_sweep, stale_jobs


def sweep_stalls_and_requeues(job, kind: str, capture) -> list:
    """Sweep with a 300 s stall limit (`job` was last beaten longer ago) and check that `job` is marked stalled on
    its second attempt and re-sent; a second sweep leaves it alone. Returns the re-send callbacks (run them to
    finish the job eagerly) and the sweep's time."""
    with capture() as requeue:
        result = jobs_sweep(stall_s=300, max_attempts=3)
    swept_at = timezone.now()
    assert result.requeued == [(kind, job.pk)] and result.failed == []
    job.refresh_from_db()
    assert (job.status, job.attempts, job.stalled) == ("running", 2, True)
    assert job.message.startswith("stalled, retrying") and "attempt 2 of 3" in job.message
    assert jobs_sweep(stall_s=300, max_attempts=3).requeued == []  # the stall restarted its clock
    return list(requeue), swept_at


def sweep_until_failed(job, kind: str, capture):
    """Sweep a stale `job` whose re-sent work no worker ever picks up (its heartbeat aged 600 s after each sweep):
    re-sent on attempts 2 and 3, then failed with nothing re-sent, and no longer swept. Returns the failed job,
    refreshed, for its own reason field to be checked."""
    model = type(job)
    for attempt in (2, 3):
        with capture():
            assert jobs_sweep(stall_s=300, max_attempts=3).requeued == [(kind, job.pk)]
        model.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=600))
        assert model.objects.get(pk=job.pk).attempts == attempt
    with capture() as requeue:
        result = jobs_sweep(stall_s=300, max_attempts=3)
    assert result.failed == [(kind, job.pk)] and result.requeued == [] and not requeue
    job.refresh_from_db()
    assert job.status == "failed"
    assert not stale_jobs(model, stall_s=300).exists()
    return job
