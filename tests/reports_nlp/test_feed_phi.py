"""No PHI from a feed reaches storage (except the admin-only quarantine), the logs, the answers or the files.

Messages of every fate go through the real listener: imported, duplicated, corrected, malformed, refused;
then every table (each row as JSON text), every file under the data directory and every log record are
searched for the PHI values sent.
"""

import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reports_nlp.models import QuarantinedMessage
from reports_nlp.services import report_feeds
from synth import hl7_feed

from .conftest import study_arrives
from .feeds import DATE, NO_SDH_TEXT, PHI, SDH_TEXT, message, msa, register_synthetic_ris, send, start_listener

pytestmark = [pytest.mark.django_db(transaction=True)]

PHI_VALUES = [PHI["accession_number"], PHI["patient_id"], "PHIFAMILY", "PHIGIVEN", PHI["birth_date"]]


def _rows_holding(value: str) -> list[str]:
    """Tables with a row whose JSON text holds `value`; the quarantine's raw column is the one allowed place."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            query = f'SELECT count(*) FROM "{table}" t WHERE strpos(row_to_json(t)::text, %s) > 0'
            if table == QuarantinedMessage._meta.db_table:
                query = (f'SELECT count(*) FROM "{table}" t WHERE strpos((row_to_json(t)::jsonb - \'raw\')::text, '
                         '%s) > 0')
            cursor.execute(query, [value])
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def _files_holding(value: str) -> list[str]:
    root = Path(settings.DATA_DIR)
    return [str(p) for p in root.rglob("*") if p.is_file() and value.encode() in p.read_bytes()]


def test_no_phi_value_sent_is_stored_logged_or_answered(caplog):
    caplog.set_level(logging.DEBUG)
    register_synthetic_ris()
    study_arrives(PHI["accession_number"])
    listener = start_listener()
    try:
        replies = send(listener, message("M1", status="preliminary"), message("M1", status="preliminary"),
                       message("M2"), message("M3", text=NO_SDH_TEXT, status="corrected"),
                       message("M4").replace("|20260302", "|2026XX02"),  # malformed: quarantined
                       message("M5").replace("SYNTH_HOSP", "OTHER_HOSP"))  # unknown sender: refused
    finally:
        listener.stop()
    assert [r.split("MSA|")[1][:2] for r in replies] == ["AA", "AA", "AA", "AA", "AE", "AR"]
    assert QuarantinedMessage.objects.count() == 1
    # The search sees what the intake did store: the sender's name, in the senders' and the reports' tables.
    assert {"reports_nlp_reportsender", "reports_nlp_report"} <= set(_rows_holding("SYNTH_RIS"))
    for value in PHI_VALUES:
        assert QuarantinedMessage.objects.get().raw.count(value)  # the quarantine holds it, as it must
        assert _rows_holding(value) == [], value
        assert _files_holding(value) == [], value
        assert value not in caplog.text, value
        assert not any(value in r for r in replies), value


def _store_fails_quoting_phi(incoming, source):
    raise ValueError(f"duplicate key (accession)=({incoming.accession_number}), patient {incoming.patient_id}")


@pytest.mark.parametrize("channel", ["hl7", "fhir"])
def test_an_unexpected_import_failure_logs_its_stack_but_not_its_message(channel, caplog, monkeypatch):
    """The exception's text may quote the message (a database's 'Key (...)=(...)'): the log keeps its type and
    stack only, and the message waits in the quarantine."""
    caplog.set_level(logging.DEBUG)
    register_synthetic_ris()
    monkeypatch.setattr(report_feeds, "_store", _store_fails_quoting_phi)
    if channel == "hl7":
        reply, outcome = report_feeds.hl7_message_receive(raw=message("M9"))
        assert msa(reply)[0] == "AE"
        assert PHI["accession_number"] not in reply
    else:
        (outcome,) = report_feeds.fhir_payload_receive(data=hl7_feed.diagnostic_report(
            report_date=DATE, text=SDH_TEXT, resource_id="R9", accession_number=PHI["accession_number"],
            patient_id=PHI["patient_id"]), source="fhir api")
    assert (outcome.ack_code, outcome.kind) == ("AE", "internal-error")
    assert QuarantinedMessage.objects.get().raw.count(PHI["accession_number"])
    assert "ValueError (message left out)" in caplog.text and "_store_fails_quoting_phi" in caplog.text
    for value in PHI_VALUES:
        assert value not in caplog.text, value
        assert value not in outcome.detail, value
