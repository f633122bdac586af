"""The reading room end to end in Debian's Chromium: two blinded readers, a disagreement, adjudication, consensus.

One flow per test (the live server needs a transactional database, and setting it up is the slow part):
log in, open the next study, prove the image rendered (canvas read back; brain and bone windows differ),
scroll, label with hotkeys, mark a slice range, survive a dropped network and a reload, submit and land on
the next study; a second reader reads the same study; the high-significance disagreement reaches the
adjudicator, who decides; the consensus shows on the curator's campaign page.
"""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from annotation.models import AdjudicationTask, Assignment, CampaignStudy, Consensus, Read
from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from core.roles import CURATOR, RADIOLOGIST
from curation.models import Trait
from curation.selectors.taxonomy import taxonomy_latest_published
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import ingest_phantom_studies, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ICH, SDH = "intracranial_hemorrhage", "subdural_hemorrhage"

# Reads the rendered canvas back: share of non-black pixels, distinct grey levels, and a 48x48 thumbnail.
CANVAS_PROBE = """() => {
  const src = document.querySelector('[data-viewer] canvas');
  const small = document.createElement('canvas');
  small.width = small.height = 48;
  const ctx = small.getContext('2d');
  ctx.drawImage(src, 0, 0, 48, 48);
  const px = ctx.getImageData(0, 0, 48, 48).data;
  const full = src.getContext('2d').getImageData(0, 0, src.width, src.height).data;
  let lit = 0; const levels = new Set();
  for (let i = 0; i < full.length; i += 4) { if (full[i] > 8) lit += 1; levels.add(full[i]); }
  const thumb = []; for (let i = 0; i < px.length; i += 4) thumb.push(px[i]);
  return { lit: lit / (full.length / 4), levels: levels.size, thumb };
}"""


def canvas(page) -> dict:
    return page.evaluate(CANVAS_PROBE)


# Cornerstone fires IMAGE_RENDERED on the viewport element once the canvas holds the new picture; a capture listener
# on the document (installed before any page script) sees every one and notes the window it was drawn with. The
# viewer's data-window changes when the window is set, before the redraw: reading the canvas then raced the render.
RENDER_WATCH = """document.addEventListener('CORNERSTONE_IMAGE_RENDERED', (event) => {
  window.radcurateTestRender = { window: event.target.dataset.window, count: (window.radcurateTestRender?.count || 0) + 1 };
}, true);"""


def watch_renders(page) -> None:
    page.add_init_script(RENDER_WATCH)


def wait_rendered(page, window: str) -> None:
    """Until the canvas has been drawn with `window` (width/level): a render, never a fixed time."""
    page.wait_for_function(f"window.radcurateTestRender && window.radcurateTestRender.window === {window!r}")


def wait_ready(page, probe="radcurateReading"):
    page.wait_for_function(f"window.{probe} && (window.{probe}.ready || window.{probe}.error)")
    assert page.evaluate(f"window.{probe}.error") is None
    page.wait_for_selector("[data-viewer][data-first-image=shown]")


def row(page, code):
    return page.locator(f".trait[data-code={code}]")


def wait_status(page, text):
    page.wait_for_function(f"document.querySelector('[data-status]').textContent.includes({text!r})")


@pytest.fixture
def reading_campaign(tmp_path):
    """Three tiny CT studies (the first with a bleed), two readers, an adjudicator, a curator, an active campaign."""
    studies = ingest_phantom_studies(tmp_path, [{"bleed": True}, {}, {}])
    people = {
        "reader1": make_user("reader1", RADIOLOGIST),
        "reader2": make_user("reader2", RADIOLOGIST),
        "senior": make_user("senior", RADIOLOGIST),
        "curator": make_user("curator1", CURATOR),
    }
    taxonomy = taxonomy_latest_published(name="head-ct")
    campaign = campaign_create(
        name="ICH triage", taxonomy=taxonomy, created_by=people["curator"], min_reads=2, max_reads=2,
        slice_ranges=True, gold_every=0, priority_policy="sequential",
        readers=[people["reader1"], people["reader2"]], adjudicators=[people["senior"]],
    )
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies])
    campaign_activate(campaign=campaign)
    hotkeys = dict(Trait.objects.filter(taxonomy=taxonomy).values_list("code", "hotkey"))
    return {"campaign": campaign, "studies": studies, "people": people, "hotkeys": hotkeys}


def start_reading(page, live_server, campaign):
    watch_renders(page)
    page.goto(f"{live_server.url}/reading/")
    card = page.locator(f".campaign[data-campaign='{campaign.pk}']")
    card.get_by_role("button", name=re.compile("Start reading|Continue reading")).click()
    page.wait_for_url(re.compile(r"/reading/assignments/\d+/$"))
    wait_ready(page)


def assignment_of(page) -> Assignment:
    return Assignment.objects.select_related("campaign_study").get(
        pk=int(re.search(r"/assignments/(\d+)/", page.url).group(1))
    )


def wait_next_study(page, assignment):
    try:
        page.wait_for_url(lambda url: f"/assignments/{assignment.pk}/" not in url and "/assignments/" in url)
    except PlaywrightTimeout as exc:
        raise AssertionError(f"no next study; the page says: {page.inner_text('[data-status]')}") from exc


def first_read(page, live_server, setup):
    """Reader 1: image checks, hotkeys, slice range, offline draft, reload, submit-and-next."""
    hotkeys, campaign = setup["hotkeys"], setup["campaign"]
    start_reading(page, live_server, campaign)
    assignment = assignment_of(page)
    assert assignment.campaign_study.study_id == setup["studies"][0].pk

    # The image is there, and windowing changes what is drawn.
    wait_rendered(page, "80/40")
    brain = canvas(page)
    assert brain["lit"] > 0.2 and brain["levels"] > 3, brain
    assert page.get_attribute("[data-viewer]", "data-window") == "80/40"
    page.keyboard.press("4")
    wait_rendered(page, "2800/600")
    bone = canvas(page)
    changed = sum(abs(a - b) > 10 for a, b in zip(brain["thumb"], bone["thumb"], strict=True)) / len(bone["thumb"])
    assert changed > 0.2, changed
    page.keyboard.press("1")

    # HU under the cursor: the phantom's ventricle (5 HU) sits in the middle of the image.
    box = page.locator("[data-viewer]").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert re.fullmatch(r"-?\d+ HU", page.inner_text("[data-overlay=hu]"))
    assert abs(int(page.inner_text("[data-overlay=hu]").split()[0]) - 5) <= 2

    # Scroll: keys and the wheel move through the stack; the counter follows.
    start = int(page.get_attribute("[data-viewer]", "data-slice"))
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"document.querySelector('[data-viewer]').dataset.slice === '{start + 1}'")
    page.mouse.wheel(0, 120)
    page.wait_for_function(f"document.querySelector('[data-viewer]').dataset.slice === '{start + 2}'")
    assert page.inner_text("[data-overlay=slice]") == f"{start + 3} / 12"

    # Label by hotkey: the subtype makes its parent positive; "[" ... "]" marks a slice range on it.
    page.keyboard.press(hotkeys[SDH])
    assert row(page, SDH).get_attribute("data-status") == "present"
    assert row(page, ICH).get_attribute("data-status") == "present"
    page.keyboard.press("[")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("]")
    first, last = start, start + 2
    assert row(page, SDH).locator(".slices").inner_text() == f"slices {first + 1}–{last + 1}"
    wait_status(page, "draft saved")
    page.keyboard.press("n")  # over positive calls, "no findings" wants a second press
    wait_status(page, "Press n again")
    assert row(page, SDH).get_attribute("data-status") == "present"

    # The network drops: the change stays in this browser and comes back after a reload.
    page.route("**/draft/", lambda route: route.abort())
    page.keyboard.press(hotkeys["fracture"])
    page.keyboard.press(hotkeys["fracture"])  # present -> uncertain
    wait_status(page, "offline")
    page.reload()
    wait_ready(page)
    assert page.evaluate("window.radcurateReading.restoredFrom") == "browser"
    assert row(page, "fracture").get_attribute("data-status") == "uncertain"
    assert row(page, SDH).locator(".slices").inner_text() == f"slices {first + 1}–{last + 1}"
    page.unroute("**/draft/")
    wait_status(page, "draft saved")
    draft = Read.objects.get(assignment=assignment, status="draft")
    assert draft.labels.get(trait__code="fracture").state == "uncertain"
    assert draft.time_spent_s > 0

    # Submit and next in one key; the submission goes out once however often it is asked for.
    submits = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/submit/") and submits.append(r.url))
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Control+Enter")
    wait_next_study(page, assignment)
    wait_ready(page)
    assert len(submits) == 1
    read = Read.objects.get(assignment=assignment, status="submitted")
    labels = {label.trait.code: label for label in read.labels.select_related("trait")}
    assert labels[SDH].state == "present" and labels[SDH].slice_ranges == [[first, last]]
    assert labels[ICH].state == "present"
    assert labels["fracture"].state == "uncertain"
    assert labels["acute_infarct"].state == "absent"  # unmarked traits count as absent
    assert read.time_spent_s > 0
    assert assignment_of(page).campaign_study.study_id == setup["studies"][1].pk
    return assignment.campaign_study


def second_read(page, live_server, setup, entry):
    """Reader 2 gets the same study, blinded, and calls it normal with one key."""
    start_reading(page, live_server, setup["campaign"])
    assignment = assignment_of(page)
    assert assignment.campaign_study_id == entry.pk
    html = page.content()
    assert "reader1" not in html and "Reader A" not in html  # nothing of the other read
    assert "Doe^Jane" not in html and "PID0000" not in html and "ACC00000" not in html  # no PHI
    page.keyboard.press("n")
    assert row(page, ICH).get_attribute("data-status") == "absent"
    page.click("[data-submit]")
    page.wait_for_url(lambda url: f"/assignments/{assignment.pk}/" not in url)
    entry.refresh_from_db()
    assert entry.status == CampaignStudy.Status.ADJUDICATION


def adjudicate(page, live_server, setup, entry):
    watch_renders(page)
    page.goto(f"{live_server.url}/reading/")
    page.get_by_role("link", name="Adjudicate").first.click()
    page.wait_for_url(re.compile(r"/reading/adjudication/\d+/$"))
    wait_ready(page, "radcurateAdjudication")
    wait_rendered(page, "80/40")
    assert canvas(page)["lit"] > 0.2
    text = page.inner_text(".votes")
    assert "Reader A" in text and "Reader B" in text
    assert "reader1" not in page.content() and "reader2" not in page.content()
    disputed = page.locator("tr.disputed")
    assert ICH in [disputed.nth(i).get_attribute("data-trait") for i in range(disputed.count())]
    page.click("[data-decide]")
    wait_status(page, "Decide every disputed trait first")
    for i in range(disputed.count()):
        disputed.nth(i).locator("input[value=present]").check()
    page.click("[data-decide]")
    page.wait_for_url(lambda url: url.endswith("/reading/adjudication/next/"))  # the only task: nothing waits now
    assert "Nothing waiting for adjudication" in page.inner_text("#adjudication-empty")
    task = AdjudicationTask.objects.get(campaign_study=entry)
    assert task.status == "decided" and task.adjudicator.username == "senior"


def test_two_readers_disagree_and_the_adjudicator_decides(live_server, new_page, reading_campaign):
    setup = reading_campaign

    reader1 = new_page()
    log_in(reader1, live_server, "reader1", PASSWORD)
    entry = first_read(reader1, live_server, setup)

    reader2 = new_page()
    log_in(reader2, live_server, "reader2", PASSWORD)
    second_read(reader2, live_server, setup, entry)

    senior = new_page()
    log_in(senior, live_server, "senior", PASSWORD)
    adjudicate(senior, live_server, setup, entry)

    consensus = Consensus.objects.get(campaign_study=entry, trait__code=ICH)
    assert consensus.label == "present" and consensus.method == "adjudicated"

    curator = new_page()
    log_in(curator, live_server, "curator1", PASSWORD)
    curator.goto(f"{live_server.url}/campaigns/{setup['campaign'].pk}/")
    study_row = curator.locator(f"#consensus tr[data-study='{entry.study_id}']")
    assert study_row.get_attribute("data-status") == "complete"
    assert f"{ICH} (adjudicated)" in study_row.locator(".consensus-present").inner_text()
    assert "reader1" not in curator.content()
