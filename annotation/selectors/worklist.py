"""Worklist queries: a reader's assignments and summary, and what a reader may see of an assignment (blinding)."""

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotation.models import Assignment, Campaign, CampaignStudy
from annotation.pseudonyms import blind_letter
from annotation.selectors.reads import read_draft, read_labels, read_states, reads_current


def live_assignments(now) -> Q:
    """Assignments that hold a read slot: submitted, or reserved and not yet expired."""
    return Q(status=Assignment.Status.SUBMITTED) | Q(status=Assignment.Status.RESERVED, expires_at__gt=now)


def blocking_for_reader(reader, now) -> Q:
    """A reader's assignment that keeps the study from being offered to them again (expired ones do not)."""
    return Q(reader=reader) & (
        Q(status__in=[Assignment.Status.SUBMITTED, Assignment.Status.RELEASED])
        | Q(status=Assignment.Status.RESERVED, expires_at__gt=now)
    )


def studies_open_to_reader(*, campaign: Campaign, reader, now, gold: bool = False) -> QuerySet[CampaignStudy]:
    """Open studies this reader has not read, released or reserved, with a read slot left, best first.

    Without a lock this is a snapshot; the worklist locks the rows and rechecks (services/worklist.py).
    """
    live = Assignment.objects.filter(live_assignments(now), campaign_study=OuterRef("pk"))
    n_live = Subquery(
        live.order_by().values("campaign_study").annotate(n=Count("id")).values("n"), output_field=IntegerField()
    )
    mine = Assignment.objects.filter(blocking_for_reader(reader, now), campaign_study=OuterRef("pk"))
    rows = CampaignStudy.objects.filter(campaign=campaign, status=CampaignStudy.Status.OPEN, is_gold=gold).filter(
        ~Exists(mine)
    )
    if not gold:  # gold studies are read by every reader, so they have no read limit
        rows = rows.annotate(n_live=Coalesce(n_live, Value(0))).filter(n_live__lt=F("target_reads"))
    sequential = gold or campaign.priority_policy == Campaign.PriorityPolicy.SEQUENTIAL
    return rows.order_by(*(["id"] if sequential else ["-priority", "id"]))


def assignments_for_reader(*, reader, campaign: Campaign | None = None, status: str | None = None) -> QuerySet:
    rows = Assignment.objects.filter(reader=reader).select_related("campaign_study__study", "campaign")
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-reserved_at")


def assignments_for_campaign(*, campaign: Campaign) -> QuerySet:
    return campaign.assignments.select_related("campaign_study__study", "reader").order_by("-reserved_at")


def worklist_summary(*, reader) -> list[dict]:
    """Per campaign the reader is in: reads done, the live reservation, studies still open to this reader."""
    now = timezone.now()
    out = []
    for campaign in Campaign.objects.filter(readers=reader, status=Campaign.Status.ACTIVE).order_by("name"):
        mine = Assignment.objects.filter(campaign=campaign, reader=reader)
        current = mine.filter(status=Assignment.Status.RESERVED, expires_at__gt=now).first()
        available = studies_open_to_reader(campaign=campaign, reader=reader, now=now).count()
        out.append({
            "campaign_id": campaign.pk,
            "campaign": campaign.name,
            "submitted": mine.filter(status=Assignment.Status.SUBMITTED).count(),
            "current_assignment_id": current.pk if current else None,
            "current_expires_at": current.expires_at if current else None,
            "available": available,
        })
    return out


def _other_reads(assignment: Assignment) -> list[dict]:
    others = [r for r in reads_current(campaign_study=assignment.campaign_study) if r.assignment_id != assignment.pk]
    return [{"reader": blind_letter(i), "labels": read_states(r), "note": r.note} for i, r in enumerate(others)]


def assignment_context(*, assignment: Assignment) -> dict:
    """What the reading page shows: the study, the taxonomy, the restorable draft, and only what blinding allows."""
    campaign = assignment.campaign
    entry = assignment.campaign_study
    study = entry.study
    series = study.primary_series
    draft = read_draft(assignment=assignment)
    return {
        "assignment_id": assignment.pk,
        "campaign_id": campaign.pk,
        "status": assignment.status,
        "expires_at": assignment.expires_at,
        "study_id": study.pk,
        "study_uid": study.study_uid,
        "primary_series_uid": series.series_uid if series else None,
        "n_slices": series.n_instances if series else None,
        "taxonomy_id": campaign.taxonomy_id,
        "slice_ranges": campaign.slice_ranges,
        "blinding": {
            "show_other_reads": campaign.show_other_reads,
            "show_report": campaign.show_report,
            "show_predictions": campaign.show_predictions,
        },
        "draft": None if draft is None else {
            "read_id": draft.pk,
            "labels": read_labels(draft, "note"),
            "note": draft.note,
            "time_spent_s": draft.time_spent_s,
            "updated_at": draft.updated_at,
        },
        "other_reads": _other_reads(assignment) if campaign.show_other_reads else None,
    }
