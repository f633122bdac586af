"""The worklist: hands a reader the next study, reserved with an expiry, correctly under concurrency.

Correctness on PostgreSQL rests on one rule: an assignment is only created or revived while its
campaign study's row is locked. `worklist_next` finds a candidate with FOR UPDATE SKIP LOCKED (readers
asking at once take different rows instead of queueing) and then recounts the study's live
assignments under the lock, in a new statement that sees every commit made before the lock was
granted; the candidate query's own snapshot may be older than that, so its count is only a filter.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from annotation.models import Assignment, Campaign, CampaignStudy
from annotation.selectors.worklist import blocking_for_reader, live_assignments, studies_open_to_reader
from annotation.services.audit import AuditSource, audit_record

MAX_CANDIDATES = 8  # candidates tried per request before answering "nothing to read now"


def _check_reader(campaign: Campaign, reader) -> None:
    if campaign.status != Campaign.Status.ACTIVE:
        raise ValidationError(f"Campaign '{campaign.name}' is {campaign.status}, not active.")
    if not campaign.readers.filter(pk=reader.pk).exists():
        raise PermissionDenied(f"You are not in the reader pool of campaign '{campaign.name}'.")


def _serialize_reader(campaign: Campaign, reader) -> None:
    # One reader's simultaneous requests (two tabs, a double click) must end with one reservation.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [campaign.pk, reader.pk])


def _current_reservation(campaign, reader, now) -> Assignment | None:
    return (
        Assignment.objects.select_related("campaign_study__study")
        .filter(campaign=campaign, reader=reader, status=Assignment.Status.RESERVED, expires_at__gt=now)
        .order_by("reserved_at")
        .first()
    )


def _candidates(campaign: Campaign, reader, now, *, gold: bool, lock: str | None = "skip"):
    """Open studies this reader may take, best first; `lock`: "skip" (SKIP LOCKED), "wait", or None (no lock)."""
    rows = studies_open_to_reader(campaign=campaign, reader=reader, now=now, gold=gold)
    return rows if lock is None else rows.select_for_update(skip_locked=lock == "skip", of=("self",))


def _has_room(entry: CampaignStudy, reader, now) -> bool:
    """One query: is the reader free to take this study, and is a read slot left?"""
    counts = entry.assignments.aggregate(
        mine=Count("id", filter=blocking_for_reader(reader, now)),
        live=Count("id", filter=live_assignments(now)),
        lapsed=Max("id", filter=Q(reader=reader)),  # this reader's expired row, revived by _reserve
    )
    entry.lapsed_assignment_id = counts["lapsed"]
    return not counts["mine"] and (entry.is_gold or counts["live"] < entry.target_reads)


def _gold_due(campaign: Campaign, reader) -> bool:
    if not campaign.gold_every:
        return False
    taken = Assignment.objects.filter(
        campaign=campaign, reader=reader, status__in=[Assignment.Status.SUBMITTED, Assignment.Status.RESERVED]
    ).count()
    return (taken + 1) % campaign.gold_every == 0


def _pick(campaign, reader, now, *, gold: bool) -> CampaignStudy | None:
    tried: list[int] = []
    for _ in range(MAX_CANDIDATES):
        entry = _candidates(campaign, reader, now, gold=gold).exclude(pk__in=tried).first()
        if entry is None and not tried:
            # Every candidate is locked for the moment (a submit finishing, another reader choosing): wait for
            # one instead of answering "nothing left". Only while holding no study lock, so no wait cycle forms.
            entry = _candidates(campaign, reader, now, gold=gold, lock="wait").first()
            if entry is None:
                if _candidates(campaign, reader, now, gold=gold, lock=None).exists():
                    continue  # the row we waited for changed under us; others remain
                return None
        if entry is None:
            return None
        if _has_room(entry, reader, now):  # recount under the lock (see the module docstring)
            return entry
        tried.append(entry.pk)
    return None


def _reason(campaign: Campaign, entry: CampaignStudy, *, gold: bool) -> str:
    if gold:
        return f"gold-standard study (every {campaign.gold_every}th study checks reader quality)"
    if campaign.priority_policy == Campaign.PriorityPolicy.SEQUENTIAL:
        return "next in campaign order (sequential policy)"
    return f"highest priority {entry.priority:.3g} among studies needing reads: {entry.priority_reason}"


def _reserve(campaign, entry, reader, now, *, gold: bool) -> Assignment:
    expires = now + timedelta(minutes=campaign.reservation_minutes)
    fields = {
        "campaign": campaign, "status": Assignment.Status.RESERVED, "reserved_at": now, "expires_at": expires,
        "priority": entry.priority, "reason": _reason(campaign, entry, gold=gold), "submitted_at": None,
    }
    # An expired reservation of this reader is revived rather than duplicated (one row per reader and study).
    if entry.lapsed_assignment_id is not None:
        Assignment.objects.filter(pk=entry.lapsed_assignment_id).update(**fields)
        assignment = Assignment(pk=entry.lapsed_assignment_id, campaign_study=entry, reader=reader, **fields)
    else:
        assignment = Assignment.objects.create(campaign_study=entry, reader=reader, **fields)
    assignment.campaign_study = entry
    return assignment


@transaction.atomic
def worklist_next(*, reader, campaign: Campaign, source: AuditSource | None = None) -> Assignment | None:
    """The reader's live reservation if any, else a newly reserved study; None when nothing needs this reader."""
    _check_reader(campaign, reader)
    _serialize_reader(campaign, reader)
    now = timezone.now()
    current = _current_reservation(campaign, reader, now)
    if current is not None:
        return current
    gold = _gold_due(campaign, reader) and (entry := _pick(campaign, reader, now, gold=True)) is not None
    if not gold:
        entry = _pick(campaign, reader, now, gold=False)
        if entry is None:  # nothing regular left: gold studies still measure the reader
            gold = (entry := _pick(campaign, reader, now, gold=True)) is not None
    if entry is None:
        return None
    assignment = _reserve(campaign, entry, reader, now, gold=gold)
    audit_record(actor=reader, action="assignment-reserved", obj=assignment, campaign_id=campaign.pk,
                 data={"study_id": entry.study_id, "reason": assignment.reason}, source=source)
    return assignment


@transaction.atomic
def assignment_release(*, assignment: Assignment, reader, source: AuditSource | None = None) -> Assignment:
    """The reader hands a reserved study back (it is not offered to them again)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.reader_id != reader.pk:
        raise PermissionDenied("This is not your assignment.")
    if assignment.status != Assignment.Status.RESERVED:
        raise ValidationError(f"Assignment {assignment.pk} is {assignment.status}; only a reservation can be released.")
    assignment.status = Assignment.Status.RELEASED
    assignment.save(update_fields=["status"])
    audit_record(actor=reader, action="assignment-released", obj=assignment, campaign_id=assignment.campaign_id,
                 source=source)
    return assignment


@transaction.atomic
def reservations_expire(*, now=None) -> int:
    """Mark lapsed reservations expired; returns how many. Run every minute by Celery beat (settings).

    The study's read slot is free once `expires_at` passes, sweep or not: the worklist counts only unexpired
    reservations. The sweep makes the records say so (worklist summaries, the curator's assignment list). A
    reservation being submitted at this moment is locked by the submit and skipped; the next sweep sees it
    submitted.
    """
    now = now or timezone.now()
    lapsed = Assignment.objects.filter(status=Assignment.Status.RESERVED, expires_at__lte=now)
    ids = list(lapsed.select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True))
    Assignment.objects.filter(pk__in=ids).update(status=Assignment.Status.EXPIRED)
    if ids:
        audit_record(actor=None, action="reservations-expired", data={"assignments": ids})
    return len(ids)
