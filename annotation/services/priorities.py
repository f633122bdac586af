"""Worklist priorities: scores per study from several sources (report mining, active learning), blended per campaign.

Lower layers hand their scores to `priority_set`; the campaign's weights blend them into each
study's priority, and the reason text says which sources put the study where it is.
"""

import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from annotation.models import Campaign, CampaignStudy, PriorityScore

DEFAULT_WEIGHT = 1.0  # a source the campaign's weights do not name


@dataclass
class PrioritySetResult:
    updated: int = 0
    skipped: dict = field(default_factory=dict)  # study id -> why it was not stored


def _clean_score(study_id, value) -> tuple[float, str]:
    score, reason = (value, "") if isinstance(value, int | float) else tuple(value)
    score = float(score)
    if not math.isfinite(score):
        raise ValueError(f"score {score} is not finite")
    return score, str(reason)[:2000]


@transaction.atomic
def priority_set(*, campaign: Campaign, scores: dict, source: str) -> PrioritySetResult:
    """Store `scores` ({study_id: (score, reason)} or {study_id: score}) from `source` and re-blend.

    Studies not in the campaign and malformed scores are skipped and reported; the rest are kept.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", source or ""):
        raise ValidationError({"source": f"Source '{source}' must be a lowercase slug (letters, digits, - or _)."})
    result = PrioritySetResult()
    in_campaign = set(campaign.campaign_studies.filter(study_id__in=list(scores)).values_list("study_id", flat=True))
    rows = []
    for study_id, value in scores.items():
        if study_id not in in_campaign:
            result.skipped[study_id] = "study is not in the campaign"
            continue
        try:
            score, reason = _clean_score(study_id, value)
        except (TypeError, ValueError) as exc:
            result.skipped[study_id] = f"bad score: {exc}"
            continue
        rows.append(PriorityScore(campaign=campaign, study_id=study_id, source=source, score=score, reason=reason))
    PriorityScore.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["campaign", "study", "source"],
        update_fields=["score", "reason", "updated_at"],
    )
    result.updated = len(rows)
    campaign_priorities_refresh(campaign=campaign, study_ids=[r.study_id for r in rows])
    return result


def blend(scores: list[PriorityScore], weights: dict) -> tuple[float, str]:
    """Weighted sum of a study's source scores, and a reason listing the contributions, largest first."""
    parts = sorted(
        ((weights.get(s.source, DEFAULT_WEIGHT) * s.score, s) for s in scores), key=lambda p: -p[0]
    )
    total = sum(p for p, _ in parts)
    reason = "; ".join(
        f"{s.source} {s.score:.3g} x{weights.get(s.source, DEFAULT_WEIGHT):g}" + (f": {s.reason}" if s.reason else "")
        for _, s in parts
    )
    return total, reason


@transaction.atomic
def campaign_priorities_refresh(*, campaign: Campaign, study_ids=None) -> int:
    """Recompute the blended priority of the campaign's studies (all, or `study_ids`)."""
    entries = campaign.campaign_studies.all()
    if study_ids is not None:
        entries = entries.filter(study_id__in=list(study_ids))
    by_study: dict[int, list] = {}
    for score in campaign.priority_scores.filter(study_id__in=entries.values("study_id")):
        by_study.setdefault(score.study_id, []).append(score)
    sequential = campaign.priority_policy == Campaign.PriorityPolicy.SEQUENTIAL
    changed = []
    for entry in entries.only("id", "study_id", "priority", "priority_reason"):
        if sequential:
            priority, reason = 0.0, "sequential policy: in the order studies were added"
        else:
            priority, reason = blend(by_study.get(entry.study_id, []), campaign.priority_weights or {})
            reason = reason or "no priority scores yet"
        if (priority, reason) != (entry.priority, entry.priority_reason):
            entry.priority, entry.priority_reason = priority, reason
            changed.append(entry)
    CampaignStudy.objects.bulk_update(changed, ["priority", "priority_reason"], batch_size=500)
    return len(changed)
