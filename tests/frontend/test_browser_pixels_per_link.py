"""The reading page asks for compressed pixels only on a slow link, and the reader's setting wins: Debian's Chromium
against the live server, the slow link throttled through the DevTools protocol as bench_viewer.py throttles it.

The study is a noisy 256x256 phantom, so a frame is large enough for the page to time (a flat phantom compresses to
almost nothing). Whatever was asked for, the viewer's image on screen must hold exactly the stored CT values.
"""

import re

import numpy as np
import pydicom
import pytest

from tests.conftest import PASSWORD
from tests.frontend.conftest import log_in, two_reader_campaign, write_ct_series

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

JLS = "1.2.840.10008.1.2.4.80"
SLOW_LINK = {"offline": False, "latency": 40, "downloadThroughput": 20e6 / 8, "uploadThroughput": 20e6 / 8}
SLICES = 12

# The image on screen as CT values, and which slice it is.
SHOWN_HU = """() => {
  const viewer = window.radcurateReading.viewer;
  const image = viewer.viewport.getCornerstoneImage();
  const px = image.getPixelData();
  const scaled = Boolean(image.preScale && image.preScale.scaled);
  const slope = image.slope ?? 1;
  const intercept = image.intercept ?? 0;
  return { index: viewer.viewport.getCurrentImageIdIndex(), rows: image.rows, columns: image.columns,
           values: Array.from(px, (v) => (scaled ? v : v * slope + intercept)) };
}"""


@pytest.fixture
def noisy_study(tmp_path):
    """One 12-slice 256x256 study with +-40 HU of noise; returns (campaign, the HU of each slice by position)."""
    from curation.models import Study
    from curation.services.archive import ingest_paths

    folder = tmp_path / "study-0"
    write_ct_series(folder, n_slices=SLICES, size=256, seed=0)
    rng = np.random.default_rng(7)
    hu_by_z = {}
    for path in sorted(folder.glob("*.dcm")):
        ds = pydicom.dcmread(path)
        stored = ds.pixel_array.astype(np.int32) + rng.integers(-40, 41, size=ds.pixel_array.shape)
        stored = np.clip(stored, 0, 4095).astype(np.uint16)
        ds.PixelData = stored.tobytes()
        ds.save_as(path, enforce_file_format=True)
        hu_by_z[float(ds.ImagePositionPatient[2])] = stored.astype(np.int32) + int(ds.RescaleIntercept)
    summary = ingest_paths([tmp_path], source="cli")
    assert summary.n_rejected == 0, summary.as_dict()
    campaign = two_reader_campaign("per-link pixels", Study.objects.all(), ("link-reader", "link-reader-2"))
    return campaign, [hu_by_z[z] for z in sorted(hu_by_z)]


class PixelRequests:
    """The page's pixel requests (frames and series retrieves) with their Accept and answer's Content-Type."""

    def __init__(self, page):
        self.seen = []
        self.order = []  # ("request" | "response", what) in the order the browser reported them
        page.on("response", self._record)
        page.on("request", lambda r: self.order.append(("request", self._what(r.url))))
        page.on("response", lambda r: self.order.append(("response", self._what(r.url))))

    @staticmethod
    def _what(url):
        return "frame" if "/frames/" in url else "metadata" if url.endswith("/metadata") else url

    def _record(self, response):
        url = response.url
        if "/frames/" in url or re.search(r"/dicomweb/studies/[^/]+/series/[^/?]+$", url):
            kind = "frame" if "/frames/" in url else "series"
            self.seen.append((kind, response.request.headers.get("accept", ""), response.headers.get("content-type", "")))

    def take(self):
        seen, self.seen = self.seen, []
        return seen


def compressed(accept: str) -> bool:
    return accept.startswith("multipart/related; type=") and f"transfer-syntax={JLS}" in accept.split(",")[0]


def as_stored(accept: str) -> bool:
    return "image/jls" not in accept and JLS not in accept and "transfer-syntax=*" in accept


def new_reader_page(new_page, live_server, *, slow: bool):
    page = new_page()
    log_in(page, live_server, "link-reader", PASSWORD)
    if slow:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    return page, PixelRequests(page)


def wait_loaded(page):
    page.wait_for_function("window.radcurateReading && (window.radcurateReading.ready || window.radcurateReading.error)",
                           timeout=60_000)
    assert page.evaluate("window.radcurateReading.error") is None
    page.wait_for_selector("[data-viewer][data-series-loaded]", timeout=60_000)
    assert int(page.get_attribute("[data-viewer]", "data-series-loaded")) == SLICES


def open_study(page, live_server, campaign):
    page.goto(f"{live_server.url}/reading/")
    page.locator(f".campaign[data-campaign='{campaign.pk}'] button").click()
    page.wait_for_url(re.compile(r"/reading/assignments/\d+/$"))
    wait_loaded(page)


def reload(page):
    page.reload()
    wait_loaded(page)


def assert_exact_pixels(page, hu_slices):
    shown = page.evaluate(SHOWN_HU)
    expected = hu_slices[shown["index"]]
    assert (shown["rows"], shown["columns"]) == expected.shape
    assert np.array_equal(np.array(shown["values"]).reshape(expected.shape), expected)


def assert_one_frame_and_one_stream(requests):
    # The choice costs no round trip: one opening frame, one series retrieve, nothing else.
    assert sorted(kind for kind, _accept, _type in requests) == ["frame", "series"], requests


def test_a_slow_link_gets_jpeg_ls_and_loopback_gets_pixels_as_stored(live_server, new_page, noisy_study):
    campaign, hu_slices = noisy_study

    slow, slow_requests = new_reader_page(new_page, live_server, slow=True)
    open_study(slow, live_server, campaign)
    # The page head asks for the opening frame beside the metadata, not after it (the page names the frame).
    assert slow_requests.order.index(("request", "frame")) < slow_requests.order.index(("response", "metadata"))
    for again in (False, True):  # the first open (nothing measured yet), then with the link measured
        if again:
            reload(slow)
        requests = slow_requests.take()
        assert_one_frame_and_one_stream(requests)
        assert all(compressed(accept) for _kind, accept, _type in requests), requests
        frame = next(r for r in requests if r[0] == "frame")
        assert 'type="image/jls"' in frame[2]
        assert_exact_pixels(slow, hu_slices)

    fast, fast_requests = new_reader_page(new_page, live_server, slow=False)
    open_study(fast, live_server, campaign)
    # The first open in a browser asks for JPEG-LS until a response has been timed (here the opening frame): on a
    # loaded machine one response can be slowed by the server, so what it chose is not asserted; the reload is.
    assert_one_frame_and_one_stream(fast_requests.take())
    assert_exact_pixels(fast, hu_slices)
    reload(fast)
    requests = fast_requests.take()
    assert_one_frame_and_one_stream(requests)
    assert all(as_stored(accept) for _kind, accept, _type in requests), requests
    assert not any("image/jls" in content_type or JLS in content_type for _kind, _accept, content_type in requests)
    assert_exact_pixels(fast, hu_slices)
    assert fast.get_attribute("label.pixels-setting", "data-asking") == "as stored"


def test_the_readers_pixels_setting_wins_over_the_link(live_server, new_page, noisy_study):
    campaign, hu_slices = noisy_study

    fast, fast_requests = new_reader_page(new_page, live_server, slow=False)
    open_study(fast, live_server, campaign)
    assert fast.input_value("select[data-pixels]") == "automatic"
    fast.select_option("select[data-pixels]", "compressed")
    assert fast.evaluate("localStorage.getItem('radcurate.viewer.pixels')") == "compressed"
    fast_requests.take()
    reload(fast)  # kept in this browser
    assert fast.input_value("select[data-pixels]") == "compressed"
    requests = fast_requests.take()
    assert_one_frame_and_one_stream(requests)
    assert all(compressed(accept) for _kind, accept, _type in requests), requests
    assert_exact_pixels(fast, hu_slices)

    slow, slow_requests = new_reader_page(new_page, live_server, slow=True)
    open_study(slow, live_server, campaign)
    slow.select_option("select[data-pixels]", "uncompressed")
    slow_requests.take()
    reload(slow)
    requests = slow_requests.take()
    assert_one_frame_and_one_stream(requests)
    assert all(as_stored(accept) for _kind, accept, _type in requests), requests
    assert_exact_pixels(slow, hu_slices)
