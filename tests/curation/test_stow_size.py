"""STOW-RS at real size: 512x512 series of tens of MB, with Content-Length or chunked, memory bounded, the size
limit (413), per-instance outcomes, and session (with CSRF) or token authentication; browser/API uploads of
real-size files, memory bounded, and the file-count cap answered with a reason."""

import io
import random
import tracemalloc

import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from django.test import Client
from pydicom.uid import generate_uid
from rest_framework.authtoken.models import Token

from curation.dicom.deidentify import map_uid
from curation.dicomweb import multipart
from curation.models import IngestJob, Instance, Rejection

from .conftest import axial_series

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]

BOUNDARY = "radcuratestowboundary"
CONTENT_TYPE = f'multipart/related; type="application/dicom"; boundary={BOUNDARY}'
SLICE_BYTES = 512 * 512 * 2


def _encoded(datasets) -> list[bytes]:
    out = []
    for ds in datasets:
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def _body(parts: list[tuple[str, bytes]]) -> bytes:
    chunks = [f"--{BOUNDARY}\r\nContent-Type: {ct}\r\n\r\n".encode() + data + b"\r\n" for ct, data in parts]
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


def _series(n: int, size: int = 512):
    return axial_series(study_uid=generate_uid(), n=n, size=size, shuffle=False)


def _token(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def _stow(live_server, token: str, data, **headers):
    return requests.post(f"{live_server.url}/dicomweb/studies", data=data,
                         headers={"Authorization": f"Token {token}", "Content-Type": CONTENT_TYPE, **headers})


def _referenced(response) -> list[str]:
    return [item["00081155"]["Value"][0] for item in response.json().get("00081199", {}).get("Value", [])]


class _PeakMemory:
    """Peak of Python allocations (all threads, the live server's included) while the block runs."""

    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def test_content_length_body_of_a_real_size_series_is_stored_with_memory_bounded(live_server, users, settings,
                                                                                 tmp_path):
    slices = _series(100)
    body = _body([("application/dicom", raw) for raw in _encoded(slices)])
    assert len(body) > 50 * 1024**2
    path = tmp_path / "stow-body"
    path.write_bytes(body)
    del body  # the client streams the file, so the peak below is the server's
    token = _token(users["curator"])
    # The first ingest in a process imports the classification and export stacks (tens of MB of modules).
    warm_up = _body([("application/dicom", raw) for raw in _encoded(_series(3))])
    assert _stow(live_server, token, warm_up).status_code == 200
    with path.open("rb") as fh, _PeakMemory() as memory:
        response = _stow(live_server, token, fh)
    assert response.request.headers["Content-Length"] == str(path.stat().st_size)
    assert response.status_code == 200, response.text
    key = settings.RADCURATE_DEID_KEY
    assert _referenced(response) == [map_uid(str(ds.SOPInstanceUID), key=key) for ds in slices]
    assert "00081198" not in response.json()
    assert Instance.objects.count() == 103
    # Held whole, the body alone would be 50 MB; streamed, a few parts are in memory at a time.
    assert memory.peak < path.stat().st_size / 4, f"peak {memory.peak / 1e6:.1f} MB"


def test_dicomweb_client_sends_a_real_size_series_chunked(live_server, users, settings):
    sent = []
    session = requests.Session()
    session.headers["Authorization"] = f"Token {_token(users['curator'])}"
    session.hooks["response"].append(lambda r, *a, **kw: sent.append(r.request.headers))
    client = DICOMwebClient(url=f"{live_server.url}/dicomweb", session=session)
    slices = _series(24)
    result = client.store_instances(datasets=slices)
    assert sent[-1].get("Transfer-Encoding") == "chunked" and "Content-Length" not in sent[-1]
    key = settings.RADCURATE_DEID_KEY
    assert sorted(i.ReferencedSOPInstanceUID for i in result.ReferencedSOPSequence) == sorted(
        map_uid(str(ds.SOPInstanceUID), key=key) for ds in slices)
    assert Instance.objects.count() == 24


def test_body_declared_over_the_limit_gets_413_naming_the_limit_and_stores_nothing(live_server, users, settings):
    settings.RADCURATE_STOW_MAX_BYTES = 1_000_000
    body = _body([("application/dicom", raw) for raw in _encoded(_series(4))])  # about 2 MB
    response = _stow(live_server, _token(users["curator"]), body)
    assert response.status_code == 413, response.text
    assert response.headers["Content-Type"] == "application/dicom+json"
    answer = response.json()
    assert answer["limit_bytes"] == 1_000_000 and "1000000 bytes" in answer["error"]
    assert "RADCURATE_STOW_MAX_BYTES" in answer["error"] and "00081199" not in answer
    assert not Instance.objects.exists() and not Rejection.objects.exists()


def test_chunked_body_growing_over_the_limit_gets_413_and_lists_what_came_before(live_server, users, settings):
    settings.RADCURATE_STOW_MAX_BYTES = 1_200_000
    slices = _series(4)
    body = _body([("application/dicom", raw) for raw in _encoded(slices)])  # about 2 MB
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
    response = _stow(live_server, _token(users["curator"]), chunks)
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == 413, response.text
    answer = response.json()
    assert answer["limit_bytes"] == 1_200_000 and "1200000 bytes" in answer["error"]
    # The two instances received whole before the limit are stored, and said so; the rest is not.
    key = settings.RADCURATE_DEID_KEY
    assert _referenced(response) == [map_uid(str(ds.SOPInstanceUID), key=key) for ds in slices[:2]]
    assert Instance.objects.count() == 2 and not Rejection.objects.exists()
    # The connection and the server are fine afterwards: a body within the limit is stored.
    small = _body([("application/dicom", raw) for raw in _encoded(_series(2, size=16))])
    assert _stow(live_server, _token(users["curator"]), small).status_code == 200


def test_parts_that_are_not_dicom_fail_with_their_reason_and_the_others_are_stored(live_server, users, settings):
    first, second = _encoded(_series(2))
    body = _body([("application/dicom", first), ("application/dicom", b"this is not a DICOM file" * 100),
                  ("text/plain", b"a note"), ("application/dicom", second)])
    response = _stow(live_server, _token(users["curator"]), body)
    assert response.status_code == 202, response.text
    answer = response.json()
    assert len(_referenced(response)) == 2 and Instance.objects.count() == 2
    reasons = [item["00081197"]["Value"][0] for item in answer["00081198"]["Value"]]
    assert reasons == [0xC000, 0xC000]
    warning = response.headers["Warning"]
    assert "STOW-RS part 2: " in warning and "not a DICOM file" in warning
    assert "STOW-RS part 3: Content-Type text/plain is not application/dicom" in warning
    assert Rejection.objects.get().rule == "not_dicom"


def test_truncated_body_is_a_bad_request_that_keeps_the_instances_received_whole(live_server, users):
    body = _body([("application/dicom", raw) for raw in _encoded(_series(3, size=16))])
    response = _stow(live_server, _token(users["curator"]), body[: -len(BOUNDARY) - 20])
    assert response.status_code == 400
    answer = response.json()
    assert "Part 3 is not closed by the boundary" in answer["error"]
    assert len(answer["00081199"]["Value"]) == 2 and Instance.objects.count() == 2


def _session_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/login/")  # sets the CSRF cookie, as any page with a form does
    return client, client.cookies["csrftoken"].value


def test_session_login_stores_with_a_csrf_token_and_is_refused_without(users):
    body = _body([("application/dicom", raw) for raw in _encoded(_series(2, size=16))])
    client, csrf = _session_client(users["curator"])
    refused = client.post("/dicomweb/studies", data=body, content_type=CONTENT_TYPE)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Instance.objects.exists()
    stored = client.post("/dicomweb/studies", data=body, content_type=CONTENT_TYPE, HTTP_X_CSRFTOKEN=csrf)
    assert stored.status_code == 200, stored.content
    assert len(stored.json()["00081199"]["Value"]) == 2 and Instance.objects.count() == 2


def test_token_stores_without_csrf(users):
    body = _body([("application/dicom", raw) for raw in _encoded(_series(1, size=16))])
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {_token(users['curator'])}")
    response = client.post("/dicomweb/studies", data=body, content_type=CONTENT_TYPE)
    assert response.status_code == 200, response.content
    assert Instance.objects.count() == 1


def test_parts_are_split_whatever_the_read_sizes():
    """Delimiters straddling reads, an empty part, a part without headers, a preamble and an epilogue."""
    rng = random.Random(7)
    payloads = [b"", b"\r\n--radcuratestowboundar", rng.randbytes(3000), b"x" * 70000, b"--" + b"\r\n" * 5]
    body = b"preamble\r\n" + _body([("application/dicom", p) for p in payloads]) + b"epilogue"
    body = body.replace(b"Content-Type: application/dicom\r\n\r\n" + payloads[2], b"\r\n" + payloads[2], 1)
    for _ in range(20):
        stream = io.BytesIO(body)
        parts = list(multipart.iter_parts(lambda size, s=stream: s.read(rng.choice([1, 2, 7, 64, size])), BOUNDARY))
        assert [p.body for p in parts] == payloads and [p.number for p in parts] == [1, 2, 3, 4, 5]
        assert parts[2].headers == {} and parts[0].content_type == "application/dicom"


def test_upload_of_a_real_size_series_streams_the_files_to_disk(live_server, users, tmp_path):
    files = _encoded(_series(48))
    fields = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{n:03d}.dcm"\r\n'
              f"Content-Type: application/dicom\r\n\r\n".encode() + raw + b"\r\n" for n, raw in enumerate(files)]
    path = tmp_path / "upload-body"
    path.write_bytes(b"".join(fields) + f"--{BOUNDARY}--\r\n".encode())
    del files, fields
    token = _token(users["curator"])
    url = f"{live_server.url}/api/archive/uploads/"
    # The first ingest in a process imports the classification and export stacks (tens of MB of modules).
    warm_up = requests.post(url, files=[("files", io.BytesIO(raw)) for raw in _encoded(_series(2, size=16))],
                            headers={"Authorization": f"Token {token}"})
    assert warm_up.status_code == 202, warm_up.text
    with path.open("rb") as fh, _PeakMemory() as memory:
        response = requests.post(url, data=fh, headers={
            "Authorization": f"Token {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 202, response.text
    assert IngestJob.objects.get(pk=response.json()["id"]).accepted == 48
    # Django's parser writes each file of a request over 2.5 MB to a temporary file as it arrives.
    assert memory.peak < path.stat().st_size / 4, f"peak {memory.peak / 1e6:.1f} MB"


def test_more_files_than_one_upload_takes_are_refused_saying_so(api_for, users, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = [io.BytesIO(raw) for raw in _encoded(_series(4, size=16))]
    response = api_for("curator").post("/api/archive/uploads/", {"files": files}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"files": [
        "At most 3 files in one upload: upload a zip of the series, or the files in several uploads."]}
    client = Client()
    client.force_login(users["curator"])
    page = client.post("/archive/upload/", {"files": [io.BytesIO(raw) for raw in _encoded(_series(4, size=16))]})
    assert page.status_code == 200 and "At most 3 files in one upload" in page.content.decode()
    assert not IngestJob.objects.exists()
