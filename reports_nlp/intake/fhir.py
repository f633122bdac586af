"""FHIR R4 DiagnosticReport resources, single or in a Bundle: the report fields, validated by fhir.resources.

fhir.resources' R4B models validate the resource (R4B changed nothing in DiagnosticReport, Bundle or
Attachment from R4); we read identifier (the accession), subject, effectiveDateTime, status and the text
of presentedForm (text/plain attachments) or else conclusion.
"""

import base64
import datetime as dt

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from pydantic import ValidationError

from reports_nlp.intake.errors import IntakeError
from reports_nlp.intake.message import IncomingReport

# DiagnosticReport.status -> ResultStatus ("registered" and "partial" have no final text yet).
STATUS = {
    "registered": "preliminary", "partial": "preliminary", "preliminary": "preliminary", "final": "final",
    "amended": "corrected", "corrected": "corrected", "appended": "addendum", "cancelled": "cancelled",
    "entered-in-error": "cancelled",
}
ACCESSION_TYPE = "ACSN"  # HL7 v2 table 0203 identifier type "accession id"


def _validation_detail(exc: ValidationError) -> str:
    """Which fields failed, never their values (PHI)."""
    places = [".".join(str(p) for p in error["loc"]) + f" ({error['type']})" for error in exc.errors()[:5]]
    return "; ".join(places) or "validation failed"


def _validated(resource_type: str, data: dict, model):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise IntakeError("invalid-fhir", f"{resource_type}: {_validation_detail(exc)}") from None


def diagnostic_report_dicts(data) -> list[dict]:
    """The DiagnosticReport resources of a resource or a Bundle (other entries of a Bundle are ignored)."""
    if not isinstance(data, dict):
        raise IntakeError("invalid-fhir", "expected a JSON object (a DiagnosticReport or a Bundle)")
    kind = data.get("resourceType")
    if kind == "DiagnosticReport":
        return [data]
    if kind == "Bundle":
        _validated("Bundle", data, Bundle)
        entries = [entry.get("resource") or {} for entry in data.get("entry") or []]
        reports = [r for r in entries if isinstance(r, dict) and r.get("resourceType") == "DiagnosticReport"]
        if not reports:
            raise IntakeError("no-report", "the Bundle holds no DiagnosticReport")
        return reports
    raise IntakeError("not-diagnostic-report", f"resourceType is {kind!r}, expected DiagnosticReport or Bundle")


def _accession(report: DiagnosticReport) -> str:
    identifiers = [i for i in report.identifier or [] if i.value]
    for identifier in identifiers:
        codes = [c.code for c in (identifier.type.coding or [])] if identifier.type else []
        if ACCESSION_TYPE in codes:
            return identifier.value.strip()
    if not identifiers:
        raise IntakeError("no-accession", "identifier has no value (expected the accession, type ACSN)")
    return identifiers[0].value.strip()


def _patient_id(report: DiagnosticReport) -> str:
    subject = report.subject
    if subject is None:
        return ""
    if subject.identifier is not None and subject.identifier.value:
        return subject.identifier.value.strip()
    return (subject.reference or "").rsplit("/", 1)[-1].strip()


def _text(report: DiagnosticReport) -> str:
    parts = []
    for i, form in enumerate(report.presentedForm or []):
        if form.data and (form.contentType or "text/plain").startswith("text/plain"):
            # fhir.resources has already decoded the base64 (a Base64Binary field holds the bytes).
            raw = form.data if isinstance(form.data, bytes) else base64.b64decode(form.data)
            try:
                parts.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise IntakeError("bad-text", f"presentedForm[{i}].data is not UTF-8 text") from None
    text = "\n".join(parts).strip() or (report.conclusion or "").strip()
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _date(report: DiagnosticReport) -> dt.date:
    value = report.effectiveDateTime or (report.effectivePeriod.start if report.effectivePeriod else None)
    value = value or report.issued
    if value is None:
        raise IntakeError("no-date", "effectiveDateTime (or effectivePeriod.start, issued) is missing")
    return value.date() if isinstance(value, dt.datetime) else value


def diagnostic_report(data: dict, index: int = 0) -> IncomingReport:
    """One DiagnosticReport's fields; IntakeError names the resource (by its index) and the field."""
    report = _validated(f"DiagnosticReport[{index}]", data, DiagnosticReport)
    status = STATUS.get(report.status)
    if status is None:
        raise IntakeError("bad-status", f"DiagnosticReport[{index}].status {report.status!r} is not importable")
    text = _text(report)
    if not text and status != "cancelled":
        raise IntakeError("empty-text", f"DiagnosticReport[{index}] has no text/plain presentedForm or conclusion")
    return IncomingReport(
        accession_number=_accession(report), patient_id=_patient_id(report), observation_date=_date(report),
        status=status, text=text, control_id=(report.id or f"#{index}")[:64],
    )
