"""Reads of active-learning priorities: what a model run would put at the head of a campaign's worklist, and why."""

from dataclasses import dataclass, replace

from annotation.models import Campaign, PriorityScore
from datasets.active_learning.priorities import blend, strategy_scores
from datasets.active_learning.strategies import Predictions
from datasets.models import ActiveLearningPolicy, ModelRun
from datasets.selectors.model_runs import model_run_latest, report_verdicts, run_predictions

SOURCE = "active_learning"  # the priority source these scores are stored under in the campaign
# A campaign without a policy of its own is ranked by these: the model's doubt and the findings that matter most.
DEFAULT_WEIGHTS = {"rare_significant": 1.0, "entropy": 1.0, "disagreement": 1.0, "threshold": 1.0}


@dataclass(frozen=True)
class PriorityRow:
    rank: int
    study_id: int
    score: float  # the blend, in [0, 1]: higher is read sooner
    strategies: list[tuple[str, float]]  # each strategy's rank-normalized score, in the table's column order
    reason: str
    worklist_priority: float  # the study's blended priority in the worklist now


@dataclass(frozen=True)
class PriorityPreview:
    campaign: Campaign
    run: ModelRun | None
    weights: dict[str, float]
    strategies: list[str]
    rows: list[PriorityRow]
    n_scored: int  # studies of the campaign the run predicted
    n_studies: int
    stored_at: object  # when this source's scores were last pushed into the worklist, or None


def campaign_policy(*, campaign: Campaign) -> ActiveLearningPolicy | None:
    return ActiveLearningPolicy.objects.select_related("run").filter(campaign=campaign).first()


def campaign_policy_weights(*, campaign: Campaign) -> tuple[dict[str, float], int]:
    """The campaign's strategy weights and seed, or the defaults when it has no policy yet."""
    policy = campaign_policy(campaign=campaign)
    return (dict(policy.weights), policy.seed) if policy else (dict(DEFAULT_WEIGHTS), 0)


def campaign_run(*, campaign: Campaign, run: ModelRun | None = None) -> ModelRun | None:
    """The run a campaign's priorities come from: the one asked for, the policy's own, or the latest."""
    if run is not None:
        return run
    policy = campaign_policy(campaign=campaign)
    return (policy.run if policy else None) or model_run_latest()


def campaign_run_predictions(*, campaign: Campaign, run: ModelRun, weights: dict[str, float]) -> Predictions:
    """The run's predictions for the campaign's studies, with the mined report verdicts when a strategy needs them."""
    study_ids = list(campaign.campaign_studies.values_list("study_id", flat=True))
    pred = run_predictions(run=run, study_ids=study_ids)
    if pred.study_ids and weights.get("report_disagreement"):
        pred = replace(pred, report_verdict=report_verdicts(study_ids=pred.study_ids, traits=pred.traits))
    return pred


def campaign_priorities_preview(*, campaign: Campaign, run: ModelRun | None = None,
                                limit: int = 100) -> PriorityPreview:
    """The campaign's studies ranked by the run's active-learning priority, each strategy's score beside the blend."""
    run = campaign_run(campaign=campaign, run=run)
    weights, seed = campaign_policy_weights(campaign=campaign)
    n_studies = campaign.campaign_studies.count()
    stored = PriorityScore.objects.filter(campaign=campaign, source=SOURCE).order_by("-updated_at").first()
    empty = PriorityPreview(campaign, run, weights, [], [], 0, n_studies, stored.updated_at if stored else None)
    if run is None:
        return empty
    pred = campaign_run_predictions(campaign=campaign, run=run, weights=weights)
    if not pred.study_ids:
        return empty
    columns = strategy_scores(pred, weights, seed=seed)
    row_of = {sid: i for i, sid in enumerate(pred.study_ids)}
    current = dict(campaign.campaign_studies.values_list("study_id", "priority"))
    ranked = sorted(blend(pred, weights, seed=seed), key=lambda p: -p.score)[:limit]
    rows = [PriorityRow(rank=k, study_id=p.study_id, score=p.score, reason=p.reason,
                        strategies=[(name, float(values[row_of[p.study_id]])) for name, values in columns.items()],
                        worklist_priority=current.get(p.study_id, 0.0))
            for k, p in enumerate(ranked, start=1)]
    return replace(empty, strategies=list(columns), rows=rows, n_scored=len(pred.study_ids))
