"""Only known DICOM nodes get in: dcmtk's storescu/echoscu (and pynetdicom over TLS) against the listener.

Every sender here connects from 127.0.0.1; a node registered at another address (10.9.9.9) stands for "the right
AE title from the wrong machine". No traffic ever leaves the loopback interface.
"""

import shutil
import subprocess
import time

import pytest

from curation.dicom.listener import start_listener
from curation.management.commands.dicom_listener import ArchiveSink, admit_known_node, node_check
from curation.models import DicomNode, Instance

from .conftest import free_port

pytestmark = [pytest.mark.django_db(transaction=True)]


def _start(admit=admit_known_node, ssl_context=None):
    if shutil.which("storescu") is None:
        pytest.fail("dcmtk is not installed: apt-get install dcmtk (scripts/system-deps.sh does it)")
    port = free_port()
    server = start_listener(port=port, ae_title="RADCURATE", host="127.0.0.1", sink_factory=ArchiveSink,
                            admit=admit, ssl_context=ssl_context, block=False)
    return server, port


@pytest.fixture
def listener():
    server, port = _start()
    yield server, port
    server.shutdown()


def _run(*args) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return f"rc={result.returncode}\n{result.stdout}{result.stderr}"


def _store(port, aet, paths) -> str:
    return _run("storescu", "-v", "-aet", aet, "-aec", "RADCURATE", "127.0.0.1", str(port), *map(str, paths))


def _echo(port, aet) -> str:
    return _run("echoscu", "-v", "-aet", aet, "-aec", "RADCURATE", "127.0.0.1", str(port))


def _rejected_as_unknown(log: str) -> bool:
    # dcmtk prints the A-ASSOCIATE-RJ: rejected-permanent, service-user, calling AE title not recognised.
    return ("rc=0" not in log and "Association Rejected" in log and "Rejected Permanent" in log
            and "Calling AE Title Not Recognized" in log)


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_known_node_stores_and_echoes(listener, ct_series_files):
    server, port = listener
    DicomNode.objects.create(ae_title="PACS", host="127.0.0.0/8")
    paths, _, _ = ct_series_files(3)
    log = _store(port, "PACS", paths)
    assert log.count("Received Store Response (Success)") == 3, log
    assert Instance.objects.count() == 3
    assert "Received Echo Response (Success)" in _echo(port, "PACS")
    assert server.refusals.count == 0


def test_an_unknown_ae_title_is_rejected_and_nothing_is_stored(listener, ct_series_files, caplog):
    server, port = listener
    DicomNode.objects.create(ae_title="PACS", host="127.0.0.1")
    paths, _, _ = ct_series_files(3)
    log = _store(port, "STRANGER", paths)
    assert _rejected_as_unknown(log), log
    assert "Store Response" not in log and Instance.objects.count() == 0
    assert _rejected_as_unknown(_echo(port, "STRANGER"))
    assert server.refusals.count == 2
    refusals = [r.getMessage() for r in caplog.records if "Refused association" in r.getMessage()]
    assert refusals and "'STRANGER'" in refusals[0] and "127.0.0.1" in refusals[0]


def test_a_known_ae_title_from_another_address_is_rejected(listener, ct_series_files):
    server, port = listener
    DicomNode.objects.create(ae_title="PACS", host="10.9.9.9")  # the PACS lives elsewhere; we send from 127.0.0.1
    paths, _, _ = ct_series_files(2)
    assert _rejected_as_unknown(_store(port, "PACS", paths))
    assert _rejected_as_unknown(_echo(port, "PACS"))
    assert Instance.objects.count() == 0 and server.refusals.count == 2


def test_a_disabled_node_is_rejected(listener):
    _, port = listener
    DicomNode.objects.create(ae_title="PACS", host="127.0.0.1", enabled=False)
    assert _rejected_as_unknown(_echo(port, "PACS"))


def test_a_node_that_may_not_store_echoes_but_its_instances_are_refused(listener, ct_series_files):
    server, port = listener
    DicomNode.objects.create(ae_title="VIEWER", host="127.0.0.1", may_store=False)
    assert "Received Echo Response (Success)" in _echo(port, "VIEWER")
    paths, _, _ = ct_series_files(2)
    log = _store(port, "VIEWER", paths)
    # 0x0124 Refused: Not Authorised (PS3.7 C.4.2, a general DIMSE status); dcmtk names it "Unknown Status".
    assert "Received Store Response (Unknown Status: 0x124)" in log, log
    assert "rc=0" not in log and "Store Response (Success)" not in log
    assert Instance.objects.count() == 0 and server.refusals.count == 0


def test_accept_any_node_lets_any_node_in(settings, ct_series_files):
    settings.RADCURATE_DICOM_ACCEPT_ANY_NODE = True
    admit = node_check()
    assert admit is None
    server, port = _start(admit=admit)
    try:
        paths, _, _ = ct_series_files(2)
        log = _store(port, "ANYONE", paths)
        assert log.count("Received Store Response (Success)") == 2, log
        assert Instance.objects.count() == 2
    finally:
        server.shutdown()
    settings.RADCURATE_DICOM_ACCEPT_ANY_NODE = False
    assert node_check() is admit_known_node
