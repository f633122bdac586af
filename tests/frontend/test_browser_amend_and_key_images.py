"""Key images and amendments in Debian's Chromium: a reader marks key images with "," on a positive trait, they are
kept in the draft and submitted; then the reader reopens the read from "Your recent reads" and amends it, which
stores a new version and leaves the old one as it was. On the way: the study's pixels arrive in two requests.
"""

import re

import pytest

from annotation.models import Read
from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from core.roles import RADIOLOGIST
from curation.models import Trait
from curation.selectors.taxonomy import taxonomy_latest_published
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import ingest_phantom_studies, log_in
from tests.frontend.test_browser_reading_room import assignment_of, row, start_reading, wait_ready, wait_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ICH, SDH = "intracranial_hemorrhage", "subdural_hemorrhage"


@pytest.fixture
def one_reader_campaign(tmp_path):
    studies = ingest_phantom_studies(tmp_path, [{"bleed": True}])
    readers = [make_user(name, RADIOLOGIST) for name in ("reader1", "reader2")]
    taxonomy = taxonomy_latest_published(name="head-ct")
    campaign = campaign_create(name="Key images", taxonomy=taxonomy, min_reads=2, max_reads=2, slice_ranges=True,
                               gold_every=0, priority_policy="sequential", readers=readers, adjudicators=[])
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies])
    campaign_activate(campaign=campaign)
    return {"campaign": campaign, "hotkeys": dict(Trait.objects.filter(taxonomy=taxonomy).values_list("code", "hotkey"))}


def slice_index(page) -> int:
    return int(page.get_attribute("[data-viewer]", "data-slice"))


def go_to_slice(page, index: int) -> None:
    page.evaluate(f"window.radcurateReading.viewer.jumpTo({index})")
    page.wait_for_function(f"document.querySelector('[data-viewer]').dataset.slice === '{index}'")


def key_images_shown(page, code) -> str:
    return row(page, code).locator(".slices").get_attribute("data-key-images")


def mark_key_images_and_submit(page, live_server, setup) -> tuple[Read, list[int]]:
    pixels = []
    page.on("request", lambda r: "/dicomweb/" in r.url and not r.url.endswith("/metadata") and pixels.append(r.url))
    start_reading(page, live_server, setup["campaign"])
    assignment = assignment_of(page)
    page.wait_for_selector("[data-viewer][data-series-loaded]")
    # The pixels travel in two requests: the opening slice as a WADO-RS frame, the series as one WADO-RS retrieve.
    series_uid = assignment.campaign_study.study.primary_series.series_uid
    assert sum("/frames/" in url for url in pixels) == 1, pixels
    assert sum(url.endswith(f"/series/{series_uid}") for url in pixels) == 1, pixels
    assert page.get_attribute("[data-viewer]", "data-series-loaded") == "12"
    page.keyboard.press(",")  # no trait chosen yet: the page says so and marks nothing
    wait_status(page, "Pick a trait first")
    page.keyboard.press(setup["hotkeys"][SDH])
    first = slice_index(page)
    page.keyboard.press(",")
    go_to_slice(page, first + 2)
    page.keyboard.press(",")
    go_to_slice(page, first + 1)
    page.keyboard.press(",")
    page.keyboard.press(",")  # the same slice twice: toggled off again
    assert key_images_shown(page, SDH) == f"{first},{first + 2}"
    assert f"key {first + 1}, {first + 3}" in row(page, SDH).locator(".slices").inner_text()
    wait_status(page, "draft saved")
    draft = Read.objects.get(assignment=assignment, status="draft")
    assert draft.labels.get(trait__code=SDH).key_images == [first, first + 2]

    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url.endswith("/reading/"))  # the campaign's only study: back to the worklist
    read = Read.objects.get(assignment=assignment, status="submitted")
    labels = {label.trait.code: label for label in read.labels.select_related("trait")}
    assert labels[SDH].state == "present" and labels[SDH].key_images == [first, first + 2]
    assert labels[ICH].state == "present" and labels[ICH].key_images == []
    return read, [first, first + 2]


def amend(page, live_server, setup, read: Read, keys: list[int]) -> None:
    recent = page.locator(f"#recent-reads tr[data-read='{read.pk}']")
    recent.get_by_role("link", name="Amend").click()
    page.wait_for_url(re.compile(rf"/reading/reads/{read.pk}/amend/$"))
    wait_ready(page)
    # The submitted read is back in the form: the calls, the key images.
    assert row(page, SDH).get_attribute("data-status") == "present"
    assert row(page, "fracture").get_attribute("data-status") == "absent"
    assert key_images_shown(page, SDH) == ",".join(map(str, keys))

    page.keyboard.press(setup["hotkeys"]["fracture"])  # absent -> unmarked -> present
    page.keyboard.press(setup["hotkeys"]["fracture"])
    assert row(page, "fracture").get_attribute("data-status") == "present"
    page.keyboard.press(setup["hotkeys"][SDH])  # back to SDH as the active trait (present -> uncertain -> ...)
    for _ in range(3):
        page.keyboard.press(setup["hotkeys"][SDH])
    assert row(page, SDH).get_attribute("data-status") == "present"  # a full turn of the cycle
    go_to_slice(page, keys[0] + 1)
    page.keyboard.press(",")
    page.keyboard.press("Control+Enter")  # no reason given yet
    wait_status(page, "Say why the read is amended")
    page.fill("[data-reason]", "missed a fracture; better key image")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url.endswith("/reading/"))


def test_key_images_are_submitted_and_an_amendment_adds_a_version(live_server, new_page, one_reader_campaign):
    page = new_page()
    log_in(page, live_server, "reader1", PASSWORD)
    read, keys = mark_key_images_and_submit(page, live_server, one_reader_campaign)
    amend(page, live_server, one_reader_campaign, read, keys)

    new = Read.objects.get(amends=read)
    assert (new.version, new.status, new.amendment_reason) == (2, "submitted", "missed a fracture; better key image")
    labels = {label.trait.code: label for label in new.labels.select_related("trait")}
    assert labels["fracture"].state == "present"
    assert labels[SDH].state == "present"
    # The cycle through uncertain dropped the old key images; the amendment has the one marked afterwards.
    assert labels[SDH].key_images == [keys[0] + 1]
    read.refresh_from_db()
    old = {label.trait.code: label for label in read.labels.select_related("trait")}
    assert (read.version, read.status) == (1, "submitted")
    assert old["fracture"].state == "absent" and old[SDH].key_images == keys
    # The worklist now offers the new version, not the old one.
    assert page.locator(f"#recent-reads tr[data-read='{new.pk}']").count() == 1
    assert page.locator(f"#recent-reads tr[data-read='{read.pk}']").count() == 0
