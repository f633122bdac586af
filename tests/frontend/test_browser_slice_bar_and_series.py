"""The reading page's slice bar and series panel in Debian's Chromium, on real PostgreSQL, through the archive.

Study A has two axial reconstructions of one head (24 slices of 2.5 mm, which the archive chooses as the default,
and 12 of 5 mm with a bleed drawn in): the series panel lists both, the default lit, with thumbnails drawn after the
first image; a slice range marked with the keys shows on the slice bar, a click on the mark and a drag on the bar
move the slice, and the keys still work; switching to the thick series draws its image (the canvas changes) at the
slice nearest in position, with the mark at its own slices; a slice marked there is kept as the default series'
slice, and "/" goes back. Study B has one axial series: it opens in place after the submit, with no series panel
and no marks left from study A.
"""

import re

import pytest

from annotation.models import Read
from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from core.roles import RADIOLOGIST
from curation.models import Study, Trait
from curation.selectors.taxonomy import taxonomy_latest_published
from curation.services.archive import ingest_paths
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import log_in, screenshot, write_ct_series
from tests.frontend.test_browser_reading_room import (
    assignment_of,
    canvas,
    row,
    start_reading,
    wait_next_study,
    wait_ready,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SDH = "subdural_hemorrhage"


@pytest.fixture
def two_studies(tmp_path):
    thin = write_ct_series(tmp_path / "a-thin", n_slices=24, slice_mm=2.5, series_number=3, seed=1)
    write_ct_series(tmp_path / "a-thick", n_slices=12, slice_mm=5.0, series_number=2, seed=1, bleed=True,
                    study_uid=thin["study_uid"])
    write_ct_series(tmp_path / "b", seed=2)
    for folders in ([tmp_path / "a-thin", tmp_path / "a-thick"], [tmp_path / "b"]):  # A first: it is read first
        summary = ingest_paths(folders, source="cli")
        assert summary.n_rejected == 0, summary.as_dict()
    # The archive's UIDs are de-identified: the studies are told apart by their series count, the series by number.
    study_a = Study.objects.select_related("primary_series").get(n_series=2)
    study_b = Study.objects.select_related("primary_series").get(n_series=1)
    series = {s.series_number: s.series_uid for s in study_a.series.all()}
    assert study_a.primary_series.series_uid == series[3]  # the archive's choice: the most slices
    readers = [make_user("reader1", RADIOLOGIST), make_user("reader2", RADIOLOGIST)]
    taxonomy = taxonomy_latest_published(name="head-ct")
    campaign = campaign_create(name="Series", taxonomy=taxonomy, min_reads=2, max_reads=2, slice_ranges=True,
                               gold_every=0, priority_policy="sequential", readers=readers, adjudicators=[])
    campaign_add_studies(campaign=campaign, study_ids=[study_a.pk, study_b.pk])
    campaign_activate(campaign=campaign)
    hotkeys = dict(Trait.objects.filter(taxonomy=taxonomy).values_list("code", "hotkey"))
    return {"campaign": campaign, "thin": series[3], "thick": series[2], "single": study_b.primary_series.series_uid,
            "a": study_a, "b": study_b, "hotkeys": hotkeys}


def slice_is(page, index: int) -> None:
    page.wait_for_function(f"document.querySelector('[data-viewer]').dataset.slice === '{index}'")


def bar_marks(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('[data-slice-bar] [data-kind]')]
        .map((m) => ({ kind: m.dataset.kind, from: Number(m.dataset.from), to: Number(m.dataset.to) }))""")


def bar_point(page, share: float) -> tuple[float, float]:
    box = page.locator("[data-slice-bar]").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] * share


# Which series and slice the canvas was last drawn with: Cornerstone's render event on the viewer element, which
# carries the series and slice set before that image was drawn (a capture listener installed before page scripts).
DRAWN_WATCH = """document.addEventListener('CORNERSTONE_IMAGE_RENDERED', (event) => {
  window.radcurateDrawn = `${event.target.dataset.series}:${event.target.dataset.slice}`;
}, true);"""


# Share of non-black pixels on each series thumbnail.
THUMBS_LIT = """() => [...document.querySelectorAll('[data-series-panel] canvas')].map((c) => {
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let lit = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] > 8) lit += 1;
  return lit / (px.length / 4);
})"""


def wait_drawn(page, series_uid: str, index: int) -> None:
    """Until the canvas holds slice `index` of the series (its render event, never a fixed time)."""
    page.wait_for_function(f"window.radcurateDrawn === '{series_uid}:{index}'")


def show_series(page, series_uid: str, index: int, *, key: str | None = None) -> None:
    """Click the series' button (or press `key`); wait until the viewer has drawn its slice `index`."""
    if key:
        page.keyboard.press(key)
    else:
        page.click(f"[data-series-panel] button[data-series-uid='{series_uid}']")
    page.wait_for_selector(f"[data-viewer][data-series='{series_uid}'][data-first-image=shown]")
    slice_is(page, index)
    wait_drawn(page, series_uid, index)
    assert series_uid in page.evaluate("window.radcurateReading.viewer.viewport.getCurrentImageId()")


def test_slice_bar_marks_and_series_panel(live_server, new_page, two_studies):
    setup = two_studies
    thin, thick = setup["thin"], setup["thick"]
    page = new_page(viewport={"width": 1600, "height": 1000})
    page.add_init_script(DRAWN_WATCH)
    log_in(page, live_server, "reader1", PASSWORD)
    start_reading(page, live_server, setup["campaign"])
    assignment = assignment_of(page)
    assert assignment.campaign_study.study_id == setup["a"].pk

    # Two axial series: both listed (number, slices, thickness; nothing of the patient), the default one lit and shown.
    panel = page.locator("[data-series-panel]")
    assert panel.is_visible()
    labels = {b.get_attribute("data-series-uid"): b.inner_text() for b in panel.locator("button").all()}
    assert labels == {thick: "series 2 · 12 slices · 5 mm thick", thin: "series 3 · 24 slices · 2.5 mm thick default"}
    assert panel.locator("button[aria-pressed=true]").get_attribute("data-series-uid") == thin
    assert page.get_attribute("[data-viewer]", "data-series") == thin
    assert page.inner_text("[data-overlay=slice]") == "13 / 24"
    # After the first image, each button gets its series' middle slice as a thumbnail.
    page.wait_for_function("document.querySelectorAll('[data-series-panel] canvas[data-drawn=true]').length === 2")
    assert min(page.evaluate(THUMBS_LIT)) > 0.2

    # A range marked with the keys shows on the slice bar.
    assert bar_marks(page) == []
    page.keyboard.press(setup["hotkeys"][SDH])
    page.keyboard.press("[")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("]")
    assert row(page, SDH).locator(".slices").inner_text() == "slices 13–15"
    assert bar_marks(page) == [{"kind": "range", "from": 12, "to": 14}]

    # A click on the mark goes to its first slice; a drag on the bar scrolls; the keys still scroll afterwards.
    page.keyboard.press("Home")
    slice_is(page, 0)
    page.locator("[data-slice-bar] [data-kind=range]").click()
    slice_is(page, 12)
    assert page.get_attribute("[data-slice-bar]", "aria-valuenow") == "13"
    page.mouse.move(*bar_point(page, 0.02))
    page.mouse.down()
    slice_is(page, 0)
    page.mouse.move(*bar_point(page, 0.98), steps=5)
    page.mouse.up()
    slice_is(page, 23)
    page.keyboard.press("ArrowUp")
    slice_is(page, 22)
    page.locator("[data-slice-bar] [data-kind=range]").click()
    slice_is(page, 12)
    wait_drawn(page, thin, 12)
    assert page.evaluate("window.radcurateTestRender.window") == "80/40"
    on_thin = canvas(page)

    # The thick series: its own image at the slice nearest in position (2.5 mm x 12 = 5 mm x 6), the mark at its slices.
    show_series(page, thick, 6)
    assert page.inner_text("[data-overlay=slice]") == "7 / 12"
    assert panel.locator("button[aria-pressed=true]").get_attribute("data-series-uid") == thick
    on_thick = canvas(page)
    assert page.get_attribute("[data-viewer]", "data-window") == "80/40"  # the window in use stays, the preset lit
    assert page.get_attribute("[data-preset=brain]", "aria-pressed") == "true"
    assert on_thick["lit"] > 0.2, on_thick
    changed = sum(abs(a - b) > 10 for a, b in zip(on_thin["thumb"], on_thick["thumb"], strict=True))
    assert changed >= 5, changed  # the bleed drawn into the thick series only
    assert bar_marks(page) == [{"kind": "range", "from": 6, "to": 7}]
    screenshot(page, "reading-slice-bar-and-series.png")

    # A slice marked on the thick series is kept as the default series' slice at that position (5 mm x 8 = 2.5 mm x 16).
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    slice_is(page, 8)
    page.keyboard.press(".")
    assert row(page, SDH).locator(".slices").inner_text() == "slices 13–15, 17"
    show_series(page, thin, 16, key="/")  # the key cycles through the study's axial series
    assert bar_marks(page) == [{"kind": "range", "from": 12, "to": 14}, {"kind": "range", "from": 16, "to": 16}]
    assert panel.locator("button[aria-pressed=true]").get_attribute("data-series-uid") == thin
    html = page.content()
    assert not [phi for phi in ("Doe^Jane1", "PID0001", "ACC00001", "19500101") if phi in html]

    # Submit: study B opens in place, one axial series: no panel, no marks of study A.
    page.keyboard.press("Control+Enter")
    wait_next_study(page, assignment)
    wait_ready(page)
    page.wait_for_selector(f"[data-viewer][data-series='{setup['single']}'][data-first-image=shown]")
    assert panel.is_hidden() and panel.locator("button").count() == 0
    assert bar_marks(page) == []
    read = Read.objects.get(assignment=assignment, status="submitted")
    assert read.labels.get(trait__code=SDH).slice_ranges == [[12, 14], [16, 16]]
    assert re.fullmatch(r"\d+ / 12", page.inner_text("[data-overlay=slice]"))
