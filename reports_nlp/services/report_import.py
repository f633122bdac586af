"""Report import: CSV/JSONL rows to reports, idempotent by content hash, a changed report as a new revision.

Each bad row is reported by its line number and skipped; the rest import. Rows are written in
batches (one transaction each), so a large file never sits in memory as model objects.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.db.models import Max

from reports_nlp.accession import accession_pseudonym, patient_pseudonym
from reports_nlp.models import Report
from reports_nlp.report_files import RawRow, read_report_file
from reports_nlp.services.study_link import study_ids_by_accession

BATCH_SIZE = 1000


@dataclass
class ImportResult:
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.revised

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "skipped": len(self.errors),
            "errors": [{"line": line, "error": error} for line, error in self.errors],
        }


@dataclass(frozen=True, slots=True)
class _CleanRow:
    line: int
    accession_pseudonym: str
    patient_pseudonym: str
    report_date: dt.date
    text: str
    content_hash: str


def content_hash(report_date: dt.date, text: str, status: str = "") -> str:
    """The revision's identity; a feed's status is part of it (a final report may repeat the preliminary's text)."""
    status_line = f"\n{status}" if status else ""
    return hashlib.sha256(f"{report_date.isoformat()}\n{text}{status_line}".encode()).hexdigest()


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    value = str(value or "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).date() if len(value) > 10 else dt.date.fromisoformat(value)
    except ValueError:
        try:  # DICOM-style YYYYMMDD, as exported by many RIS
            return dt.datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            return None


def _clean(raw: RawRow) -> _CleanRow | str:
    """The row ready to store, or why it is skipped (never quoting its values: they are PHI)."""
    if raw.values is None:
        return raw.error
    values = raw.values
    accession = str(values.get("accession_number") or "").strip()
    if not accession:
        return "no accession_number"
    text = str(values.get("text") or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return "empty text"
    if not str(values.get("report_date") or "").strip():
        return "no report_date"
    report_date = _parse_date(values.get("report_date"))
    if report_date is None:
        return "report_date is not a date (expected YYYY-MM-DD)"
    return _CleanRow(
        line=raw.line,
        accession_pseudonym=accession_pseudonym(accession),
        patient_pseudonym=patient_pseudonym(str(values.get("patient_id") or "")),
        report_date=report_date,
        text=text,
        content_hash=content_hash(report_date, text),
    )


def _valid_rows(rows: Iterable[RawRow], result: ImportResult) -> Iterator[_CleanRow]:
    for raw in rows:
        row = _clean(raw)
        if isinstance(row, str):
            result.errors.append((raw.line, row))
        else:
            yield row


@transaction.atomic
def _import_batch(batch: tuple[_CleanRow, ...], source: str, result: ImportResult) -> None:
    accessions = {row.accession_pseudonym for row in batch}
    known = Report.objects.filter(accession_pseudonym__in=accessions)
    seen = set(known.values_list("accession_pseudonym", "content_hash"))
    latest = dict(known.values("accession_pseudonym").annotate(r=Max("revision")).values_list("accession_pseudonym", "r"))
    studies = study_ids_by_accession(accessions)
    new: dict[str, list[Report]] = {}
    for row in batch:
        if (row.accession_pseudonym, row.content_hash) in seen:
            result.unchanged += 1
            continue
        seen.add((row.accession_pseudonym, row.content_hash))
        revision = latest.get(row.accession_pseudonym, 0) + 1
        latest[row.accession_pseudonym] = revision
        if revision > 1:
            result.revised += 1
        else:
            result.created += 1
        new.setdefault(row.accession_pseudonym, []).append(Report(
            accession_pseudonym=row.accession_pseudonym, patient_pseudonym=row.patient_pseudonym,
            report_date=row.report_date, text=row.text, content_hash=row.content_hash, revision=revision,
            is_current=False, study_id=studies.get(row.accession_pseudonym), source=source[:255],
        ))
    if not new:
        return
    # The newest revision of each accession is the current one; older rows step back.
    Report.objects.filter(accession_pseudonym__in=new, is_current=True).update(is_current=False)
    for reports in new.values():
        reports[-1].is_current = True
    Report.objects.bulk_create([r for reports in new.values() for r in reports])


def _batched(rows: Iterable, size: int) -> Iterator[tuple]:
    # itertools.batched arrives with Python 3.12; the project runs 3.11.
    rows = iter(rows)
    while batch := tuple(islice(rows, size)):
        yield batch


def report_import_rows(*, rows: Iterable[RawRow], source: str, batch_size: int = BATCH_SIZE) -> ImportResult:
    """Import rows read from a file or posted to the API; bad rows become line-numbered errors."""
    result = ImportResult()
    for batch in _batched(_valid_rows(rows, result), batch_size):
        _import_batch(batch, source, result)
    return result


def report_import_file(*, data: bytes, name: str) -> ImportResult:
    """Import a CSV or JSONL file's bytes; raises ReportFileError when the file has no usable header."""
    return report_import_rows(rows=read_report_file(data, name), source=name)
