"""Read use cases: autosave a draft, submit (or "no findings" in one step), amend a submitted read as a new version.

Submitting locks the campaign study's row, as the worklist does, so a late submit of an expired
reservation can never push a study past its read target and the last read of a study triggers
consensus exactly once.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Max
from django.utils import timezone

from annotation.labels import NOTE_MAX_CHARS, LabelValue, labels_normalize, taxonomy_index
from annotation.models import Assignment, CampaignStudy, Read, ReadAlreadySubmittedError, ReadLabel
from annotation.selectors.worklist import live_assignments
from annotation.services.audit import AuditBatch, AuditSource, audit_record
from annotation.services.consensus import study_evaluate
from annotation.stats.consensus_rules import ABSENT
from core.db.bulk import insert_rows
from curation.services.archive_refresh import study_primary_series_pin


def _own(assignment: Assignment, reader) -> None:
    if assignment.reader_id != reader.pk:
        raise PermissionDenied("This is not your assignment.")


def _n_slices(entry: CampaignStudy) -> int | None:
    series = entry.study.primary_series
    return series.n_instances if series is not None and series.n_instances else None


def _normalize(assignment: Assignment, labels: dict, *, complete: bool, note: str = "") -> dict[str, LabelValue]:
    """The labels checked against the taxonomy. A submitted read (`complete`) must be consistent (no subtype above
    its parent); a draft is kept as given, mid-edit, and checked when it is submitted."""
    if len(note or "") > NOTE_MAX_CHARS:
        raise ValidationError({"note": f"The note has {len(note)} characters; at most {NOTE_MAX_CHARS} are kept."})
    campaign = assignment.campaign
    return labels_normalize(
        taxonomy_index(campaign.taxonomy), labels or {}, slice_scope=campaign.slice_ranges,
        n_slices=_n_slices(assignment.campaign_study), complete=complete, strict=complete,
    )


_LABEL_COLUMNS = ("read_id", "trait_id", "state", "slice_ranges", "key_images", "note", "implied")


def _write_labels(read: Read, assignment: Assignment, values: dict[str, LabelValue], *, fresh: bool = False) -> None:
    index = taxonomy_index(assignment.campaign.taxonomy)
    if not fresh:
        ReadLabel.objects.filter(read=read).delete()  # only ever a draft's labels (the read is not yet submitted)
    insert_rows(ReadLabel, _LABEL_COLUMNS, [
        (read.pk, index.by_code[code].pk, v.state, v.slice_ranges, v.key_images, v.note, v.implied)
        for code, v in values.items()
    ])


def _pin_marked_series(study, values: dict[str, LabelValue]) -> None:
    """Slice marks are indices into the study's primary series: once a read holds some, that series stays (one
    statement, once per study)."""
    if not study.primary_series_pinned and any(v.slice_ranges or v.key_images for v in values.values()):
        study_primary_series_pin(study_id=study.pk)
        study.primary_series_pinned = True


def _labels_dump(values: dict[str, LabelValue]) -> dict:
    """For the audit trail: each trait's state, and the slices marked on positive traits."""
    marks = {code: {"slice_ranges": v.slice_ranges, "key_images": v.key_images}
             for code, v in values.items() if v.slice_ranges or v.key_images}
    return {"labels": {code: v.state for code, v in values.items()}, "marks": marks}


def _draft(assignment: Assignment) -> Read | None:
    return assignment.reads.filter(status=Read.Status.DRAFT).first()


def _locked_entry(campaign_study_id: int) -> CampaignStudy:
    # Locked first, as the worklist does, so a late submit and a new reservation never both take a last slot.
    return CampaignStudy.objects.select_for_update(of=("self",)).select_related(
        "campaign__taxonomy", "study__primary_series"
    ).get(pk=campaign_study_id)


_DRAFT_FIELDS = ("id", "version", "note", "time_spent_s", "amends_id", "amendment_reason")


def _locked_assignment(pk: int, entry: CampaignStudy) -> Assignment:
    """The assignment, locked, with the autosaved draft's fields (`draft_id`, `draft_version`, ...: None without a
    draft) in the same round trip. Written out: the ORM form (a JSON subquery) took longer to compile than to run,
    on every submit."""
    draft = ", ".join(f"d.{name} AS draft_{name}" for name in _DRAFT_FIELDS)
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""  # SQLite: no row locks
    sql = (f"SELECT a.*, {draft} FROM annotation_assignment a LEFT JOIN annotation_read d "
           f"ON d.assignment_id = a.id AND d.status = '{Read.Status.DRAFT}' WHERE a.id = %s{lock}")
    assignment = next(iter(Assignment.objects.raw(sql, [pk])), None)
    if assignment is None:
        raise Assignment.DoesNotExist(f"Assignment {pk} does not exist.")
    assignment.campaign_study, assignment.campaign = entry, entry.campaign
    return assignment


def _draft_from(assignment: Assignment) -> Read | None:
    """The draft the lock query brought along, as a loaded model (fields it did not bring load on access)."""
    if assignment.draft_id is None:
        return None
    row = {name: getattr(assignment, f"draft_{name}") for name in _DRAFT_FIELDS}
    row |= {"assignment_id": assignment.pk, "status": Read.Status.DRAFT}
    names = [f.attname for f in Read._meta.concrete_fields if f.attname in row]  # from_db wants the model's order
    read = Read.from_db(DEFAULT_DB_ALIAS, names, [row[name] for name in names])
    read.assignment = assignment
    return read


@transaction.atomic
def read_draft_save(
    *, reader, assignment: Assignment, labels: dict, note: str = "", time_spent_s: float = 0.0,
    source: AuditSource | None = None,
) -> Read:
    """Autosave: the draft holds whatever the reader has marked so far and can be restored later."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related(
        "campaign__taxonomy", "campaign_study__study__primary_series"
    ).get(pk=assignment.pk)
    _own(assignment, reader)
    if assignment.status not in (Assignment.Status.RESERVED, Assignment.Status.EXPIRED):
        raise ValidationError(f"Assignment {assignment.pk} is {assignment.status}; there is no draft to save.")
    values = _normalize(assignment, labels, complete=False, note=note)
    read = _draft(assignment) or Read(assignment=assignment, version=1)
    read.note, read.time_spent_s = note, max(float(time_spent_s), 0.0)
    read.save()
    _write_labels(read, assignment, values)
    _pin_marked_series(assignment.campaign_study.study, values)
    audit_record(actor=reader, action="read-draft-saved", obj=read, campaign_id=assignment.campaign_id,
                 data={**_labels_dump(values), "time_spent_s": read.time_spent_s}, source=source)
    return read


def _check_slot(entry: CampaignStudy, assignment: Assignment, now) -> None:
    if assignment.status == Assignment.Status.SUBMITTED:
        raise ReadAlreadySubmittedError(assignment.pk)
    if assignment.status == Assignment.Status.RELEASED:
        raise ValidationError(f"Assignment {assignment.pk} was released.")
    if entry.campaign.status == "closed":
        raise ValidationError(f"Campaign '{entry.campaign.name}' is closed.")
    lapsed = assignment.status == Assignment.Status.EXPIRED or assignment.expires_at <= now
    if lapsed and not entry.is_gold:
        # A lapsed reservation may still be submitted while the study has room; the draft stays otherwise.
        others = entry.assignments.filter(live_assignments(now)).exclude(pk=assignment.pk).count()
        if others >= entry.target_reads or entry.status != CampaignStudy.Status.OPEN:
            raise ValidationError(
                f"Your reservation of assignment {assignment.pk} expired and the study already has its reads; "
                "your draft is kept."
            )


def _submitted_read(
    assignment: Assignment, values: dict[str, LabelValue], *, note: str, time_spent_s: float, now,
) -> Read:
    """The autosaved draft, or a new read, holding the submitted labels and sealed: three statements either way."""
    no_findings = all(v.state == ABSENT for v in values.values())
    read = _draft_from(assignment)
    if read is None:
        read = Read.objects.create(assignment=assignment, version=1, no_findings=no_findings, note=note,
                                   time_spent_s=max(float(time_spent_s), 0.0))
        _write_labels(read, assignment, values, fresh=True)
        _seal(read, now)
        return read
    _write_labels(read, assignment, values)
    read.no_findings, read.note = no_findings, note or read.note
    read.time_spent_s = max(float(time_spent_s), read.time_spent_s)
    # The draft's last fields and its seal in one statement (the trigger guards submitted rows anyway).
    Read.objects.filter(pk=read.pk, status=Read.Status.DRAFT).update(
        no_findings=read.no_findings, note=read.note, time_spent_s=read.time_spent_s,
        status=Read.Status.SUBMITTED, submitted_at=now, updated_at=now,
    )
    read.status, read.submitted_at, read.updated_at = Read.Status.SUBMITTED, now, now
    return read


@transaction.atomic
def read_submit(
    *, reader, assignment: Assignment, labels: dict | None = None, no_findings: bool = False, note: str = "",
    time_spent_s: float = 0.0, source: AuditSource | None = None,
) -> Read:
    """Submit the read: traits not given are absent; with `no_findings` every trait is absent in one step.

    On every reader's critical path, so it costs a fixed handful of statements (tests/annotation/test_reads.py
    counts them): two row locks, three for the read and its labels, one per changed row, one audit insert,
    and on a study's last read one query of the current reads plus the consensus upsert.
    """
    entry = _locked_entry(assignment.campaign_study_id)
    assignment = _locked_assignment(assignment.pk, entry)
    _own(assignment, reader)
    now = timezone.now()
    _check_slot(entry, assignment, now)
    if no_findings and any(_state(v) != ABSENT for v in (labels or {}).values()):
        raise ValidationError({"labels": "'No findings' cannot be combined with positive or uncertain traits."})
    values = _normalize(assignment, {} if no_findings else labels, complete=True, note=note)
    read = _submitted_read(assignment, values, note=note, time_spent_s=time_spent_s, now=now)
    _pin_marked_series(entry.study, values)
    assignment.status, assignment.submitted_at = Assignment.Status.SUBMITTED, now
    Assignment.objects.filter(pk=assignment.pk).update(status=assignment.status, submitted_at=now)
    entry.n_submitted += 1
    audit = AuditBatch()
    audit.record(actor=reader, action="read-submitted", obj=read, campaign_id=entry.campaign_id,
                 data={**_labels_dump(values), "no_findings": read.no_findings, "time_spent_s": read.time_spent_s,
                       "study_id": entry.study_id}, source=source)
    study_evaluate(campaign_study=entry, changed=("n_submitted",), audit=audit)
    audit.write()
    return read


def _state(raw) -> str:
    return raw if isinstance(raw, str) else (raw or {}).get("state", "")


def _seal(read: Read, now) -> None:
    # A queryset update: the read is a draft here, and the database trigger guards submitted rows anyway.
    Read.objects.filter(pk=read.pk, status=Read.Status.DRAFT).update(status=Read.Status.SUBMITTED, submitted_at=now,
                                                                     updated_at=now)
    read.status, read.submitted_at = Read.Status.SUBMITTED, now


@transaction.atomic
def read_amend(
    *, reader, read: Read, labels: dict, reason: str, note: str = "", time_spent_s: float = 0.0,
    source: AuditSource | None = None,
) -> Read:
    """A new submitted version of the reader's latest read; the old version stays as it was."""
    entry = _locked_entry(read.assignment.campaign_study_id)
    assignment = Assignment.objects.select_for_update().get(pk=read.assignment_id)
    assignment.campaign_study, assignment.campaign = entry, entry.campaign
    _own(assignment, reader)
    if not reason.strip():
        raise ValidationError({"reason": "An amendment needs a reason."})
    if len(reason) > NOTE_MAX_CHARS:
        raise ValidationError({"reason": f"The reason has {len(reason)} characters; at most {NOTE_MAX_CHARS}."})
    latest = assignment.reads.filter(status=Read.Status.SUBMITTED).aggregate(v=Max("version"))["v"]
    if not read.is_submitted or read.version != latest:
        raise ValidationError(f"Only the latest submitted version ({latest}) of this read can be amended.")
    values = _normalize(assignment, labels, complete=True, note=note)
    new = Read.objects.create(
        assignment=assignment, version=latest + 1, amends=read, amendment_reason=reason, note=note,
        time_spent_s=max(float(time_spent_s), 0.0), no_findings=all(v.state == ABSENT for v in values.values()),
    )
    _write_labels(new, assignment, values, fresh=True)
    _seal(new, timezone.now())
    audit_record(actor=reader, action="read-amended", obj=new, campaign_id=entry.campaign_id,
                 data={"amends": read.pk, "version": new.version, "reason": reason, **_labels_dump(values)},
                 source=source)
    if entry.status != CampaignStudy.Status.OPEN:
        study_evaluate(campaign_study=entry, reevaluate=True)
    return new
