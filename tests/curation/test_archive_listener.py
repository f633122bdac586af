"""The C-STORE listener with Debian's dcmtk as the PACS: echoscu, and storescu pushing a study."""

import shutil
import subprocess

import pydicom
import pytest
from django.core.management import call_command

from curation.dicom.listener import start_listener
from curation.management.commands.dicom_listener import ArchiveSink, admit_known_node
from curation.models import DicomNode, Instance, Rejection, Series, Study

from .conftest import free_port
from .listeners import wait_for

# The listener's association threads write with their own connections: the data must be committed.
pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listener():
    if shutil.which("storescu") is None:
        pytest.fail("dcmtk is not installed: apt-get install dcmtk (scripts/system-deps.sh does it)")
    DicomNode.objects.create(ae_title="PACS", host="127.0.0.1", description="the test's dcmtk")
    port = free_port()
    server = start_listener(port=port, ae_title="RADCURATE", host="127.0.0.1", sink_factory=ArchiveSink,
                            admit=admit_known_node, block=False)
    yield port
    server.shutdown()


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_echoscu_gets_verification(listener):
    result = _run("echoscu", "-v", "-aet", "PACS", "-aec", "RADCURATE", "127.0.0.1", str(listener))
    assert result.returncode == 0, result.stderr
    assert "Received Echo Response (Success)" in result.stdout + result.stderr


def test_storescu_pushes_a_study_with_success_per_instance(listener, ct_series_files, tmp_path):
    paths, _, _ = ct_series_files(5)
    bad = tmp_path / "bad.dcm"
    ds = pydicom.dcmread(paths[0])
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.PatientID = ""
    ds.save_as(bad, enforce_file_format=True)
    result = _run("storescu", "-v", "-aet", "PACS", "-aec", "RADCURATE", "127.0.0.1", str(listener),
                  *map(str, paths), str(bad))
    log = result.stdout + result.stderr
    assert log.count("Received Store Response (Success)") == 5, log
    assert "Received Store Response (Error: CannotUnderstand)" in log, log
    assert wait_for(lambda: Series.objects.filter(needs_refresh=False, n_instances=5).exists())
    series = Series.objects.get()
    assert series.kind == "axial" and series.study.primary_series_id == series.pk
    assert Instance.objects.count() == 5 and Study.objects.count() == 1
    rejection = Rejection.objects.get()
    assert rejection.source == "cstore" and rejection.rule == "missing_tag" and "PatientID" in rejection.reason
    # A PACS pushing the same study again gets success and the archive does not change.
    again = _run("storescu", "-v", "-aet", "PACS", "-aec", "RADCURATE", "127.0.0.1", str(listener), *map(str, paths))
    assert (again.stdout + again.stderr).count("Received Store Response (Success)") == 5
    assert Instance.objects.count() == 5


def test_ingest_dicom_command_prints_a_summary(ct_series_files, tmp_path, capsys):
    paths, _, _ = ct_series_files(3)
    (tmp_path / "series" / "junk.bin").write_bytes(b"junk")
    call_command("ingest_dicom", str(tmp_path / "series"), "--no-progress")
    out = capsys.readouterr().out
    assert "accepted 3, duplicate 0, rejected 1 (not_dicom 1)" in out
    assert "rejected not_dicom: 1" in out
