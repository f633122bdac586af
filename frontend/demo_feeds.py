"""The demo's report-feed step: the synthetic hospital's RIS sends reports as HL7 ORU^R01 (MLLP) and FHIR.

The listener runs in this process (a thread) and the messages go out with python-hl7's own MLLP client, as
a RIS would send them: preliminary, then final; one duplicate, one correction, one malformed message.
"""

import datetime as dt
import json

from hl7.client import MLLPClient

from radcurate.celery import app as celery_app
from reports_nlp.accession import accession_pseudonym
from reports_nlp.intake.mllp import HL7Listener
from reports_nlp.management.commands.hl7_listener import close_connection, handle_message
from reports_nlp.models import QuarantinedMessage, Report, ReportSender
from reports_nlp.selectors.candidates import candidate_ranking
from reports_nlp.services.report_feeds import fhir_payload_receive
from synth import hl7_feed

FEED_REPORTS = 4  # three over HL7, one as FHIR
NORMAL_TEXT = "FINDINGS: No acute intracranial abnormality.\nIMPRESSION: Normal noncontrast head CT."
ADDED_FINDING = "\nIMPRESSION (corrected): Small acute subdural hematoma along the left convexity."


def _study_candidates(study_id: int) -> list[str]:
    return sorted(f"{r['trait']} {r['verdict']} (rev {r['revision']} {r['result_status'] or 'file'})"
                  for r in candidate_ranking(study_ids=[study_id], limit=None))


def _message(row: dict, status: str, control_id: str, text: str | None = None) -> str:
    return hl7_feed.oru_r01(accession_number=row["accession_number"], patient_id=row["patient_id"],
                            report_date=_date(row), text=text if text is not None else row["text"], status=status,
                            control_id=control_id)


def _date(row: dict) -> dt.date:
    return dt.date.fromisoformat(row["report_date"])


def _msa(reply: bytes) -> str:
    return next(s for s in reply.decode().strip("\x0b\x1c\r").split("\r") if s.startswith("MSA")).split("|")[1]


def step_report_feeds(ctx) -> None:
    """Report feeds: HL7 v2 over MLLP and FHIR into revisions; a correction replaces the study's candidates."""
    rows = [json.loads(line) for line in (ctx.state["cohort_dir"] / "reports.jsonl").read_text().splitlines()]
    rows = rows[:FEED_REPORTS]
    ReportSender.objects.get_or_create(sending_application=hl7_feed.SENDING_APPLICATION,
                                       sending_facility=hl7_feed.SENDING_FACILITY,
                                       defaults={"description": "the synthetic hospital's RIS (demo)"})
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the demo has no worker: each new revision is mined here
    listener = HL7Listener(handle=handle_message, port=0, workers=2, on_worker_exit=close_connection).start()
    try:
        with MLLPClient("127.0.0.1", listener.port) as client:
            acks = [_msa(client.send_message(_message(row, status, f"DEMO-{i}-{status[0].upper()}")))
                    for i, row in enumerate(rows[:3]) for status in ("preliminary", "final")]
            acks.append(_msa(client.send_message(_message(rows[0], "final", "DEMO-0-F"))))  # a resend
            ctx.out(f"HL7 listener on 127.0.0.1:{listener.port}: 3 reports sent preliminary then final, one resent: "
                    f"ACKs {' '.join(acks)}")
            study_id = Report.objects.filter(accession_pseudonym=accession_pseudonym(rows[0]["accession_number"]),
                                             is_current=True).values_list("study_id", flat=True).first()
            before = _study_candidates(study_id)
            corrected = NORMAL_TEXT if before else rows[0]["text"] + ADDED_FINDING
            ack = _msa(client.send_message(_message(rows[0], "corrected", "DEMO-0-C", corrected)))
            ctx.out(f"corrected report (ACK {ack}) for study {study_id}: candidates {before or 'none'} "
                    f"-> {_study_candidates(study_id) or 'none'}")
            broken = _message(rows[1], "final", "DEMO-BAD").replace(f"|{_date(rows[1]):%Y%m%d}", "|20XX0101")
            ack = _msa(client.send_message(broken))
            ctx.out(f"malformed message: ACK {ack}; {QuarantinedMessage.objects.count()} message(s) in the "
                    "admin-only quarantine")
        listener.stop()
        ctx.out(f"listener counts: {dict(sorted(listener.counts.items()))}")
        fhir_row = rows[-1]
        resource = hl7_feed.diagnostic_report(accession_number=fhir_row["accession_number"],
                                              patient_id=fhir_row["patient_id"], report_date=_date(fhir_row),
                                              text=fhir_row["text"], status="final", resource_id="demo-fhir-1")
        (outcome,) = fhir_payload_receive(data=hl7_feed.bundle([resource]), source="fhir demo")
        ctx.out(f"FHIR Bundle with one DiagnosticReport: {outcome.kind} (report {outcome.report_id}, "
                f"{Report.objects.get(pk=outcome.report_id).result_status if outcome.report_id else 'unchanged'})")
    finally:
        listener.stop()
        celery_app.conf.task_always_eager = eager
