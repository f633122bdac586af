"""Worklist queries: a reader's assignments and summary, and what a reader may see of an assignment (blinding)."""

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from annotation.models import Assignment, Campaign, CampaignStudy
from annotation.pseudonyms import blind_letter
from annotation.selectors.reads import read_draft, read_labels, read_states, reads_current
from reports_nlp.selectors.verdicts import study_mined_verdicts


def live_assignments(now) -> Q:
    """Assignments that hold a read slot: submitted, or reserved and not yet expired (`OPEN_TO_READER_SQL` holds the
    same rule in SQL; tests/annotation/test_worklist.py checks that the two agree)."""
    return Q(status=Assignment.Status.SUBMITTED) | Q(status=Assignment.Status.RESERVED, expires_at__gt=now)


_S = Assignment.Status
# "Open to this reader", in SQL: an open study of the campaign (gold or not, as asked) that the reader has not read,
# released or reserved (an expired reservation does not count), with fewer live assignments (submitted, or reserved
# and unexpired) than its target; gold studies have no read limit, every reader reads them. The worklist runs it
# on every next-study, twice (the candidate, then the reservation's recheck under the row lock), and the reader
# summary counts with it. Written out rather than built with the ORM: compiling the ORM form (two correlated
# subqueries) took several times longer than PostgreSQL took to run it (docs/performance.md).
OPEN_TO_READER_SQL = f"""
    cs.campaign_id = %(campaign)s AND cs.status = '{CampaignStudy.Status.OPEN}' AND cs.is_gold = %(gold)s
    AND NOT EXISTS (
        SELECT 1 FROM annotation_assignment a
        WHERE a.campaign_study_id = cs.id AND a.reader_id = %(reader)s
          AND (a.status IN ('{_S.SUBMITTED}', '{_S.RELEASED}') OR (a.status = '{_S.RESERVED}' AND a.expires_at > %(now)s)))
    AND (cs.is_gold OR (
        SELECT count(*) FROM annotation_assignment a
        WHERE a.campaign_study_id = cs.id
          AND (a.status = '{_S.SUBMITTED}' OR (a.status = '{_S.RESERVED}' AND a.expires_at > %(now)s))
    ) < cs.target_reads)"""

_COLUMNS = ", ".join(f"cs.{f.column}" for f in CampaignStudy._meta.concrete_fields)


def open_to_reader_params(*, campaign: Campaign, reader, now, gold: bool) -> dict:
    return {"campaign": campaign.pk, "reader": reader.pk, "gold": gold,
            "now": connection.ops.adapt_datetimefield_value(now)}


def next_candidate(
    *, campaign: Campaign, reader, now, gold: bool = False, exclude=(), lock: str | None = None
) -> CampaignStudy | None:
    """The best study open to the reader (not in `exclude`): highest priority first, or campaign order (sequential
    policy, gold studies). `lock`: None, "skip" (FOR UPDATE SKIP LOCKED: readers asking at once take different
    rows) or "wait" (FOR UPDATE). Without a lock this is a snapshot; the worklist locks the row and rechecks."""
    params = open_to_reader_params(campaign=campaign, reader=reader, now=now, gold=gold)
    excluded = ""
    if exclude:
        params |= {f"x{i}": pk for i, pk in enumerate(exclude)}
        excluded = f" AND cs.id NOT IN ({', '.join(f'%(x{i})s' for i in range(len(exclude)))})"
    sequential = gold or campaign.priority_policy == Campaign.PriorityPolicy.SEQUENTIAL
    order = "cs.id" if sequential else "cs.priority DESC, cs.id"
    locking = ""
    if lock is not None and connection.features.has_select_for_update:  # SQLite (quickstart) has no row locks
        locking = " FOR UPDATE OF cs" + (" SKIP LOCKED" if lock == "skip" else "")
    sql = (f"SELECT {_COLUMNS} FROM annotation_campaignstudy cs WHERE {OPEN_TO_READER_SQL}{excluded} "
           f"ORDER BY {order} LIMIT 1{locking}")
    return next(iter(CampaignStudy.objects.raw(sql, params)), None)


def studies_open_count(*, campaign: Campaign, reader, now) -> int:
    """How many regular studies are open to the reader now (the reader summary)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM annotation_campaignstudy cs WHERE {OPEN_TO_READER_SQL}",
                       open_to_reader_params(campaign=campaign, reader=reader, now=now, gold=False))
        return cursor.fetchone()[0]


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
        available = studies_open_count(campaign=campaign, reader=reader, now=now)
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
            "show_mined_verdicts": campaign.show_mined_verdicts,
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
        # Never the report text: the verdicts only, and only where the campaign allows it.
        "mined_verdicts": study_mined_verdicts(study_id=study.pk) if campaign.show_mined_verdicts else None,
    }
