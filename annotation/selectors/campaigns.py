"""Campaign queries: who sees which campaigns, their studies in worklist order, and their progress."""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from annotation.models import AdjudicationTask, Assignment, Campaign, CampaignStudy
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
