"""The HL7 v2 listener with real clients (python-hl7's MLLP client, socat): ACKs, revisions, candidates."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reports_nlp.models import QuarantinedMessage, Report
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally

from .conftest import study_arrives
from .feeds import NO_SDH_TEXT, PHI, message, msa, register_synthetic_ris, send, start_listener, study_candidates

pytestmark = [pytest.mark.django_db(transaction=True)]

ICH, SDH = "intracranial_hemorrhage", "subdural_hemorrhage"


@pytest.fixture
def listener():
    server = start_listener()
    yield server
    server.stop()


@pytest.fixture
def mined_archive(db):
    """A study waiting for its report, and a finished mining run (the candidates a curator sees)."""
    register_synthetic_ris()
    study = study_arrives(PHI["accession_number"])
    mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get()))
    return study


def test_preliminary_final_and_corrected_reports_follow_the_status_into_the_candidates(listener, mined_archive):
    acks = send(listener, message("M1", status="preliminary"))
    assert msa(acks[0])[:2] == ["AA", "M1"]
    assert (SDH, "present", 1, "preliminary") in study_candidates(mined_archive.pk)

    acks = send(listener, message("M2", status="final"))
    assert msa(acks[0])[:2] == ["AA", "M2"]
    assert (SDH, "present", 2, "final") in study_candidates(mined_archive.pk)
    assert all(row[2] == 2 for row in study_candidates(mined_archive.pk))  # the preliminary's verdicts are gone

    acks = send(listener, message("M3", text=NO_SDH_TEXT, status="corrected"))
    assert msa(acks[0])[:2] == ["AA", "M3"]
    assert study_candidates(mined_archive.pk) == []  # the correction says no hemorrhage: no candidate left
    revisions = list(Report.objects.order_by("revision").values_list("revision", "result_status", "is_current"))
    assert revisions == [(1, "preliminary", False), (2, "final", False), (3, "corrected", True)]
    assert all(r.study_id == mined_archive.pk for r in Report.objects.all())
    assert listener.counts == {"created": 1, "revised": 2}


def test_a_duplicate_is_acknowledged_and_changes_nothing(listener, mined_archive):
    first, again = send(listener, message("M1"), message("M1"))
    assert msa(first)[0] == msa(again)[0] == "AA"
    assert Report.objects.count() == 1
    assert listener.counts == {"created": 1, "duplicate": 1}


def test_a_preliminary_arriving_after_the_final_does_not_displace_it(listener, mined_archive):
    send(listener, message("M2", status="final"), message("M1", text=NO_SDH_TEXT, status="preliminary"))
    current = Report.objects.get(is_current=True)
    assert (current.revision, current.result_status) == (1, "final")
    assert (SDH, "present", 1, "final") in study_candidates(mined_archive.pk)


def test_a_cancelled_report_withdraws_its_candidates(listener, mined_archive):
    send(listener, message("M1"))
    assert study_candidates(mined_archive.pk)
    (reply,) = send(listener, message("M2", text="", status="cancelled"))
    assert msa(reply)[0] == "AA"
    assert not Report.objects.filter(is_current=True).exists()
    assert study_candidates(mined_archive.pk) == []


@pytest.mark.parametrize(("raw", "code", "kind"), [
    ("this is not HL7", "AR", "unparseable"),
    (message("M9").replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01"), "AR", "not-oru"),
    (message("M9").replace("|PACC-77001|ACC-77001|", "|||"), "AE", "no-accession"),
    (message("M9").replace("|20260302", "|2026XX02"), "AE", "bad-date"),
    (message("M9", text=""), "AE", "empty-text"),
])
def test_a_malformed_message_is_answered_with_the_reason_and_quarantined(listener, mined_archive, raw, code, kind):
    (reply,) = send(listener, raw)
    assert msa(reply)[0] == code
    assert kind in reply  # MSA-3 says why
    quarantined = QuarantinedMessage.objects.get()
    assert (quarantined.channel, quarantined.error_kind, quarantined.raw) == ("hl7", kind, raw.replace("\n", "\r"))
    assert not Report.objects.exists()
    assert listener.counts == {kind: 1}


def test_an_unknown_sending_facility_is_refused_counted_and_not_kept(listener, mined_archive, caplog):
    (reply,) = send(listener, message("M1").replace("SYNTH_HOSP", "OTHER_HOSP"))
    assert msa(reply)[:2] == ["AR", "M1"]
    assert "unknown-sender" in reply
    assert listener.refusals == 1
    assert not Report.objects.exists() and not QuarantinedMessage.objects.exists()
    assert "unknown-sender" in caplog.text and PHI["patient_id"] not in caplog.text


def test_a_broken_frame_closes_the_connection_and_the_listener_goes_on(listener, mined_archive):
    with socket.create_connection(("127.0.0.1", listener.port), timeout=5) as sock:
        sock.sendall(b"MSH|no start block\x1c\r")
        assert sock.recv(100) == b""  # closed without an answer: there was no message to acknowledge
    (reply,) = send(listener, message("M1"))
    assert msa(reply)[0] == "AA"
    assert listener.counts["bad-framing"] == 1


def test_socat_sends_a_message_and_reads_the_ack(listener, mined_archive):
    if shutil.which("socat") is None:
        pytest.fail("socat is not installed: apt-get install socat (scripts/system-deps.sh does it)")
    framed = b"\x0b" + message("M1").encode() + b"\x1c\r"
    result = subprocess.run(["socat", "-t", "5", "-", f"TCP:127.0.0.1:{listener.port}"], input=framed,
                            capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert msa(result.stdout.decode().strip("\x0b\x1c\r"))[:2] == ["AA", "M1"]
    assert Report.objects.get().result_status == "final"


def test_the_command_serves_mllp_send_and_stops_on_sigterm(mined_archive, tmp_path, test_data_dir):
    """`manage.py hl7_listener` as its own process, fed by python-hl7's `mllp_send` command-line client."""
    from django.conf import settings

    from tests.conftest import _database_url

    from .feeds import DATE

    with socket.socket() as sock:  # a free port for the listener process
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_ALWAYS_EAGER": "1",
           "RADCURATE_DEID_KEY": settings.RADCURATE_DEID_KEY, "RADCURATE_DATA_DIR": str(test_data_dir)}
    log = tmp_path / "listener.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "manage.py", "hl7_listener", "--port", str(port)],
                                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "MLLP)" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        (tmp_path / "m.hl7").write_text(message("CLI1").replace("\r", "\n"))
        sent = subprocess.run([str(Path(sys.executable).parent / "mllp_send"), "--loose", "--port", str(port),
                               "--file", str(tmp_path / "m.hl7"), "127.0.0.1"], capture_output=True, timeout=60)
        assert "MSA|AA|CLI1" in sent.stdout.decode(), sent
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()
    assert "Stopped; messages by outcome: {'created': 1}" in log.read_text()
    report = Report.objects.get()
    assert (report.report_date, report.study_id, report.result_status) == (DATE, mined_archive.pk, "final")
