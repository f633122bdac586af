"""Only known DICOM nodes get in: dcmtk's storescu/echoscu (and pynetdicom over TLS) against the listener.

Every sender here connects from 127.0.0.1; a node registered at another address (10.9.9.9) stands for "the right
AE title from the wrong machine". No traffic ever leaves the loopback interface.
"""

import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from curation.dicom.listener import start_listener, tls_context
from curation.management.commands.dicom_listener import ArchiveSink, Command, admit_known_node, node_check
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
    # 0x0124 Refused: Not Authorised (PS3.7 Annex C, a general DIMSE status); dcmtk names it "Unknown Status".
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


@pytest.fixture
def tls_files(tmp_path):
    """Self-signed certificates for the listener and for the sending node (openssl, as an admin would make them)."""
    files = {}
    for name in ("listener", "node"):
        key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
        files[name] = (str(key), str(cert))
    return files


def test_tls_known_node_stores_over_tls_and_plain_tcp_gets_nothing(tls_files, ct_series_files):
    DicomNode.objects.create(ae_title="PACS", host="127.0.0.1")
    listener_key, listener_cert = tls_files["listener"]
    node_key, node_cert = tls_files["node"]
    # --tls-ca: the node's self-signed certificate is the trust anchor, so only that node's certificate is let in
    server, port = _start(ssl_context=tls_context(cert=listener_cert, key=listener_key, ca=node_cert))
    try:
        paths, _, _ = ct_series_files(2)
        tls = ("+tls", node_key, node_cert, "+cf", listener_cert)
        log = _run("storescu", "-v", *tls, "-aet", "PACS", "-aec", "RADCURATE", "127.0.0.1", str(port),
                   *map(str, paths))
        assert log.count("Received Store Response (Success)") == 2, log
        assert Instance.objects.count() == 2
        # Over TLS the node check still holds.
        assert _rejected_as_unknown(_run("echoscu", "-v", *tls, "-aet", "STRANGER", "-aec", "RADCURATE",
                                         "127.0.0.1", str(port)))
        # A sender without a certificate the listener trusts, and one speaking plain TCP, never associate.
        anonymous = _run("echoscu", "-v", "+tla", "+cf", listener_cert, "-aet", "PACS", "-aec", "RADCURATE",
                         "127.0.0.1", str(port))
        assert "rc=0" not in anonymous and "Echo Response" not in anonymous, anonymous
        plain = _echo(port, "PACS")
        assert "rc=0" not in plain and "Echo Response" not in plain, plain
    finally:
        server.shutdown()


def test_the_command_binds_loopback_by_default_and_checks_its_tls_options(tls_files):
    assert Command().create_parser("manage.py", "dicom_listener").parse_args([]).host == "127.0.0.1"
    key, cert = tls_files["listener"]
    with pytest.raises(CommandError, match="both --tls-cert and --tls-key"):
        call_command("dicom_listener", "--tls-cert", cert)
    with pytest.raises(CommandError, match="Cannot load the TLS"):
        call_command("dicom_listener", "--tls-cert", cert, "--tls-key", cert + ".missing")
