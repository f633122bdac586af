"""The worklist: hands a reader the next study, reserved with an expiry, correctly under concurrency.

Correctness on PostgreSQL rests on one rule: an assignment is only created or revived while its
campaign study's row is locked. `worklist_next` finds a candidate with FOR UPDATE SKIP LOCKED (readers
asking at once take different rows instead of queueing) and then reserves it with a statement that checks
again, under the lock, that the study is open to the reader (its live assignments below the target): a new
statement sees every commit made before the lock was granted; the candidate query's own snapshot may be
older than that, so its count is only a filter.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from annotation.models import Assignment, Campaign, CampaignStudy
from annotation.selectors.worklist import OPEN_TO_READER_SQL, next_candidate, open_to_reader_params
from annotation.services.audit import AuditSource, audit_record

MAX_CANDIDATES = 8  # candidates tried per request before answering "nothing to read now"

_S = Assignment.Status


def _enter(campaign: Campaign, reader) -> None:
    """May this reader take studies of this campaign; on PostgreSQL, also the per-reader lock, in the same statement.

    The lock: one reader's simultaneous requests (two tabs, a double click) must end with one reservation. Taking
    it before the pool check costs nothing (a refusal rolls back, which releases it) and saves a round trip.
    """
    if campaign.status != Campaign.Status.ACTIVE:
        raise ValidationError(f"Campaign '{campaign.name}' is {campaign.status}, not active.")
    pool = Campaign.readers.through._meta.db_table
    lock = "pg_advisory_xact_lock(%s, %s), " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {lock}EXISTS (SELECT 1 FROM {pool} WHERE campaign_id = %s AND user_id = %s)",
                       [campaign.pk, reader.pk] * (2 if lock else 1))
        if not cursor.fetchone()[-1]:
            raise PermissionDenied(f"You are not in the reader pool of campaign '{campaign.name}'.")


def _reader_state(campaign: Campaign, reader, now) -> tuple[int | None, int]:
    """After the per-reader lock, in one statement: the reader's live reservation (its id, or None) and how many
    studies they have taken (submitted or reserved; it decides when a gold study is due)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min(id) FILTER (WHERE status = '{_S.RESERVED}' AND expires_at > %s), "
            f"count(*) FILTER (WHERE status IN ('{_S.SUBMITTED}', '{_S.RESERVED}')) "
            "FROM annotation_assignment WHERE campaign_id = %s AND reader_id = %s",
            [connection.ops.adapt_datetimefield_value(now), campaign.pk, reader.pk],
        )
        current, taken = cursor.fetchone()
    return current, taken


def _gold_due(campaign: Campaign, taken: int) -> bool:
    return bool(campaign.gold_every) and (taken + 1) % campaign.gold_every == 0


def _reason(campaign: Campaign, entry: CampaignStudy, *, gold: bool) -> str:
    if gold:
        return f"gold-standard study (every {campaign.gold_every}th study checks reader quality)"
    if campaign.priority_policy == Campaign.PriorityPolicy.SEQUENTIAL:
        return "next in campaign order (sequential policy)"
    return f"highest priority {entry.priority:.3g} among studies needing reads: {entry.priority_reason}"


# The reservation, only if the study is still open to the reader: the rule is checked again in this new statement,
# which sees every commit made before the row lock was granted (see the module docstring). This reader's expired
# reservation of the study is revived rather than duplicated (one row per reader and study); a live, submitted or
# released one makes the rule false, so the conflict is only ever with a lapsed row.
_RESERVE_SQL = f"""
    INSERT INTO annotation_assignment
        (campaign_id, campaign_study_id, reader_id, status, reserved_at, expires_at, submitted_at, priority, reason)
    SELECT cs.campaign_id, cs.id, %(reader)s, '{_S.RESERVED}', %(now)s, %(expires)s, NULL, cs.priority, %(reason)s
    FROM annotation_campaignstudy cs
    WHERE cs.id = %(entry)s AND {OPEN_TO_READER_SQL}
    ON CONFLICT (campaign_study_id, reader_id) DO UPDATE SET
        status = excluded.status, reserved_at = excluded.reserved_at, expires_at = excluded.expires_at,
        submitted_at = NULL, priority = excluded.priority, reason = excluded.reason
    RETURNING id"""


def _reserve(campaign: Campaign, entry: CampaignStudy, reader, now, *, gold: bool) -> Assignment | None:
    """Reserve the locked study for the reader, or None when it has no room for them after all."""
    expires = now + timedelta(minutes=campaign.reservation_minutes)
    reason = _reason(campaign, entry, gold=gold)
    params = open_to_reader_params(campaign=campaign, reader=reader, now=now, gold=gold)
    params |= {"entry": entry.pk, "expires": connection.ops.adapt_datetimefield_value(expires), "reason": reason}
    with connection.cursor() as cursor:
        cursor.execute(_RESERVE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return Assignment(pk=row[0], campaign=campaign, campaign_study=entry, reader=reader, status=_S.RESERVED,
                      reserved_at=now, expires_at=expires, submitted_at=None, priority=entry.priority, reason=reason)


def _pick_and_reserve(campaign, reader, now, *, gold: bool) -> Assignment | None:
    tried: list[int] = []
    for _ in range(MAX_CANDIDATES):
        entry = next_candidate(campaign=campaign, reader=reader, now=now, gold=gold, exclude=tried, lock="skip")
        if entry is None and not tried:
            # Every candidate is locked for the moment (a submit finishing, another reader choosing): wait for
            # one instead of answering "nothing left". Only while holding no study lock, so no wait cycle forms.
            entry = next_candidate(campaign=campaign, reader=reader, now=now, gold=gold, lock="wait")
            if entry is None:
                if next_candidate(campaign=campaign, reader=reader, now=now, gold=gold) is not None:
                    continue  # the row we waited for changed under us; others remain
                return None
        if entry is None:
            return None
        assignment = _reserve(campaign, entry, reader, now, gold=gold)
        if assignment is not None:
            return assignment
        tried.append(entry.pk)  # full after all (a commit the candidate's snapshot did not see): stays locked
    return None


def _current_reservation(pk: int) -> Assignment:
    return Assignment.objects.select_related("campaign_study__study").get(pk=pk)


@transaction.atomic
def worklist_next(*, reader, campaign: Campaign, source: AuditSource | None = None) -> Assignment | None:
    """The reader's live reservation if any, else a newly reserved study; None when nothing needs this reader.

    On every reader's critical path: a new reservation costs five statements (tests/annotation/test_worklist.py
    counts them), the pool check with the per-reader lock, the reader's state, the candidate, the reservation with
    its recheck, and the audit insert; resuming a reservation costs one more instead of the last three.
    """
    _enter(campaign, reader)
    now = timezone.now()
    current, taken = _reader_state(campaign, reader, now)
    if current is not None:
        return _current_reservation(current)
    gold_due = _gold_due(campaign, taken)
    assignment = _pick_and_reserve(campaign, reader, now, gold=True) if gold_due else None
    if assignment is None:
        assignment = _pick_and_reserve(campaign, reader, now, gold=False)
    if assignment is None and not gold_due:  # nothing regular left: gold studies still measure the reader
        assignment = _pick_and_reserve(campaign, reader, now, gold=True)
    if assignment is None:
        return None
    audit_record(actor=reader, action="assignment-reserved", obj=assignment, campaign_id=campaign.pk,
                 data={"study_id": assignment.campaign_study.study_id, "reason": assignment.reason}, source=source)
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
