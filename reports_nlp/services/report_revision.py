"""A report from a feed (HL7 or FHIR) as a revision of its accession's report, following the RIS's result status.

A final report supersedes the preliminary one, a corrected one or an addendum becomes the current revision,
a cancelled one withdraws the report (no revision stays current). A preliminary that arrives after the final
(feeds do deliver out of order) is kept as a revision but does not displace it. The same message twice is a
duplicate: nothing changes. A new current revision is mined into the latest mining run once committed.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from reports_nlp.accession import accession_pseudonym, patient_pseudonym
from reports_nlp.intake.message import IncomingReport
from reports_nlp.models import Report, ResultStatus
from reports_nlp.services.report_import import content_hash
from reports_nlp.services.study_link import study_ids_by_accession

# How far along a report is: a revision becomes current unless the current one is further along.
_RANK = {ResultStatus.PRELIMINARY: 1, "": 2, ResultStatus.FINAL: 2, ResultStatus.CORRECTED: 3,
         ResultStatus.ADDENDUM: 3}
ADDENDUM_HEADER = "ADDENDUM:"

CREATED, REVISED, SUPERSEDED_ON_ARRIVAL, CANCELLED, DUPLICATE = (
    "created", "revised", "kept-not-current", "cancelled", "duplicate")


@dataclass(frozen=True)
class RevisionResult:
    outcome: str  # one of the constants above
    report: Report | None  # the stored revision (None for a duplicate)

    @property
    def is_current(self) -> bool:
        return self.report is not None and self.report.is_current


def _lock_accession(pseudonym: str) -> None:
    """Serialize messages for one accession (two listener connections may carry its revisions at once)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"report:{pseudonym}"])


def _text_with_addendum(incoming: IncomingReport, current: Report | None) -> str:
    """An addendum sent alone is appended to the current text, so the current revision is the whole report."""
    if incoming.status != ResultStatus.ADDENDUM or current is None or current.text.strip() in incoming.text:
        return incoming.text
    return f"{current.text}\n\n{ADDENDUM_HEADER}\n{incoming.text}"


def _becomes_current(status: str, current: Report | None) -> bool:
    if status == ResultStatus.CANCELLED:
        return False
    return current is None or _RANK[status] >= _RANK[current.result_status]


@transaction.atomic
def report_revision_receive(*, incoming: IncomingReport, source: str) -> RevisionResult:
    """Store a feed's report as its accession's next revision; the caller logs the outcome, never the report."""
    pseudonym = accession_pseudonym(incoming.accession_number)
    _lock_accession(pseudonym)
    revisions = Report.objects.filter(accession_pseudonym=pseudonym)
    # One read of the accession's revisions (the text only for an addendum, which needs the current one).
    known = list(revisions.only("id", "revision", "is_current", "result_status", "content_hash", "study_id"))
    current = next((r for r in known if r.is_current), None)
    text = _text_with_addendum(incoming, current)
    digest = content_hash(incoming.observation_date, text, incoming.status)
    if any(r.content_hash == digest for r in known):
        return RevisionResult(DUPLICATE, None)
    latest = max((r.revision for r in known), default=0)
    is_current = _becomes_current(incoming.status, current)
    if current is not None and (is_current or incoming.status == ResultStatus.CANCELLED):
        revisions.filter(is_current=True).update(is_current=False)
    study_id = next((r.study_id for r in known if r.study_id), None) or study_ids_by_accession([pseudonym]).get(
        pseudonym)
    report = Report(
        accession_pseudonym=pseudonym, patient_pseudonym=patient_pseudonym(incoming.patient_id),
        report_date=incoming.observation_date, text=text, content_hash=digest, revision=latest + 1,
        result_status=incoming.status, is_current=is_current,
        study_id=study_id, source=source[:255],
    )
    # Uniqueness of (accession, revision) and (accession, content) is what the lock and the read above ensure.
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    if is_current:
        from reports_nlp.tasks import mine_report

        transaction.on_commit(lambda: mine_report.delay(report.pk))
    if incoming.status == ResultStatus.CANCELLED:
        return RevisionResult(CANCELLED, report)
    if not is_current:
        return RevisionResult(SUPERSEDED_ON_ARRIVAL, report)
    return RevisionResult(REVISED if latest else CREATED, report)
