"""Campaign queries: who sees which campaigns, their studies in worklist order, and their progress."""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from annotation.models import AdjudicationTask, Assignment, Campaign, CampaignStudy, Consensus
from core.roles import CURATOR, TRAINER, has_role


def campaign_list(*, user) -> QuerySet[Campaign]:
    """Curators and trainers see every campaign; radiologists the ones they read or adjudicate in."""
    campaigns = Campaign.objects.select_related("taxonomy").annotate(n_studies=Count("campaign_studies"))
    if has_role(user, CURATOR, TRAINER):
        return campaigns
    return campaigns.filter(Q(readers=user) | Q(adjudicators=user)).distinct()


def campaign_visible(*, user, campaign: Campaign) -> bool:
    return campaign_list(user=user).filter(pk=campaign.pk).exists()


def campaign_queue(*, campaign: Campaign) -> QuerySet[CampaignStudy]:
    """The campaign's studies in the order the worklist hands them out: highest priority first."""
    return campaign.campaign_studies.select_related("study").order_by("-priority", "id")


def campaign_progress(*, campaign: Campaign) -> dict:
    now = timezone.now()
    entries = campaign.campaign_studies.filter(is_gold=False)
    by_status = dict(entries.values_list("status").annotate(n=Count("id")).order_by())
    open_entries = entries.filter(status=CampaignStudy.Status.OPEN).aggregate(
        target=Sum("target_reads"), done=Sum("n_submitted")
    )
    assignments = campaign.assignments
    n_regular = entries.count()
    complete = by_status.get(CampaignStudy.Status.COMPLETE, 0)
    return {
        "campaign_id": campaign.pk,
        "status": campaign.status,
        "studies": n_regular,
        "gold_studies": campaign.campaign_studies.filter(is_gold=True).count(),
        "studies_by_status": {s: by_status.get(s, 0) for s in CampaignStudy.Status.values},
        "percent_complete": round(100 * complete / n_regular, 1) if n_regular else 0.0,
        "reads_submitted": assignments.filter(status=Assignment.Status.SUBMITTED).count(),
        "reads_outstanding": (open_entries["target"] or 0) - (open_entries["done"] or 0),
        "reservations_live": assignments.filter(status=Assignment.Status.RESERVED, expires_at__gt=now).count(),
        "adjudications_open": AdjudicationTask.objects.filter(
            campaign_study__campaign=campaign, status=AdjudicationTask.Status.OPEN
        ).count(),
        "studies_extended": entries.filter(target_reads__gt=campaign.min_reads).count(),
    }


def campaign_study_ids(*, campaign: Campaign) -> set[int]:
    """The archive ids of the campaign's studies (gold ones included)."""
    return set(campaign.campaign_studies.values_list("study_id", flat=True))


def campaign_study_page(*, campaign: Campaign, status: str | None = None, trait: str | None = None,
                        limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """One page of the campaign's studies (in the order they were added) and how many match: each with its status,
    reads, the traits consensus calls present (with how: majority, adjudicated, gold, ...) and the pending ones.
    `status` keeps one status; `trait` keeps the studies whose consensus calls that trait present.

    Queries the page's rows only, so the overview costs the same at 30 studies or 3,000."""
    entries = campaign.campaign_studies.order_by("id")
    if status:
        entries = entries.filter(status=status)
    if trait:
        entries = entries.filter(consensus__trait__code=trait, consensus__label="present")
    page = list(entries.values("id", "study_id", "status", "is_gold", "n_submitted")[offset:offset + limit])
    rows = {entry["id"]: {**entry, "positive": [], "pending": []} for entry in page}
    for entry_id, code, label, method in Consensus.objects.filter(campaign_study_id__in=list(rows)).order_by(
        "trait__display_order", "trait__code"
    ).values_list("campaign_study_id", "trait__code", "label", "method"):
        if label == "present":
            rows[entry_id]["positive"].append((code, method))
        if method == Consensus.Method.PENDING:
            rows[entry_id]["pending"].append(code)
    return list(rows.values()), entries.count()
