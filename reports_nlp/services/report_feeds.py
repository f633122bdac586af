"""Report feeds: one HL7 v2 message or one FHIR payload in, its reports stored as revisions, an answer out.

Each message's fate is logged by its control id and an outcome or error kind, never a value from it; a
message that fails is quarantined whole (admins only) so it can be looked at and resent. A message from an
unknown sending facility is refused and not kept: it is not ours to hold.
"""

import json
import logging
from dataclasses import dataclass

from django.db import transaction

from core.log_safe import exception_outline
from reports_nlp.intake import IncomingReport, IntakeError
from reports_nlp.intake.fhir import diagnostic_report, diagnostic_report_dicts
from reports_nlp.intake.hl7v2 import ack, message_header, oru_report, parse_message
from reports_nlp.models import QuarantinedMessage
from reports_nlp.selectors.report_senders import sender_is_known
from reports_nlp.services.report_revision import report_revision_receive

logger = logging.getLogger(__name__)

# AR: the message itself is refused (resending it unchanged will not help); AE: it could not be processed.
REJECT_KINDS = frozenset({"unparseable", "not-oru", "unknown-sender"})
UNKNOWN_SENDER = "unknown-sender"


@dataclass(frozen=True)
class FeedOutcome:
    ack_code: str  # AA, AE or AR (FHIR: the same meaning)
    kind: str  # the revision outcome (created, revised, duplicate, ...) or the error kind
    control_id: str
    report_id: int | None = None
    detail: str = ""


@transaction.atomic
def message_quarantine(*, channel: str, raw: str, control_id: str, error: IntakeError) -> QuarantinedMessage:
    message = QuarantinedMessage(channel=channel, raw=raw, control_id=control_id[:199], error_kind=error.kind[:64],
                                 detail=error.detail[:500])
    message.full_clean()
    message.save()
    return message


def _store(incoming: IncomingReport, source: str) -> FeedOutcome:
    result = report_revision_receive(incoming=incoming, source=source)
    report_id = result.report.pk if result.report else None
    return FeedOutcome("AA", result.outcome, incoming.control_id, report_id)


def _failed(channel: str, raw: str, control_id: str, error: IntakeError) -> FeedOutcome:
    code = "AR" if error.kind in REJECT_KINDS else "AE"
    if error.kind != UNKNOWN_SENDER:
        message_quarantine(channel=channel, raw=raw, control_id=control_id, error=error)
    logger.warning("%s message %s refused: %s (%s)", channel.upper(), control_id or "(no id)", error.kind,
                   error.detail)
    return FeedOutcome(code, error.kind, control_id, detail=error.detail)


def _internal_error(what: str, control_id: str, exc: Exception) -> IntakeError:
    """An unexpected failure, logged with its stack but not its message: the message may quote the report's PHI."""
    logger.error("%s %s: import failed\n%s", what, control_id, exception_outline(exc))
    return IntakeError("internal-error", f"the import failed ({type(exc).__name__}); see the log")


def hl7_message_receive(*, raw: str) -> tuple[str, FeedOutcome]:
    """Import one ORU^R01 message; returns the ACK to send back and what happened."""
    message, control_id = None, ""
    try:
        message = parse_message(raw)
        header = message_header(message)
        control_id = header["control_id"]
        if not sender_is_known(sending_application=header["sending_application"],
                               sending_facility=header["sending_facility"]):
            raise IntakeError(UNKNOWN_SENDER, f"{header['sending_application']}@{header['sending_facility']} "
                                              "is not a known report sender")
        incoming = oru_report(message)
        source = f"hl7 {header['sending_application']}@{header['sending_facility']} {control_id}"
        outcome = _store(incoming, source)
    except IntakeError as error:
        outcome = _failed(QuarantinedMessage.Channel.HL7, raw, control_id, error)
        return ack(message, outcome.ack_code, f"{error.kind}: {error.detail}", control_id), outcome
    except Exception as exc:  # noqa: BLE001  (the sender gets AE and the message waits in quarantine)
        error = _internal_error("HL7 message", control_id or "(no id)", exc)
        outcome = _failed(QuarantinedMessage.Channel.HL7, raw, control_id, error)
        return ack(message, "AE", f"{error.kind}: {error.detail}", control_id), outcome
    logger.info("HL7 message %s: %s (report %s)", control_id, outcome.kind, outcome.report_id)
    return ack(message, "AA", control_id=control_id), outcome


def fhir_payload_receive(*, data, source: str) -> list[FeedOutcome]:
    """Import a DiagnosticReport or each DiagnosticReport of a Bundle; a bad resource is quarantined alone."""
    try:
        resources = diagnostic_report_dicts(data)
    except IntakeError as error:
        raw = json.dumps(data) if not isinstance(data, str) else data
        return [_failed(QuarantinedMessage.Channel.FHIR, raw, "", error)]
    outcomes = []
    for index, resource in enumerate(resources):
        control_id = str(resource.get("id") or f"#{index}")[:64]
        try:
            outcome = _store(diagnostic_report(resource, index), f"{source} {control_id}")
        except IntakeError as error:
            outcome = _failed(QuarantinedMessage.Channel.FHIR, json.dumps(resource), control_id, error)
        except Exception as exc:  # noqa: BLE001  (this resource waits in quarantine; the Bundle's others go on)
            outcome = _failed(QuarantinedMessage.Channel.FHIR, json.dumps(resource), control_id,
                              _internal_error("FHIR DiagnosticReport", control_id, exc))
        else:
            logger.info("FHIR DiagnosticReport %s: %s (report %s)", control_id, outcome.kind, outcome.report_id)
        outcomes.append(outcome)
    return outcomes
