"""Second-opinion mode: a reader sees the model's predictions for a study only when the campaign allows it,
and only after their own read of that study is submitted (so the model never anchors the read)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from annotation.models import Assignment
from datasets.models import StudyPrediction
from datasets.selectors.model_runs import model_run_latest
from datasets.selectors.saliency import study_saliency


def reader_assignment(*, assignment_id: int, reader) -> Assignment:
    """The reader's own assignment; another reader's is a 404 like a missing one, so its existence is not revealed."""
    return get_object_or_404(Assignment.objects.select_related("campaign", "campaign_study"), pk=assignment_id,
                             reader=reader)


def second_opinion_check(*, assignment: Assignment, user) -> None:
    """PermissionDenied, saying why, unless this reader may see the model's view of this study now."""
    if assignment.reader_id != user.pk:
        raise PermissionDenied("This assignment belongs to another reader.")
    if not assignment.campaign.show_predictions:
        raise PermissionDenied("This campaign is blinded to model predictions.")
    if assignment.status != Assignment.Status.SUBMITTED:
        raise PermissionDenied("Predictions appear only after your own read of this study is submitted.")


def second_opinion(*, assignment: Assignment, user) -> dict:
    second_opinion_check(assignment=assignment, user=user)
    run = model_run_latest()
    prediction = (
        StudyPrediction.objects.filter(run=run, study_id=assignment.campaign_study.study_id).first() if run else None
    )
    if prediction is None:
        return {"run": None, "traits": [], "saliency": []}
    return {
        "run": run.pk,
        "reported": prediction.reported,
        # where the ensemble looked, per trait: shown as an overlay, like the probabilities only after the read
        "saliency": study_saliency(run=run, study_id=assignment.campaign_study.study_id),
        "traits": [
            {"trait": code, "probability": p, "spread": prediction.spread.get(code)}
            for code, p in sorted(prediction.probability.items(), key=lambda kv: -kv[1])
        ],
    }


def second_opinions_ready(*, user, limit: int = 20) -> list[Assignment]:
    """The reader's submitted reads whose campaign shows predictions: where a second opinion may be opened."""
    return list(
        Assignment.objects.filter(reader=user, status=Assignment.Status.SUBMITTED, campaign__show_predictions=True)
        .select_related("campaign", "campaign_study").order_by("-submitted_at")[:limit]
    )
