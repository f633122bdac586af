"""The reading page asks for JPEG-LS pixels and shows them exactly: Debian's Chromium against the live server.

With the viewer's pixels setting on "compressed" (on loopback the automatic choice asks for the pixels as stored:
test_browser_pixels_per_link.py), the opening frame and the series stream must come JPEG-LS compressed (the page's
Accept, the archive's negotiation), the page head's preview must draw the opening slice from the compressed bytes (CharLS on the page),
and the viewer's HU probe must read the phantom's values, which a lossy or mis-decoded frame would not give.
"""

import re

import pytest

from tests.conftest import PASSWORD
from tests.frontend.conftest import ingest_phantom_studies, log_in, two_reader_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

JLS = "1.2.840.10008.1.2.4.80"

# Fetches one frame as JPEG-LS and as native bytes, decodes the first with the chunk the page head loaded
# (viewer/jpegls.js) and compares; each body is cut out between its part header and the closing boundary.
SAME_PIXELS = """async (url) => {
  const chunk = performance.getEntriesByType('resource').map((r) => r.name).find((n) => /\\/jpegls-[^/]+\\.js$/.test(n));
  if (!chunk) return 'the page head did not load the JPEG-LS decoder';
  const { decodeJpegLs } = await import(chunk);
  const part = async (accept) => {
    const r = await fetch(url, { headers: { Accept: accept }, credentials: 'same-origin' });
    const bytes = new Uint8Array(await r.arrayBuffer());
    const boundary = r.headers.get('content-type').match(/boundary=([^;]+)/)[1];
    const text = new TextDecoder('latin1').decode(bytes);
    const start = text.indexOf('\\r\\n\\r\\n') + 4;
    return bytes.slice(start, text.lastIndexOf(`\\r\\n--${boundary}--`));
  };
  const jls = await part('multipart/related; type="image/jls"; transfer-syntax=1.2.840.10008.1.2.4.80');
  const raw = await part('multipart/related; type="application/octet-stream"');
  const decoded = await decodeJpegLs(jls);
  if (jls.length >= raw.length) return `not compressed: ${jls.length} bytes`;
  if (decoded.length !== raw.length) return `length ${decoded.length} != ${raw.length}`;
  return decoded.every((b, i) => b === raw[i]) ? 'identical' : 'different';
}"""


@pytest.fixture
def one_study_campaign(tmp_path):
    studies = ingest_phantom_studies(tmp_path, [{"bleed": True}])
    return two_reader_campaign("remote read", studies, ("jls-reader", "jls-reader-2"))


def test_the_reading_page_gets_jpeg_ls_frames_and_series_and_shows_exact_pixels(live_server, new_page,
                                                                                  one_study_campaign):
    page = new_page()
    page.context.add_init_script("localStorage.setItem('radcurate.viewer.pixels', 'compressed')")
    responses = []
    page.on("response", lambda r: responses.append((r.url, r.request.headers.get("accept", ""),
                                                    r.headers.get("content-type", ""))) if "/dicomweb/" in r.url
            else None)
    log_in(page, live_server, "jls-reader", PASSWORD)
    page.goto(f"{live_server.url}/reading/")
    page.locator(f".campaign[data-campaign='{one_study_campaign.pk}'] button").click()
    page.wait_for_url(re.compile(r"/reading/assignments/\d+/$"))
    page.wait_for_function("window.radcurateReading && (window.radcurateReading.ready || window.radcurateReading.error)")
    assert page.evaluate("window.radcurateReading.error") is None
    page.wait_for_selector("[data-viewer][data-series-loaded]")
    assert int(page.get_attribute("[data-viewer]", "data-series-loaded")) == 12  # every slice decoded

    frames = [r for r in responses if "/frames/" in r[0]]
    series = [r for r in responses if re.search(r"/series/[^/]+$", r[0])]
    assert frames and all(f'type="image/jls"; transfer-syntax={JLS}' in accept for _url, accept, _ct in frames)
    assert all('type="image/jls"' in content_type for _url, _accept, content_type in frames)
    assert series and f"transfer-syntax={JLS}" in series[0][1]
    # The page head's decoder (for the preview) gives, from the JPEG-LS frame, the stored bytes exactly.
    assert page.evaluate(SAME_PIXELS, frames[0][0]) == "identical"

    # HU under the cursor: the phantom's ventricle (5 HU) in the middle of the image, exactly as stored.
    box = page.locator("[data-viewer]").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.45)
    page.wait_for_function("/-?\\d+ HU/.test(document.querySelector('[data-overlay=hu]').textContent)")
    assert abs(int(page.inner_text("[data-overlay=hu]").split()[0]) - 5) <= 2
