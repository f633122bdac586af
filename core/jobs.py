"""Long jobs that survive a dead worker: a heartbeat on the job row, and a sweep that re-queues stalled jobs.

Every chunk a worker finishes beats the job's heartbeat. Celery on Redis redelivers the task of a worker
that died only after the transport's visibility timeout (settings), and a task lost before it reached the
broker is never redelivered, so a periodic sweep (Celery beat) looks for active jobs whose heartbeat is
older than the stall limit: it marks each one stalled, counts an attempt and asks the job's app to send its
unfinished chunks again (chunks are idempotent: a done chunk is a no-op); after the last attempt it fails
the job with the reason. Core knows no domain: each app registers a `JobKind` (its model, how to re-queue,
how to fail) from its `AppConfig.ready`.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class HeartbeatJob(models.Model):
    """Mixin of a job model: when a worker last made progress, how many tries, and whether it is stalled.

    A concrete model has `status` and `created_at` fields and names its active statuses in `ACTIVE_STATUSES`.
    """

    ACTIVE_STATUSES: ClassVar[tuple[str, ...]] = ()

    heartbeat_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When a worker last made progress on this job.")
    attempts = models.PositiveSmallIntegerField(default=1, help_text="Tries so far, the first included.")
    stalled_at = models.DateTimeField(null=True, blank=True,
                                      help_text="Set when the sweep found no progress and re-queued the job; "
                                                "cleared by the next heartbeat.")

    class Meta:
        abstract = True

    @property
    def stalled(self) -> bool:
        return self.stalled_at is not None


def job_heartbeat(model: type[HeartbeatJob], pk: int) -> None:
    """A worker made progress: the job is alive (and no longer stalled)."""
    model.objects.filter(pk=pk).update(heartbeat_at=timezone.now(), stalled_at=None)


def job_started(model: type[HeartbeatJob], pk: int) -> None:
    """The job's work was sent (again) by a person: a fresh first try."""
    model.objects.filter(pk=pk).update(heartbeat_at=timezone.now(), stalled_at=None, attempts=1)


def stale_jobs(model: type[HeartbeatJob], *, stall_s: float, now: dt.datetime | None = None) -> QuerySet:
    """Active jobs with no progress for `stall_s` seconds (a job never beaten counts from its creation)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=stall_s)
    return model.objects.filter(status__in=model.ACTIVE_STATUSES).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))


@dataclass(frozen=True)
class JobKind:
    """What the sweep needs from an app: its job model and two services taking the (locked) job row.

    `requeue(job)` sends the job's unfinished chunks to the workers again and returns how many tasks it sent;
    `fail(job, reason)` gives the job up. Both are dotted paths, imported when a sweep needs them (an app's
    services may pull in heavy libraries that a web process starting up should not wait for).
    `message_field` is where a stall is shown to people ("" for none).
    """

    name: str
    model: type[HeartbeatJob]
    requeue: str
    fail: str
    message_field: str = "message"

    def requeue_job(self, job: HeartbeatJob) -> int:
        return import_string(self.requeue)(job)

    def fail_job(self, job: HeartbeatJob, reason: str) -> None:
        import_string(self.fail)(job, reason)


_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: JobKind) -> None:
    _KINDS[kind.name] = kind


def job_kinds() -> list[JobKind]:
    return list(_KINDS.values())


@dataclass
class SweepResult:
    requeued: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)


def _seconds(since: dt.datetime | None, now: dt.datetime) -> int:
    return int((now - since).total_seconds()) if since else 0


def _sweep_one(kind: JobKind, pk: int, *, stall_s: float, max_attempts: int, result: SweepResult) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Locked and checked again: a heartbeat or another sweep may have come in since the query.
        job = stale_jobs(kind.model, stall_s=stall_s, now=now).select_for_update(skip_locked=True).filter(
            pk=pk).first()
        if job is None:
            return
        idle = _seconds(job.heartbeat_at or job.created_at, now)
        if job.attempts >= max_attempts:
            reason = (f"stopped after {job.attempts} attempts: no worker made progress for {idle} s "
                      f"(stall limit {stall_s:.0f} s) after the last one; resume it to try again")
            kind.fail_job(job, reason)
            result.failed.append((kind.name, pk))
            logger.warning("%s %s failed: %s", kind.name, pk, reason)
            return
        attempt = job.attempts + 1
        fields = {"attempts": attempt, "stalled_at": now, "heartbeat_at": now}
        if kind.message_field:
            fields[kind.message_field] = (f"stalled, retrying: no progress for {idle} s; unfinished work "
                                          f"re-queued (attempt {attempt} of {max_attempts})")
        kind.model.objects.filter(pk=pk).update(**fields)
        for name, value in fields.items():
            setattr(job, name, value)
        # Sent once the stall is recorded, so a worker that picks the task up at once beats a committed row.
        transaction.on_commit(lambda: kind.requeue_job(job))
    result.requeued.append((kind.name, pk))
    logger.warning("%s %s stalled (no progress for %s s): re-queued, attempt %s of %s",
                   kind.name, pk, idle, attempt, max_attempts)


def jobs_sweep(*, stall_s: float | None = None, max_attempts: int | None = None,
               kinds: list[JobKind] | None = None) -> SweepResult:
    """Re-queue the unfinished work of every stalled job, or fail it after `max_attempts` tries."""
    stall_s = settings.RADCURATE_JOB_STALL_S if stall_s is None else stall_s
    max_attempts = settings.RADCURATE_JOB_MAX_ATTEMPTS if max_attempts is None else max_attempts
    result = SweepResult()
    for kind in job_kinds() if kinds is None else kinds:
        for pk in stale_jobs(kind.model, stall_s=stall_s).order_by("pk").values_list("pk", flat=True):
            _sweep_one(kind, pk, stall_s=stall_s, max_attempts=max_attempts, result=result)
    return result
