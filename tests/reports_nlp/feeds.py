"""Helpers of the report-feed tests: a running HL7 listener, messages from the synthetic RIS, the candidates."""

import datetime as dt

from hl7.client import MLLPClient

from reports_nlp.intake.mllp import HL7Listener
from reports_nlp.management.commands.hl7_listener import close_connection, handle_message
from reports_nlp.models import ReportSender
from reports_nlp.selectors.candidates import candidate_ranking
from synth import hl7_feed

# The PHI a feed carries: none of these may reach storage (but the quarantine), a log or a non-admin answer.
PHI = {"accession_number": "ACC-77001", "patient_id": "MRN-55012", "patient_name": "PHIFAMILY^PHIGIVEN",
       "birth_date": "19511231"}
DATE = dt.date(2026, 3, 2)
SDH_TEXT = "FINDINGS: Acute subdural hematoma along the left convexity.\nIMPRESSION: Acute subdural hematoma."
NO_SDH_TEXT = "FINDINGS: No intracranial hemorrhage.\nIMPRESSION: No acute intracranial abnormality."


def register_synthetic_ris() -> ReportSender:
    return ReportSender.objects.create(sending_application=hl7_feed.SENDING_APPLICATION,
                                       sending_facility=hl7_feed.SENDING_FACILITY)


def message(control_id: str, text: str = SDH_TEXT, status: str = "final", **fields) -> str:
    values = {**PHI, **fields}
    return hl7_feed.oru_r01(report_date=DATE, text=text, status=status, control_id=control_id, **values)


def start_listener() -> HL7Listener:
    return HL7Listener(handle=handle_message, host="127.0.0.1", port=0, workers=2,
                       on_worker_exit=close_connection).start()


def send(listener: HL7Listener, *messages: str) -> list[str]:
    """Each message over one MLLP connection with python-hl7's own client; the ACKs as text."""
    with MLLPClient("127.0.0.1", listener.port) as client:
        return [client.send_message(m).decode().strip("\x0b\x1c\r") for m in messages]


def msa(reply: str) -> list[str]:
    segment = next(s for s in reply.split("\r") if s.startswith("MSA"))
    return segment.split("|")[1:]


def study_candidates(study_id: int) -> list[tuple]:
    return sorted((r["trait"], r["verdict"], r["revision"], r["result_status"])
                  for r in candidate_ranking(study_ids=[study_id], limit=None))
