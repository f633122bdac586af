"""What every long job's sweep test checks first: one sweep finds the job stalled and re-sends its work once."""

from django.utils import timezone

from core.jobs import jobs_sweep


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
