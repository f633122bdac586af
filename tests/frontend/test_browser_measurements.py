"""A radiologist measures a length and reads HU in Debian's Chromium, on real PostgreSQL, through the archive.

The synthetic study's geometry is known (64x64 pixels of 0.5 mm, identity orientation, ImagePositionPatient
(-16, -16, 5k)) and so are its pixel values (tests/frontend/conftest.py's phantom). The test turns image pixels into
screen points with that geometry and the viewport's own world-to-canvas transform, drags Cornerstone's length,
probe and ellipse tools there, and checks what the viewer lists against the spacing and the stored values.
Measurements are working aids: nothing is sent to the server and the read's labels stay as they were.
"""

import re

import numpy as np
import pytest

from annotation.models import Read
from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from core.roles import CURATOR, RADIOLOGIST
from curation.selectors.taxonomy import taxonomy_latest_published
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import ingest_phantom_studies, log_in, phantom_volume, screenshot
from tests.frontend.test_browser_reading_room import wait_ready, watch_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZE, SPACING_MM, ORIGIN_MM = 64, 0.5, -16.0  # write_ct_series' defaults: size 64, PixelSpacing 0.5, IPP -size/4


def screen_point(page, col: float, row: float) -> tuple[float, float]:
    """The page coordinates of image pixel (col, row) on the slice on screen, from the study's own geometry."""
    return tuple(page.evaluate(
        """([x, y]) => {
          const viewport = window.radcurateReading.viewer.viewport;
          const z = viewport.getCamera().focalPoint[2];
          const [cx, cy] = viewport.worldToCanvas([x, y, z]);
          const box = viewport.element.getBoundingClientRect();
          return [box.left + cx, box.top + cy];
        }""",
        [ORIGIN_MM + col * SPACING_MM, ORIGIN_MM + row * SPACING_MM],
    ))


def drag(page, start, end) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()


def measurement(page, tool: str) -> dict:
    """The one listed measurement of `tool`, once its drawing has ended: its text and numbers read together."""
    item = page.locator(f"[data-measurements] li[data-tool={tool}][data-complete=true]")
    item.wait_for()
    return item.evaluate("(li) => ({ text: li.textContent, ...li.dataset })")


def pick_tool(page, name: str) -> None:
    page.click(f".left-tools button[data-tool={name}]")
    assert page.locator(f".left-tools button[data-tool={name}]").get_attribute("class") == "on"


def reads_of(campaign) -> list:
    return sorted(Read.objects.filter(assignment__campaign=campaign).values_list("status", "labels__trait__code",
                                                                                  "labels__state"))


@pytest.fixture
def one_study_campaign(tmp_path):
    studies = ingest_phantom_studies(tmp_path, [{}])
    readers = [make_user("reader1", RADIOLOGIST), make_user("reader2", RADIOLOGIST)]
    curator = make_user("curator1", CURATOR)
    campaign = campaign_create(
        name="Measure", taxonomy=taxonomy_latest_published(name="head-ct"), created_by=curator, min_reads=2,
        max_reads=2, slice_ranges=True, gold_every=0, priority_policy="sequential", readers=readers,
        adjudicators=[],
    )
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies])
    campaign_activate(campaign=campaign)
    return campaign


def test_radiologist_measures_a_length_and_reads_hu(new_page, live_server, one_study_campaign):
    volume = phantom_volume(12, SIZE, bleed=False)
    page = new_page(viewport={"width": 1600, "height": 1000})
    watch_renders(page)
    log_in(page, live_server, "reader1", PASSWORD)
    page.goto(f"{live_server.url}/reading/")
    page.locator(f".campaign[data-campaign='{one_study_campaign.pk}']").get_by_role(
        "button", name=re.compile("Start reading|Continue reading")).click()
    page.wait_for_url(re.compile(r"/reading/assignments/\d+/$"))
    wait_ready(page)
    page.wait_for_selector("[data-viewer][data-tools=ready]")
    page.wait_for_function("window.radcurateTestRender && window.radcurateTestRender.window === '80/40'")

    # The window in use is lit in the toolbar, and follows the keys.
    assert page.get_attribute("[data-preset=brain]", "aria-pressed") == "true"
    page.keyboard.press("4")
    page.wait_for_function("document.querySelector('[data-preset=bone]').getAttribute('aria-pressed') === 'true'")
    assert page.get_attribute("[data-preset=brain]", "aria-pressed") == "false"
    page.keyboard.press("1")

    # At 1600 px no trait name is cut off.
    cut = page.evaluate("""() => [...document.querySelectorAll('.trait .name')]
        .filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent)""")
    assert cut == [], cut
    labels_before = reads_of(one_study_campaign)
    sent = []
    page.on("request", lambda r: r.method != "GET" and sent.append((r.method, r.url)))

    # Length: 32 pixels along a row at 0.5 mm is 16 mm.
    pick_tool(page, "length")
    drag(page, screen_point(page, 16, 30), screen_point(page, 48, 30))
    length = measurement(page, "Length")
    assert abs(float(length["length"]) - 32 * SPACING_MM) < 0.3, length
    assert re.fullmatch(r"Length 1[56]\.\d mm", length["text"]), length

    # Probe: the ventricle's stored value (5 HU) at the centre, brain (35 HU) above it, on every slice.
    pick_tool(page, "probe")
    for n, (col, row) in enumerate([(32, 32), (32, 20)]):
        expected = set(np.unique(volume[:, row, col]).tolist())
        assert len(expected) == 1, expected
        page.mouse.click(*screen_point(page, col, row))
        shown = page.locator("[data-measurements] li[data-tool=Probe][data-complete=true]").nth(n)
        shown.wait_for()
        probe = shown.evaluate("(li) => ({ text: li.textContent, ...li.dataset })")
        assert float(probe.get("value", "nan")) == expected.pop(), probe
        assert probe["text"].endswith(" HU"), probe

    # Ellipse in the brain around pixel (32, 22), half-axes 4 and 2 pixels: mean 35 HU, SD 0, area pi*2*1 mm^2.
    pick_tool(page, "ellipse")
    drag(page, screen_point(page, 32, 22), screen_point(page, 36, 24))
    ellipse = measurement(page, "EllipticalROI")
    assert float(ellipse["mean"]) == 35.0 and float(ellipse["stdDev"]) == 0.0, ellipse
    assert abs(float(ellipse["area"]) - np.pi * 2 * 1) < 0.4, ellipse
    assert " HU" in ellipse["text"] and "mm" in ellipse["text"]
    screenshot(page, "viewer-measurements.png")

    # Working aids only: nothing went to the server, the draft's labels are unchanged, and the list holds numbers.
    assert sent == [], sent
    assert reads_of(one_study_campaign) == labels_before
    listed = page.inner_text("[data-measurements]")
    assert "Doe" not in listed and "PID" not in listed and "ACC" not in listed

    # Clear removes them; focus shows a whole trait name even on a narrower screen.
    page.click("[data-clear-measurements]")
    page.wait_for_function("document.querySelectorAll('[data-measurements] li').length === 0")
    page.set_viewport_size({"width": 1280, "height": 900})
    longest = page.evaluate("""() => {
        const names = [...document.querySelectorAll('.trait .name')];
        return names.reduce((a, b) => (b.textContent.length > a.textContent.length ? b : a)).closest('.trait').dataset.code;
      }""")
    page.focus(f".trait[data-code={longest}]")
    assert page.evaluate(f"""() => {{ const n = document.querySelector('.trait[data-code={longest}] .name');
        return n.scrollWidth <= n.clientWidth + 1; }}""")
