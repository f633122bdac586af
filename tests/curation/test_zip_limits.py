"""Zip archives the archive ingests stay within the RADCURATE_ZIP_* limits: a bomb is refused quickly from its
central directory (or while streaming, when it lies), the rejection names the member and the limit, memory never
grows by the member's size, and quarantine keeps a bounded head of every rejected original."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from pydicom.uid import generate_uid

from curation.dicom.store import QUARANTINE_HEAD_BYTES
from curation.models import IngestJob, Instance, Rejection
from curation.services.archive import ingest_paths
from tests.curation.conftest import axial_series, write_series
from tests.zip_bombs import BOMB_BYTES, lying_zip, peak_python_memory, zip_bomb

pytestmark = pytest.mark.django_db


def _quarantined(rejection: Rejection) -> bytes:
    with default_storage.open(rejection.quarantine_path, "rb") as fh:
        return fh.read()


def test_a_zip_bomb_is_refused_naming_the_member_and_limit(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.zip")
    with peak_python_memory() as memory:
        summary = ingest_paths([bomb])
    assert (summary.accepted, summary.n_rejected) == (0, 1)
    rejection = Rejection.objects.get()
    assert (rejection.name, rejection.rule) == ("bomb.zip", "archive_limit")
    assert "member 'zeros.bin'" in rejection.reason and "RADCURATE_ZIP_MAX_RATIO" in rejection.reason
    assert memory["peak"] < BOMB_BYTES / 20
    kept = _quarantined(rejection)
    assert kept == bomb.read_bytes()[:QUARANTINE_HEAD_BYTES] and len(kept) == QUARANTINE_HEAD_BYTES
    assert rejection.sha256 == hashlib.sha256(bomb.read_bytes()).hexdigest()


def test_a_zip_that_lies_about_a_member_size_is_stopped_while_streaming(tmp_path):
    liar = lying_zip(tmp_path / "liar.zip", declared=1000)
    with peak_python_memory() as memory:
        summary = ingest_paths([liar])
    assert summary.n_rejected == 1 and memory["peak"] < BOMB_BYTES / 20
    rejection = Rejection.objects.get()
    assert (rejection.name, rejection.rule) == ("liar.zip:zeros.bin", "archive_limit")
    assert "holds more than the 1,000 bytes its central directory declares" in rejection.reason
    assert len(_quarantined(rejection)) <= QUARANTINE_HEAD_BYTES


def test_too_many_members_refuse_the_archive(tmp_path, settings, ct_series_files):
    settings.RADCURATE_ZIP_MAX_MEMBERS = 3
    paths, _, _ = ct_series_files(4)
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in paths:
            zf.write(p, f"study/{p.name}")
    summary = ingest_paths([archive])
    assert (summary.accepted, summary.n_rejected) == (0, 1) and Instance.objects.count() == 0
    reason = Rejection.objects.get(name="many.zip").reason
    assert f"member 'study/{paths[3].name}' is member 4" in reason and "RADCURATE_ZIP_MAX_MEMBERS" in reason


def test_a_normal_zip_of_real_size_ct_is_ingested(tmp_path):
    slices = axial_series(study_uid=generate_uid(), n=4, size=512)
    paths = write_series(tmp_path / "series", slices)
    archive = tmp_path / "study.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, f"study/{p.name}")
    summary = ingest_paths([archive])
    assert (summary.accepted, summary.n_rejected) == (4, 0) and Instance.objects.count() == 4


def test_upload_job_shows_the_refusal_and_ingests_the_rest(api_for, tmp_path, ct_series_files,
                                                           django_capture_on_commit_callbacks):
    paths, _, _ = ct_series_files(2)
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as zf:
        for p in paths:
            zf.write(p, p.name)
    good.seek(0)
    good.name = "study.zip"
    bomb = open(zip_bomb(tmp_path / "bomb.zip"), "rb")
    api = api_for("curator")
    with django_capture_on_commit_callbacks(execute=True), bomb:
        response = api.post("/api/archive/uploads/", {"files": [good, bomb]}, format="multipart")
    assert response.status_code == 202
    job = api.get(f"/api/archive/jobs/{response.json()['id']}/").json()
    assert (job["status"], job["accepted"], job["rejected"]) == ("done", 2, 1)
    assert job["rejected_by_reason"] == {"archive_limit": 1}
    rejection = Rejection.objects.get(job=IngestJob.objects.get())
    assert rejection.name == "bomb.zip" and "member 'zeros.bin'" in rejection.reason
    assert len(_quarantined(rejection)) == QUARANTINE_HEAD_BYTES


def test_quarantine_keeps_a_bounded_head_of_any_rejected_file(tmp_path, api_for):
    junk = tmp_path / "big-junk.dcm"
    junk.write_bytes(b"not dicom " * 200_000)  # 2 MB, not a zip
    summary = ingest_paths([junk])
    assert summary.n_rejected == 1
    rejection = Rejection.objects.get()
    assert rejection.sha256 == hashlib.sha256(junk.read_bytes()).hexdigest()
    assert rejection.quarantine_path.endswith(f"{rejection.sha256}.head.bin")
    assert _quarantined(rejection) == junk.read_bytes()[:QUARANTINE_HEAD_BYTES]
    response = api_for("admin").get(f"/api/archive/rejections/{rejection.pk}/file/")
    assert response.status_code == 200 and "first-64KiB" in response["Content-Disposition"]
