"""No PHI outside the linkage table: stored files, every database table, DICOMweb and the archive API and pages.

Two cohorts carry the PHI: the fixture study with an identifier in every place Annex E lists (sequences,
private tags, overlays included), and the synthetic cohort with realistic names, ids and addresses.
"""

import datetime as dt
import io
from pathlib import Path

import pydicom
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from curation.dicom.deidentify import pseudonymize
from curation.dicom.store import DICOM_PREFIX
from curation.models import IdentityLink, Instance, Series, Study
from curation.services.archive import ingest_paths
from synth.cohort import generate_cohort

from .conftest import ACCESSION, PHI_MARKERS

pytestmark = pytest.mark.django_db

KEY = "phi-test-key"  # fixed, so pseudonyms (and any accidental marker collision) are reproducible
_IDENTIFYING = ("PatientName", "PatientID", "AccessionNumber", "InstitutionName", "InstitutionAddress",
                "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName", "PatientAddress",
                "PatientTelephoneNumbers", "PatientBirthDate", "StudyDate", "StationName", "DeviceSerialNumber",
                "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")


@pytest.fixture(autouse=True)
def _fixed_key(settings):
    settings.RADCURATE_DEID_KEY = KEY


def _original_identifiers(files: list[Path]) -> set[str]:
    """Every identifying value in the original files, split into name components, dates in two spellings."""
    found: set[str] = set()
    for path in files:
        ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
        for elem in ds.iterall():
            if elem.keyword in _IDENTIFYING or elem.tag.is_private and isinstance(elem.value, str):
                found.update(str(elem.value).replace("^", " ").split(" ") if elem.VR == "PN" else [str(elem.value)])
    dates = {v for v in found if len(v) == 8 and v.isdigit()}
    found |= {f"{v[:4]}-{v[4:6]}-{v[6:]}" for v in dates}
    return {v.strip() for v in found if len(v.strip()) >= 6}


def _stored_files() -> bytes:
    blobs = []

    def walk(prefix):
        dirs, files = default_storage.listdir(prefix)
        blobs.extend(default_storage.open(f"{prefix}/{f}").read() for f in files)
        for d in dirs:
            walk(f"{prefix}/{d}")

    walk(DICOM_PREFIX)
    assert blobs, "nothing was stored"
    return b"\n".join(blobs)


def _database_text() -> str:
    """Every row of every table, as text, except the linkage table (the one place originals may live)."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == IdentityLink._meta.db_table:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (table names from introspection)
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _dicomweb_and_api_text(api, client) -> bytes:
    """Every DICOMweb and archive response a non-admin can get for the archive's content."""
    bodies = []
    get = lambda url, **kw: bodies.append(_content(api.get(url, **kw)))  # noqa: E731
    for level in ("studies", "series", "instances"):
        get(f"/dicomweb/{level}", data={"includefield": "all"})
    for study in Study.objects.all():
        base = f"/dicomweb/studies/{study.study_uid}"
        get(base)
        get(f"{base}/metadata")
        get(f"{base}/series", data={"includefield": "all"})
        get(f"{base}/instances", data={"includefield": "all"})
        for series in Series.objects.filter(study=study):
            get(f"{base}/series/{series.series_uid}")
            get(f"{base}/series/{series.series_uid}/metadata")
            for inst in Instance.objects.filter(series=series):
                url = f"{base}/series/{series.series_uid}/instances/{inst.sop_uid}"
                get(url)
                get(f"{url}/metadata")
                get(f"{url}/frames/1")
                get("/dicomweb/wado", data={"requestType": "WADO", "studyUID": study.study_uid,
                                            "seriesUID": series.series_uid, "objectUID": inst.sop_uid})
        get(f"/api/archive/studies/{study.study_uid}/")
    get("/api/archive/studies/")
    get("/api/archive/rejections/")
    get("/api/archive/jobs/")
    for name in ("archive-studies", "archive-rejections", "archive-upload"):
        bodies.append(client.get(reverse(name)).content)
    return b"\n".join(bodies)


def _assert_absent(markers, haystack: bytes, where: str):
    leaked = sorted(m for m in markers if m.encode() in haystack)
    assert not leaked, f"PHI in {where}: {leaked}"


def _stow(api, files: list[Path]):
    boundary = "phitestboundary"
    body = b"".join(
        b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + p.read_bytes() + b"\r\n"
        for p in files
    ) + b"--" + boundary.encode() + b"--\r\n"
    return api.generic("POST", "/dicomweb/studies", body,
                       content_type=f'multipart/related; type="application/dicom"; boundary={boundary}')


def test_no_phi_anywhere_for_the_annex_e_study(phi_study, api_for, client, users):
    stow = _stow(api_for("curator"), phi_study["files"][:3])  # part of the study over STOW-RS
    assert stow.status_code == 200
    summary = ingest_paths([phi_study["folder"]])
    assert summary.accepted == 7 and summary.duplicate == 3
    markers = set(PHI_MARKERS) | set(phi_study["original_uids"]) | _original_identifiers(phi_study["files"])
    client.force_login(users["curator"])
    _assert_absent(markers, _stored_files(), "stored files")
    _assert_absent(markers, _database_text().encode(), "the database outside IdentityLink")
    _assert_absent(markers, stow.content + _dicomweb_and_api_text(api_for("radiologist"), client),
                   "DICOMweb, API or page responses")
    link = IdentityLink.objects.get()
    assert link.original_accession == ACCESSION
    assert Study.objects.get().accession_pseudonym == pseudonymize(ACCESSION, key=KEY, kind="accession")


def test_no_phi_anywhere_for_the_synthetic_cohort(tmp_path, api_for, client, users):
    generate_cohort(tmp_path / "cohort", studies=3, seed=11, size=32, slices=5, broken_fraction=1.0)
    files = sorted(p for p in (tmp_path / "cohort" / "dicom").rglob("*.dcm"))
    summary = ingest_paths([tmp_path / "cohort" / "dicom"])
    assert summary.accepted > 0 and summary.n_rejected >= 3  # every study has broken files
    valid = [p for p in files if _readable(p)]
    markers = _original_identifiers(valid)
    assert len(markers) > 20
    client.force_login(users["curator"])
    _assert_absent(markers, _stored_files(), "stored files")
    _assert_absent(markers, _database_text().encode(), "the database outside IdentityLink")
    _assert_absent(markers, _dicomweb_and_api_text(api_for("trainer"), client), "DICOMweb, API or page responses")
    today = dt.date.today()
    assert all(s.study_date is None or s.study_date < today for s in Study.objects.all())


def _readable(path: Path) -> bool:
    try:
        ds = pydicom.dcmread(io.BytesIO(path.read_bytes()), stop_before_pixels=True)
    except Exception:
        return False
    return "PatientID" in ds and "StudyInstanceUID" in ds and "SeriesInstanceUID" in ds


def test_linkage_table_is_the_only_place_with_originals(phi_study):
    ingest_paths([phi_study["folder"]])
    assert settings.RADCURATE_DEID_KEY == KEY
    markers = {"PHIMRN4711", "PHIDOE"}
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{IdentityLink._meta.db_table}"')  # noqa: S608
        linkage = repr(cursor.fetchall())
    assert all(m in linkage for m in markers)  # the test above would pass vacuously if they were never stored


def test_a_rejected_file_named_after_its_patient_leaves_no_name_in_the_log(tmp_path, caplog):
    """Exports from PACS name folders and files after the patient; the rejection keeps the name for curators,
    the log keeps only the rule and the digest."""
    folder = tmp_path / "DOE^JANE_19450203"
    folder.mkdir()
    (folder / "DOE_JANE_head.dcm").write_bytes(b"not a DICOM file at all")
    with caplog.at_level("DEBUG"):
        summary = ingest_paths([folder])
    assert summary.rejected == {"not_dicom": 1}
    assert "ingest rejected" in caplog.text
    assert "DOE" not in caplog.text and "19450203" not in caplog.text
