"""Turn a model run's predictions into each campaign's reading priorities, through annotation's service."""

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from annotation.models import Campaign
from annotation.services.priorities import priority_set
from core.background import task_send
from datasets.active_learning.priorities import blend, validate_weights
from datasets.models import ActiveLearningPolicy, ModelRun, PriorityRecomputeJob
from datasets.selectors.model_runs import model_run_latest
from datasets.selectors.priorities import SOURCE, campaign_policy_weights, campaign_run_predictions

logger = logging.getLogger(__name__)


@transaction.atomic
def active_learning_policy_set(*, campaign: Campaign, weights: dict[str, float], run: ModelRun | None = None,
                               seed: int = 0) -> ActiveLearningPolicy:
    try:
        validate_weights(weights)
    except ValueError as exc:
        raise ValidationError({"weights": str(exc)}) from exc
    policy, _ = ActiveLearningPolicy.objects.update_or_create(
        campaign=campaign, defaults={"weights": weights, "run": run, "seed": seed})
    return policy


@transaction.atomic
def priorities_recompute_queue(*, run: ModelRun | None = None) -> PriorityRecomputeJob:
    """Queue a recompute of `run` (None: the latest) as a job once the caller's transaction commits, so the
    worker sees what it wrote; the job's `task_id` is known before the task is sent."""
    from celery.utils import uuid

    from datasets.tasks import priorities_recompute_task  # tasks call services; imported here to keep that direction

    job = PriorityRecomputeJob.objects.create(run=run, task_id=uuid())
    transaction.on_commit(lambda: task_send(priorities_recompute_task, args=[job.run_id], kwargs={"job_id": job.pk},
                                            task_id=job.task_id))
    return job


@transaction.atomic
def active_learning_policy_apply(*, campaign: Campaign, weights: dict[str, float], run: ModelRun | None = None,
                                 seed: int = 0) -> ActiveLearningPolicy:
    """Set the campaign's policy and recompute the priorities of the campaigns that follow its run."""
    policy = active_learning_policy_set(campaign=campaign, weights=weights, run=run, seed=seed)
    priorities_recompute_queue(run=policy.run)
    return policy


def campaign_priorities_compute(*, policy: ActiveLearningPolicy) -> dict:
    """Scores for the campaign's studies from its policy's run (or the latest one): {study_id: (score, reason)}."""
    run = policy.run or model_run_latest()
    if run is None:
        return {}
    pred = campaign_run_predictions(campaign=policy.campaign, run=run, weights=policy.weights)
    if not pred.study_ids:
        return {}
    return {p.study_id: (p.score, f"run {run.pk}: {p.reason}") for p in blend(pred, policy.weights, seed=policy.seed)}


@transaction.atomic
def campaign_priorities_push(*, campaign: Campaign, run: ModelRun) -> int:
    """Store `run`'s priorities in the campaign's worklist now and make the campaign follow that run.

    One campaign is quick to score, so this runs in the request; the campaign's own strategy weights are kept
    (the defaults when it has none). Returns how many studies got a score.
    """
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(f"Campaign '{campaign.name}' is closed: its worklist no longer changes.")
    weights, seed = campaign_policy_weights(campaign=campaign)
    policy = active_learning_policy_set(campaign=campaign, weights=weights, run=run, seed=seed)
    scores = campaign_priorities_compute(policy=policy)
    if not scores:
        raise ValidationError(f"Run {run.pk} has no predictions for the studies of campaign '{campaign.name}'.")
    return priority_set(campaign=campaign, scores=scores, source=SOURCE).updated


def _policies_following(run: ModelRun | None) -> list[ActiveLearningPolicy]:
    latest = model_run_latest()
    return [policy for policy in ActiveLearningPolicy.objects.select_related("campaign", "run").order_by("pk")
            if run is None or policy.run_id == run.pk or (policy.run_id is None and run == latest)]


def priorities_recompute(*, run: ModelRun | None = None,
                         progress: Callable[[int, int], None] | None = None) -> dict[int, int]:
    """Recompute every campaign whose policy follows `run` (or the latest run); returns {campaign id: studies}.

    `progress(done, total)` is called after each campaign; each campaign's priorities are an upsert, so a
    recompute run again (a re-sent job) adds no rows.
    """
    policies = _policies_following(run)
    updated = {}
    for done, policy in enumerate(policies, start=1):
        scores = campaign_priorities_compute(policy=policy)
        if scores:
            updated[policy.campaign_id] = priority_set(campaign=policy.campaign, scores=scores, source=SOURCE).updated
        if progress is not None:
            progress(done, len(policies))
    return updated


def _job_update(job: PriorityRecomputeJob, **fields) -> None:
    PriorityRecomputeJob.objects.filter(pk=job.pk).update(**fields)


def priorities_recompute_job_run(*, job_id: int) -> PriorityRecomputeJob:
    """Run a queued recompute, beating its heartbeat after each campaign; a failure is kept with its reason."""
    job = PriorityRecomputeJob.objects.select_related("run").get(pk=job_id)
    if job.status not in PriorityRecomputeJob.ACTIVE_STATUSES:
        return job  # already finished (a redelivered task)
    now = timezone.now()
    _job_update(job, status=PriorityRecomputeJob.Status.RUNNING, started_at=now, campaigns_done=0,
                heartbeat_at=now, stalled_at=None)

    def progress(done: int, total: int) -> None:
        _job_update(job, campaigns_done=done, campaigns_total=total, heartbeat_at=timezone.now(), stalled_at=None)

    try:
        updated = priorities_recompute(run=job.run, progress=progress)
    except Exception as exc:  # kept on the job for the people waiting on it, and logged; not re-raised (eager mode)
        logger.exception("Priority recompute %s failed", job.pk)
        _job_update(job, status=PriorityRecomputeJob.Status.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000],
                    finished_at=timezone.now())
    else:
        job.refresh_from_db(fields=["campaigns_total"])
        _job_update(job, status=PriorityRecomputeJob.Status.DONE, message="", finished_at=timezone.now(),
                    campaigns_done=job.campaigns_total)
        logger.info("Priority recompute %s: %s campaigns updated", job.pk, len(updated))
    job.refresh_from_db()
    return job


def priorities_recompute_job_requeue(job: PriorityRecomputeJob) -> int:
    """Send a stalled recompute's task again (every campaign is an upsert: a redo adds no rows); the sweep calls it."""
    from datasets.tasks import priorities_recompute_task

    priorities_recompute_task.apply_async(args=[job.run_id], kwargs={"job_id": job.pk})
    return 1


def priorities_recompute_job_stall_fail(job: PriorityRecomputeJob, reason: str) -> None:
    """Give a recompute up after its last stalled attempt (the sweep calls it); the reason is its message."""
    _job_update(job, status=PriorityRecomputeJob.Status.FAILED, message=reason[:2000], finished_at=timezone.now())
