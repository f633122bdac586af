"""Turn a model run's predictions into each campaign's reading priorities, through annotation's service."""

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction

from annotation.models import Campaign
from annotation.services.priorities import priority_set
from datasets.active_learning.priorities import blend, validate_weights
from datasets.models import ActiveLearningPolicy, ModelRun
from datasets.selectors.model_runs import model_run_latest, report_verdicts, run_predictions

SOURCE = "active_learning"


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


def priorities_recompute_queue(*, run: ModelRun | None = None) -> str:
    """Queue `priorities_recompute` for `run` (None: the latest) once the caller's transaction commits, so the
    worker sees what it wrote; returns the task's id, known before the task is sent."""
    from celery.utils import uuid

    from datasets.tasks import priorities_recompute_task  # tasks call services; imported here to keep that direction

    task_id, run_id = uuid(), run.pk if run is not None else None
    transaction.on_commit(lambda: priorities_recompute_task.apply_async(args=[run_id], task_id=task_id))
    return task_id


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
    study_ids = list(policy.campaign.campaign_studies.values_list("study_id", flat=True))
    pred = run_predictions(run=run, study_ids=study_ids)
    if not pred.study_ids:
        return {}
    if policy.weights.get("report_disagreement"):
        pred = replace(pred, report_verdict=report_verdicts(study_ids=pred.study_ids, traits=pred.traits))
    return {p.study_id: (p.score, f"run {run.pk}: {p.reason}") for p in blend(pred, policy.weights, seed=policy.seed)}


def priorities_recompute(*, run: ModelRun | None = None) -> dict[int, int]:
    """Recompute every campaign whose policy follows `run` (or the latest run); returns {campaign id: studies}."""
    latest = model_run_latest()
    updated = {}
    for policy in ActiveLearningPolicy.objects.select_related("campaign", "run"):
        follows_run = run is None or policy.run_id == run.pk or (policy.run_id is None and run == latest)
        if not follows_run:
            continue
        scores = campaign_priorities_compute(policy=policy)
        if scores:
            updated[policy.campaign_id] = priority_set(campaign=policy.campaign, scores=scores, source=SOURCE).updated
    return updated
