"""WADO-RS transfer-syntax negotiation and compressed DICOM JSON, with real clients against the live server.

dicomweb-client asks for frames and series in a lossless compressed syntax and must get pixels identical to the
stored ones; an Accept nothing can satisfy gets 406 (PS3.18 8.7.3.5); QIDO and metadata come gzip or Brotli
compressed to a client that accepts it (requests, curl), and HTML pages never do.
"""

import gzip
import io
import json
import subprocess

import brotli
import jpeg_ls
import numpy as np
import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from django.core.files.storage import default_storage
from pydicom.uid import JPEGLSLossless, RLELossless, generate_uid
from rest_framework.authtoken.models import Token

from curation.dicom.store import read_bytes
from curation.dicom.transcode_cache import cache_path, cache_trim
from curation.dicomweb.negotiation import NotAcceptable, negotiate
from curation.models import Instance
from curation.services.archive import ingest_paths

from .conftest import PHI_MARKERS, axial_series, write_series

pytestmark = pytest.mark.usefixtures("role_groups")

ELE, ILE, JLS = "1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.4.80"
FRAMES_JLS = f'multipart/related; type="image/jls"; transfer-syntax={JLS}'


# --- negotiation rules (no server) -----------------------------------------------------------------------


@pytest.mark.parametrize("accept, stored, frames, expected", [
    ("", ELE, True, [(ELE, True)]),  # no Accept: as stored
    ('multipart/related; type="*/*"', JLS, True, [(JLS, True)]),  # anything: as stored
    # octet-stream carries native pixels only: a compressed frame is decompressed for it
    ('multipart/related; type="application/octet-stream"; transfer-syntax=*', JLS, True, [(ELE, False)]),
    ('multipart/related; type="application/octet-stream"', JLS, True, [(ELE, False)]),  # its default: decompressed
    ('multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2', ELE, True,
     [(ILE, True)]),  # native frame bytes are the same in both little-endian syntaxes
    (f"{FRAMES_JLS}, multipart/related; type=\"application/octet-stream\"; transfer-syntax=*; q=0.5", ELE, True,
     [(JLS, False), (ELE, True)]),
    (f"multipart/related; type=\"application/octet-stream\"; q=0.2, {FRAMES_JLS}; q=0.9", ELE, True,
     [(JLS, False), (ELE, True)]),  # by q, not by order
    ("image/dicom-rle", ELE, True, [(RLELossless, False)]),
    ('multipart/related; type="application/dicom"', ILE, False, [(ILE, True)]),  # stored natively: as stored
    ('multipart/related; type="application/dicom"', JLS, False, [(ELE, False)]),
    (f'multipart/related; type="application/dicom"; transfer-syntax={JLS}', ELE, False, [(JLS, False)]),
    ('multipart/related; type="application/dicom"; transfer-syntax=*', JLS, False, [(JLS, True)]),
])
def test_accept_negotiation(accept, stored, frames, expected):
    choices = negotiate(accept, stored, frames=frames)
    assert [(c.transfer_syntax, c.as_stored) for c in choices] == expected


@pytest.mark.parametrize("accept, frames", [
    ('multipart/related; type="image/jp2"; transfer-syntax=1.2.840.10008.1.2.4.91', True),  # lossy: never made
    ('multipart/related; type="image/jls"; transfer-syntax=1.2.840.10008.1.2.4.90', True),  # wrong type for it
    ("application/dicom+json", True),
    ('multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50', False),
    (f"{FRAMES_JLS}; q=0", True),  # q=0: not acceptable
])
def test_accept_nothing_can_satisfy_is_refused_naming_what_is_offered(accept, frames):
    with pytest.raises(NotAcceptable) as refused:
        negotiate(accept, ELE, frames=frames)
    assert accept.split(";")[0] in str(refused.value) and JLS in str(refused.value)


# --- live server -----------------------------------------------------------------------------------------


def _noisy_signed_series(n=3, size=32):
    """Signed 16-bit CT with air below zero and noise: what a codec gets wrong first if it is not lossless."""
    slices = axial_series(study_uid=generate_uid(), n=n, size=size)
    rng = np.random.default_rng(7)
    for ds in slices:
        ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 15, 1
        ds.RescaleIntercept = 0
        ds.PixelData = rng.integers(-1024, 3000, (size, size)).astype("<i2").tobytes()
    return slices


@pytest.fixture
def archive(live_server, users, tmp_path):
    """A noisy signed series ingested; dicomweb-client and a requests session for a radiologist (token)."""
    paths = write_series(tmp_path / "series", _noisy_signed_series())
    ingest_paths(paths, source="cli")
    token, _ = Token.objects.get_or_create(user=users["radiologist"])
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token.key}"
    instances = list(Instance.objects.select_related("series__study").order_by("slice_index"))
    first = instances[0]
    return {
        "client": DICOMwebClient(url=f"{live_server.url}/dicomweb", session=session),
        "session": session,
        "token": token.key,
        "base": live_server.url,
        "instances": instances,
        "study": first.series.study.study_uid,
        "series": first.series.series_uid,
    }


def _stored_pixels(instance) -> np.ndarray:
    return pydicom.dcmread(io.BytesIO(read_bytes(instance.storage_path))).pixel_array


@pytest.mark.django_db(transaction=True)
def test_dicomweb_client_gets_jpeg_ls_frames_that_decode_to_the_stored_pixels(archive):
    client, instance = archive["client"], archive["instances"][0]
    stored = _stored_pixels(instance)
    frames = client.retrieve_instance_frames(archive["study"], archive["series"], instance.sop_uid,
                                             frame_numbers=[1], media_types=(("image/jls", JLS),))
    assert frames[0][:2] == b"\xff\xd8" and len(frames[0]) < stored.nbytes  # a JPEG-LS codestream, smaller
    decoded = jpeg_ls.decode(np.frombuffer(frames[0], dtype=np.uint8))
    assert np.array_equal(decoded.view(np.int16).reshape(stored.shape), stored)
    assert stored.min() < 0  # the signed values came through
    # The encoding was cached under the stored file's content address, and is what a second request gets.
    cached = cache_path(instance.storage_path, JLS)
    assert default_storage.exists(cached) and instance.sha256 in cached
    again = client.retrieve_instance_frames(archive["study"], archive["series"], instance.sop_uid,
                                            frame_numbers=[1], media_types=(("image/jls", JLS),))
    assert again == frames
    # Uncompressed when asked: the stored bytes themselves.
    raw = client.retrieve_instance_frames(archive["study"], archive["series"], instance.sop_uid, frame_numbers=[1],
                                          media_types=(("application/octet-stream", ELE),))
    assert np.array_equal(np.frombuffer(raw[0], dtype="<i2").reshape(stored.shape), stored)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("syntax", [JPEGLSLossless, RLELossless])
def test_series_retrieve_in_a_lossless_syntax_gives_the_stored_pixels_and_no_phi(archive, syntax):
    datasets = archive["client"].retrieve_series(archive["study"], archive["series"],
                                                 media_types=(("application/dicom", str(syntax)),))
    by_sop = {i.sop_uid: i for i in archive["instances"]}
    assert sorted(ds.SOPInstanceUID for ds in datasets) == sorted(by_sop)
    for ds in datasets:
        assert ds.file_meta.TransferSyntaxUID == syntax
        assert np.array_equal(ds.pixel_array, _stored_pixels(by_sop[ds.SOPInstanceUID]))
    cached = read_bytes(cache_path(archive["instances"][0].storage_path, str(syntax)))
    text = cached.decode("latin-1")
    assert not [marker for marker in PHI_MARKERS if marker in text]


@pytest.mark.django_db(transaction=True)
def test_the_reading_page_accept_gets_jpeg_ls_and_transfer_syntax_star_gets_the_stored_bytes(archive):
    session, instance = archive["session"], archive["instances"][1]
    url = (f"{archive['base']}/dicomweb/studies/{archive['study']}/series/{archive['series']}"
           f"/instances/{instance.sop_uid}/frames/1")
    viewer_accept = (f'{FRAMES_JLS}, multipart/related; type="application/octet-stream"; transfer-syntax=*; q=0.5')
    response = session.get(url, headers={"Accept": viewer_accept})
    assert response.status_code == 200 and 'type="image/jls"' in response.headers["Content-Type"]
    assert f"transfer-syntax={JLS}".encode() in response.content and "Accept" in response.headers["Vary"]
    star = session.get(url, headers={"Accept": 'multipart/related; type="application/octet-stream"; '
                                               "transfer-syntax=*"})
    assert f"transfer-syntax={ELE}".encode() in star.content
    assert read_bytes(instance.storage_path)[instance.pixel_offset:] in star.content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path, accept", [
    ("/instances/{sop}/frames/1", 'multipart/related; type="image/jp2"; transfer-syntax=1.2.840.10008.1.2.4.91'),
    ("/instances/{sop}/frames/1", "text/html"),
    ("", 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50'),
    ("/instances/{sop}", 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.91'),
])
def test_an_accept_nothing_can_satisfy_gets_406_naming_what_is_offered(archive, path, accept):
    sop = archive["instances"][0].sop_uid
    url = f"{archive['base']}/dicomweb/studies/{archive['study']}/series/{archive['series']}{path.format(sop=sop)}"
    response = archive["session"].get(url, headers={"Accept": accept})
    assert response.status_code == 406, response.content[:300]
    error = response.json()["error"]
    assert accept.split(";")[0] in error and JLS in error


@pytest.mark.django_db(transaction=True)
def test_qido_and_metadata_come_compressed_to_clients_that_accept_it(archive):
    base = f"{archive['base']}/dicomweb"
    metadata_url = f"{base}/studies/{archive['study']}/series/{archive['series']}/metadata"
    plain = archive["session"].get(metadata_url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    for url in (metadata_url, f"{base}/studies/{archive['study']}/series/{archive['series']}/instances"):
        for encoding, decode in (("gzip", gzip.decompress), ("br", brotli.decompress)):
            response = archive["session"].get(url, headers={"Accept-Encoding": encoding}, stream=True)
            assert response.headers["Content-Encoding"] == encoding
            body = decode(response.raw.read())  # the bytes as sent, decoded here
            assert json.loads(body) == archive["session"].get(url, headers={"Accept-Encoding": "identity"}).json()
    # dicomweb-client (requests) asks for gzip and Brotli itself and reads the answer as usual.
    seen = []
    archive["session"].hooks["response"].append(lambda r, *a, **k: seen.append(r.headers.get("Content-Encoding")))
    metadata = archive["client"].retrieve_series_metadata(archive["study"], archive["series"])
    assert len(metadata) == 3 and seen[-1] == "br"


@pytest.mark.django_db(transaction=True)
def test_curl_gets_gzip_metadata_and_an_uncompressed_login_page(archive):
    url = f"{archive['base']}/dicomweb/studies/{archive['study']}/series/{archive['series']}/metadata"
    auth = ["-H", f"Authorization: Token {archive['token']}"]
    out = subprocess.run(["curl", "-s", "-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip", *auth, url],
                         capture_output=True, text=True, check=True).stdout.lower()
    assert "content-encoding: gzip" in out
    body = subprocess.run(["curl", "-s", "--compressed", *auth, url], capture_output=True, check=True).stdout
    assert len(json.loads(body)) == 3
    # HTML pages carry CSRF tokens: never compressed (BREACH), whatever the client accepts.
    login = subprocess.run(["curl", "-s", "-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip, br",
                            f"{archive['base']}/login/"], capture_output=True, text=True, check=True).stdout.lower()
    assert "200" in login.splitlines()[0] and "content-encoding" not in login


@pytest.mark.django_db(transaction=True)
def test_the_transcode_cache_is_trimmed_oldest_first_and_refilled_on_demand(archive):
    client = archive["client"]
    for instance in archive["instances"]:
        client.retrieve_instance_frames(archive["study"], archive["series"], instance.sop_uid, frame_numbers=[1],
                                        media_types=(("image/jls", JLS),))
    paths = [cache_path(i.storage_path, JLS) for i in archive["instances"]]
    sizes = [default_storage.size(p) for p in paths]
    result = cache_trim(max_bytes=sizes[-1])  # room for one entry: the newest
    assert result.entries >= 3 and result.removed == result.entries - 1
    assert [default_storage.exists(p) for p in paths] == [False, False, True]  # the newest is kept
    frames = client.retrieve_instance_frames(archive["study"], archive["series"], archive["instances"][0].sop_uid,
                                             frame_numbers=[1], media_types=(("image/jls", JLS),))
    assert frames and default_storage.exists(paths[0])
