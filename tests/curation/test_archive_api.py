"""The archive API and pages: role rules, study lists with QC flags, rejections, uploads as jobs with progress."""

import io
import time
import zipfile

import pytest
from django.urls import reverse

from curation.models import IngestJob, Instance, Rejection, Study
from curation.services.archive import ingest_paths

from .conftest import PATIENT_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def ingested(phi_study, tmp_path):
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"junk")
    ingest_paths([phi_study["folder"], junk])
    return phi_study


def _zip_of(paths) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in paths:
            zf.write(p, f"upload/{p.name}")
    buf.seek(0)
    buf.name = "study.zip"
    return buf


@pytest.mark.parametrize("role, studies, rejections, links", [
    ("radiologist", 200, 403, 403),
    ("trainer", 200, 403, 403),
    ("curator", 200, 200, 403),
    ("admin", 200, 200, 200),
    (None, 403, 403, 403),  # no WWW-Authenticate challenge with session auth first: 403
])
def test_role_rules(api_for, ingested, role, studies, rejections, links):
    api = api_for(role)
    assert api.get("/api/archive/studies/").status_code == studies
    assert api.get("/api/archive/rejections/").status_code == rejections
    assert api.get("/api/archive/identity-links/").status_code == links


def test_study_list_shows_series_kinds_and_qc(api_for, ingested):
    body = api_for("radiologist").get("/api/archive/studies/").json()
    assert body["count"] == 1
    study = body["results"][0]
    assert {s["kind"] for s in study["series"]} == {"axial", "localizer", "reformat"}
    axial = next(s for s in study["series"] if s["kind"] == "axial")
    assert study["primary_series"] == axial["series_uid"] and axial["qc_flags"] == {}
    reformat = next(s for s in study["series"] if s["kind"] == "reformat")
    assert reformat["qc_flags"]["reformat"] is True
    detail = api_for("trainer").get(f"/api/archive/studies/{study['study_uid']}/").json()
    assert detail["n_instances"] == 10


def test_rejections_and_identity_links(api_for, ingested):
    rejections = api_for("curator").get("/api/archive/rejections/").json()["results"]
    assert [r["rule"] for r in rejections] == ["not_dicom"] and "junk.dcm" in rejections[0]["reason"]
    links = api_for("admin").get("/api/archive/identity-links/").json()["results"]
    assert links[0]["original_patient_id"] == PATIENT_ID
    rejection = Rejection.objects.get()
    assert api_for("curator").get(f"/api/archive/rejections/{rejection.pk}/file/").status_code == 403
    response = api_for("admin").get(f"/api/archive/rejections/{rejection.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"junk"


def test_upload_runs_as_a_job(api_for, ct_series_files, django_capture_on_commit_callbacks):
    paths, _, _ = ct_series_files(3)
    api = api_for("curator")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/archive/uploads/", {"files": [_zip_of(paths), io.BytesIO(b"junk")]},
                            format="multipart")
    assert response.status_code == 202
    job = api.get(f"/api/archive/jobs/{response.json()['id']}/").json()
    assert (job["status"], job["total"], job["processed"], job["percent"]) == ("done", 4, 4, 100)
    assert (job["accepted"], job["rejected"], job["rejected_by_reason"]) == (3, 1, {"not_dicom": 1})
    assert Instance.objects.count() == 3
    assert api_for("radiologist").post("/api/archive/uploads/", {}, format="multipart").status_code == 403
    assert api.post("/api/archive/uploads/", {}, format="multipart").status_code == 400


def test_pages_for_curators(client, users, ingested):
    client.force_login(users["radiologist"])
    assert client.get(reverse("archive-studies")).status_code == 403
    client.force_login(users["curator"])
    page = client.get(reverse("archive-studies")).content.decode()
    assert Study.objects.get().patient.pseudonym in page and "reformat" in page and "QC ok" in page
    assert PATIENT_ID not in page
    rejections = client.get(reverse("archive-rejections")).content.decode()
    assert "not_dicom" in rejections and "junk.dcm" in rejections
    assert client.get(reverse("archive-upload")).status_code == 200


def test_upload_page_starts_a_job(client, users, ct_series_files, django_capture_on_commit_callbacks):
    paths, _, _ = ct_series_files(2)
    client.force_login(users["curator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive-upload"), {"files": [open(p, "rb") for p in paths]})
    job = IngestJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("archive-job", args=[job.pk])
    assert job.status == "done" and job.accepted == 2
    assert "Ingest job" in client.get(response.url).content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_upload_on_a_real_celery_worker(worker_broker, role_groups, api_for, ct_series_files):
    paths, _, _ = ct_series_files(3)
    api = api_for("curator")
    response = api.post("/api/archive/uploads/", {"files": [_zip_of(paths)]}, format="multipart")
    assert response.status_code == 202
    url = f"/api/archive/jobs/{response.json()['id']}/"
    deadline = time.monotonic() + 60
    job = api.get(url).json()
    while job["status"] in ("pending", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = api.get(url).json()
    assert job["status"] == "done", (job, worker_broker["log"].read_text()[-3000:])
    assert job["accepted"] == 3 and IngestJob.objects.get().task_id
    assert Instance.objects.count() == 3


@pytest.mark.parametrize("who, existing, missing", [
    ("radiologist", 200, 404),
    ("trainer", 200, 404),
    ("norole", 403, 403),  # a user without a role learns nothing, not even whether the instance exists
    ("superuser", 200, 404),
    (None, 403, 403),
])
def test_frames_need_a_role_whether_the_instance_exists_or_not(client, users, ingested, who, existing, missing):
    from tests.conftest import make_user

    instance = Instance.objects.select_related("series__study").first()
    if who == "norole":
        client.force_login(make_user("norole"))
    elif who == "superuser":
        client.force_login(make_user("root", is_superuser=True))
    elif who is not None:
        client.force_login(users[who])  # a session, as the viewer has
    base = f"/dicomweb/studies/{instance.series.study.study_uid}/series/{instance.series.series_uid}/instances"
    response = client.get(f"{base}/{instance.sop_uid}/frames/1")
    assert response.status_code == existing
    if existing == 200:
        assert len(response.content) > instance.frame_length  # the frame inside its multipart body
    assert client.get(f"{base}/2.25.1/frames/1").status_code == missing


def test_a_role_taken_away_counts_from_the_next_request(client, users, ingested):
    from django.contrib.auth.models import Group

    instance = Instance.objects.select_related("series__study").first()
    url = (f"/dicomweb/studies/{instance.series.study.study_uid}/series/{instance.series.series_uid}"
           f"/instances/{instance.sop_uid}/frames/1")
    reader = users["radiologist"]
    client.force_login(reader)
    assert client.get(url).status_code == 200
    reader.groups.remove(Group.objects.get(name="radiologist"))
    assert client.get(url).status_code == 403
    reader.groups.add(Group.objects.get_or_create(name="trainer")[0])
    assert client.get(url).status_code == 200
