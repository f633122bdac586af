"""DICOMweb round trips with a real client: dicomweb-client against the live server (STOW, QIDO, WADO)."""

import io

import numpy as np
import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from pydicom.uid import generate_uid
from rest_framework.authtoken.models import Token

from curation.dicom.deidentify import map_uid, pseudonymize
from curation.models import Instance, Rejection, Series, Study
from curation.services.archive import ingest_paths

from .conftest import ACCESSION, PATIENT_ID, axial_series

# The live server reads committed data from its own thread.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]

PUBLIC = "https://archive.example.org/radcurate"


@pytest.fixture
def client_for(live_server, role_groups, users, settings):
    settings.RADCURATE_PUBLIC_URL = PUBLIC  # BulkDataURIs must use this, whatever Host the request had

    def make(role: str, chunk_size: int | None = None) -> DICOMwebClient:
        token, _ = Token.objects.get_or_create(user=users[role])
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token.key}"
        client = DICOMwebClient(url=f"{live_server.url}/dicomweb", session=session)
        if chunk_size:
            client.set_chunk_size(chunk_size)
        return client

    return make


def _study(n=4):
    return axial_series(study_uid=generate_uid(), n=n)


def test_stow_qido_wado_round_trip(client_for, settings):
    curator = client_for("curator")
    slices = _study(4)
    key = settings.RADCURATE_DEID_KEY
    result = curator.store_instances(datasets=slices)
    stored = [item.ReferencedSOPInstanceUID for item in result.ReferencedSOPSequence]
    assert sorted(stored) == sorted(map_uid(str(ds.SOPInstanceUID), key=key) for ds in slices)
    assert "FailedSOPSequence" not in result

    reader = client_for("radiologist")
    study_uid = map_uid(str(slices[0].StudyInstanceUID), key=key)
    series_uid = map_uid(str(slices[0].SeriesInstanceUID), key=key)
    studies = reader.search_for_studies(search_filters={"PatientID": pseudonymize(PATIENT_ID, key=key,
                                                                                   kind="patient")})
    assert [s["0020000D"]["Value"][0] for s in studies] == [study_uid]
    study = studies[0]
    assert study["00080061"]["Value"] == ["CT"]
    assert study["00201206"]["Value"] == [1] and study["00201208"]["Value"] == [4]
    assert study["00080050"]["Value"] == [pseudonymize(ACCESSION, key=key, kind="accession")]

    series = reader.search_for_series(study_uid)
    assert series[0]["0020000E"]["Value"] == [series_uid] and series[0]["00201209"]["Value"] == [4]
    instances = reader.search_for_instances(study_uid, series_uid)
    assert len(instances) == 4

    metadata = reader.retrieve_series_metadata(study_uid, series_uid)
    z = [m["00200032"]["Value"][2] for m in metadata]
    assert z == sorted(z)  # slice order
    uri = metadata[0]["7FE00010"]["BulkDataURI"]
    assert uri.startswith(f"{PUBLIC}/dicomweb/studies/{study_uid}/series/{series_uid}/instances/")

    sop_uid = metadata[0]["00080018"]["Value"][0]
    frames = reader.retrieve_instance_frames(study_uid, series_uid, sop_uid, frame_numbers=[1])
    instance = Instance.objects.get(sop_uid=sop_uid)
    ds = reader.retrieve_instance(study_uid, series_uid, sop_uid)
    assert frames == [ds.PixelData] and len(frames[0]) == 16 * 16 * 2
    assert ds.PatientID == pseudonymize(PATIENT_ID, key=key, kind="patient") and instance.slice_index == 0
    pixels = np.frombuffer(frames[0], dtype=np.uint16)
    assert int(pixels[0]) == int(np.frombuffer(ds.PixelData, dtype=np.uint16)[0])
    whole = reader.retrieve_series(study_uid, series_uid)
    assert sorted(d.SOPInstanceUID for d in whole) == sorted(stored)


def test_stow_again_is_referenced_without_duplicates(client_for):
    curator = client_for("curator", chunk_size=4096)  # small chunks: dicomweb-client sends the body chunked
    slices = _study(2)
    first = curator.store_instances(datasets=slices, study_instance_uid=str(slices[0].StudyInstanceUID))
    assert len(first.ReferencedSOPSequence) == 2 and "FailedSOPSequence" not in first
    again = curator.store_instances(datasets=slices)
    assert len(again.ReferencedSOPSequence) == 2
    assert Instance.objects.count() == 2


def test_stow_accepts_a_chunked_body(live_server, users, client_for):
    client_for("curator")  # role groups and public URL
    token, _ = Token.objects.get_or_create(user=users["curator"])
    boundary = "chunkedboundary"
    parts = []
    for ds in _study(3):
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        parts.append(f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + buf.getvalue() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    chunks = (body[i : i + 1000] for i in range(0, len(body), 1000))  # a generator: requests sends it chunked
    response = requests.post(
        f"{live_server.url}/dicomweb/studies", data=chunks,
        headers={"Authorization": f"Token {token.key}",
                 "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'},
    )
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 200, response.text
    assert len(response.json()["00081199"]["Value"]) == 3 and Instance.objects.count() == 3


def test_stow_reports_failures_per_instance(client_for, settings):
    good, bad = _study(2)
    del bad.PatientID
    result = client_for("curator").store_instances(datasets=[good, bad])  # 202: partly stored
    assert [i.ReferencedSOPInstanceUID for i in result.ReferencedSOPSequence] == [
        map_uid(str(good.SOPInstanceUID), key=settings.RADCURATE_DEID_KEY)
    ]
    assert [i.FailureReason for i in result.FailedSOPSequence] == [0x0110]
    only_bad = client_for("curator")
    with pytest.raises(requests.HTTPError) as info:
        only_bad.store_instances(datasets=[bad])
    assert info.value.response.status_code == 409


def test_qido_matching_keys(client_for, settings, tmp_path):
    key = settings.RADCURATE_DEID_KEY
    a = axial_series(study_uid=generate_uid(), n=2, study_date="20200110", patient_id="PAT-A", accession="ACC-A")
    b = axial_series(study_uid=generate_uid(), n=3, study_date="20200120", patient_id="PAT-B", accession="ACC-B")
    client_for("curator").store_instances(datasets=a + b)
    reader = client_for("trainer")
    pseudo_a = pseudonymize("PAT-A", key=key, kind="patient")
    everything = reader.search_for_studies()
    assert len(everything) == 2
    assert len(reader.search_for_studies(limit=1)) == 1
    assert len(reader.search_for_studies(offset=1)) == 1
    by_wildcard = reader.search_for_studies(search_filters={"PatientID": pseudo_a[:5] + "*"})
    assert {s["00100020"]["Value"][0] for s in by_wildcard} >= {pseudo_a}
    fuzzy = reader.search_for_studies(search_filters={"PatientName": pseudo_a[:6].lower()}, fuzzymatching=True)
    assert [s["00100020"]["Value"][0] for s in fuzzy] == [pseudo_a]
    accession = pseudonymize("ACC-B", key=key, kind="accession")
    by_accession = reader.search_for_studies(search_filters={"AccessionNumber": accession})
    assert [s["00201208"]["Value"][0] for s in by_accession] == [3]
    dates = sorted(s["00080020"]["Value"][0] for s in everything)
    in_range = reader.search_for_studies(search_filters={"StudyDate": f"{dates[0]}-{dates[0]}"})
    assert len(in_range) == 1
    assert len(reader.search_for_studies(search_filters={"StudyDate": f"-{dates[1]}"})) == 2
    assert reader.search_for_studies(search_filters={"ModalitiesInStudy": "MR"}) == []
    uids = ",".join(s["0020000D"]["Value"][0] for s in everything)
    assert len(reader.search_for_studies(search_filters={"StudyInstanceUID": uids})) == 2
    with_fields = reader.search_for_series(fields=["SliceThickness", "ImageType"])
    assert all(s["00180050"]["Value"] == [5] for s in with_fields) and len(with_fields) == 2
    all_fields = reader.search_for_instances(fields=["all"], limit=1)[0]
    assert "00280030" in all_fields and "7FE00010" not in all_fields
    assert len(reader.search_for_series(search_filters={"Modality": "CT"})) == 2
    assert Series.objects.count() == 2


def test_roles_and_authentication(client_for, live_server):
    slices = _study(1)
    with pytest.raises(requests.HTTPError) as info:
        client_for("radiologist").store_instances(datasets=slices)
    assert info.value.response.status_code == 403
    anonymous = requests.get(f"{live_server.url}/dicomweb/studies")
    assert anonymous.status_code in (401, 403)


def test_wado_uri_returns_the_stored_instance_and_a_rendering(client_for, live_server, users, ct_series_files):
    paths, study_uid, series_uid = ct_series_files(2)
    ingest_paths(paths)
    instance = Instance.objects.select_related("series__study").first()
    token, _ = Token.objects.get_or_create(user=users["radiologist"])
    params = {"requestType": "WADO", "studyUID": instance.series.study.study_uid,
              "seriesUID": instance.series.series_uid, "objectUID": instance.sop_uid,
              "contentType": "application/dicom"}
    headers = {"Authorization": f"Token {token.key}"}
    response = requests.get(f"{live_server.url}/dicomweb/wado", params=params, headers=headers)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/dicom"
    assert pydicom.dcmread(io.BytesIO(response.content)).SOPInstanceUID == instance.sop_uid
    jpeg = requests.get(f"{live_server.url}/dicomweb/wado", params={**params, "contentType": "image/jpeg"},
                        headers=headers)
    assert jpeg.status_code == 200 and jpeg.content[:2] == b"\xff\xd8"


def _stored_files() -> list[str]:
    from django.core.files.storage import default_storage

    def walk(prefix):
        dirs, files = default_storage.listdir(prefix)
        return [f"{prefix}/{f}" for f in files] + [p for d in dirs for p in walk(f"{prefix}/{d}")]

    return walk("dicom") if default_storage.exists("dicom") else []


def test_stow_to_a_study_refuses_an_instance_of_another_study_without_storing_it(client_for, settings):
    key = settings.RADCURATE_DEID_KEY
    own, (foreign,) = _study(2), _study(1)
    files_before = len(_stored_files())
    result = client_for("curator").store_instances(  # 202: partly stored
        datasets=[own[0], foreign, own[1]], study_instance_uid=str(own[0].StudyInstanceUID)
    )
    assert sorted(i.ReferencedSOPInstanceUID for i in result.ReferencedSOPSequence) == sorted(
        map_uid(str(ds.SOPInstanceUID), key=key) for ds in own
    )
    (failed,) = result.FailedSOPSequence
    assert failed.FailureReason == 0xA900
    assert failed.ReferencedSOPInstanceUID == map_uid(str(foreign.SOPInstanceUID), key=key)
    assert failed.ReferencedSOPClassUID == foreign.SOPClassUID
    assert not Instance.objects.filter(sop_uid=map_uid(str(foreign.SOPInstanceUID), key=key)).exists()
    assert not Study.objects.filter(study_uid=map_uid(str(foreign.StudyInstanceUID), key=key)).exists()
    assert Instance.objects.count() == 2 and len(_stored_files()) == files_before + 2
    assert not Rejection.objects.exists()  # the sender's addressing error: nothing quarantined either


def test_stow_to_a_study_accepts_the_archive_uid_and_refuses_all_foreign_with_409(client_for, settings):
    key = settings.RADCURATE_DEID_KEY
    own, foreign = _study(1), _study(1)
    files_before = len(_stored_files())
    archive_uid = map_uid(str(own[0].StudyInstanceUID), key=key)
    stored = client_for("curator").store_instances(datasets=own, study_instance_uid=archive_uid)
    assert len(stored.ReferencedSOPSequence) == 1 and "FailedSOPSequence" not in stored
    with pytest.raises(requests.HTTPError) as info:
        client_for("curator").store_instances(datasets=foreign, study_instance_uid=archive_uid)
    assert info.value.response.status_code == 409
    assert info.value.response.json()["00081198"]["Value"][0]["00081197"]["Value"] == [0xA900]
    assert Instance.objects.count() == 1 and len(_stored_files()) == files_before + 1
