"""Journey: an adjudicator decides a task, in Debian's Chromium.

Two readers disagreed on a high-significance trait of a study: the adjudicator finds the task from the worklist,
sees the reads side by side (names hidden) over the image, decides, and is told that nothing else waits for
adjudication; the curator's campaign overview then shows the adjudicated consensus beside the agreement forest plot.
"""

import re

import pytest

from annotation.models import AdjudicationTask, Consensus
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import CURATOR, RADIOLOGIST
from curation.selectors.taxonomy import taxonomy_latest_published
from tests.annotation.conftest import make_campaign, make_studies
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import ingest_phantom_studies, log_in, screenshot
from tests.frontend.test_browser_reading_room import wait_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ICH = "intracranial_hemorrhage"


@pytest.fixture
def disputed_campaign(tmp_path):
    """A bleed study three readers disagree on (ICH present / absent / absent: a high-significance disagreement at
    the campaign's last read, so adjudication) and 24 more they read with some 2-to-1 disagreement (no ties)."""
    bleed = ingest_phantom_studies(tmp_path, [{"bleed": True}])[0]
    readers = [make_user(f"reader{i}", RADIOLOGIST) for i in (1, 2, 3)]
    senior = make_user("senior", RADIOLOGIST)
    make_user("curator1", CURATOR)
    campaign = make_campaign(taxonomy_latest_published(name="head-ct"), studies=[bleed, *make_studies(24)],
                             readers=readers, adjudicators=[senior], min_reads=3,
                             max_reads=3, priority_policy="sequential", slice_ranges=True)
    for r, reader in enumerate(readers):
        i = 0
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            calls = {ICH} if assignment.campaign_study.study_id == bleed.pk and r == 0 else set()
            calls |= {"lacune"} if i % 3 == 0 else set()
            calls |= {"sinus_pathology"} if i % 4 == 0 and (r < 2 or i % 8) else set()  # 2 to 1: no tie
            labels = dict.fromkeys(calls, "present")
            if ICH in calls:  # where reader 1 saw the bleed: the adjudicator's slice bar shows it in reader 1's lane
                labels[ICH] = {"state": "present", "slice_ranges": [[4, 6]], "key_images": [5]}
            read_submit(reader=reader, assignment=assignment, labels=labels)
            i += 1
    task = AdjudicationTask.objects.get(campaign_study__study=bleed)
    return {"campaign": campaign, "task": task, "bleed": bleed}


def open_adjudication(page, live_server, task, username: str = "senior") -> None:
    """Log in as the adjudicator and open the task from the worklist's Adjudicate link, image shown."""
    log_in(page, live_server, username, PASSWORD)
    page.goto(f"{live_server.url}/reading/")
    page.get_by_role("link", name="Adjudicate").first.click()
    page.wait_for_url(re.compile(rf"/reading/adjudication/{task.pk}/$"))
    wait_ready(page, "radcurateAdjudication")


def test_adjudicator_decides_a_task(live_server, new_page, disputed_campaign):
    task, campaign = disputed_campaign["task"], disputed_campaign["campaign"]
    senior = new_page()
    open_adjudication(senior, live_server, task)
    assert not {"reader1", "reader2", "reader3"} & set(re.findall(r"reader\d", senior.content()))
    disputed = senior.locator("tr.disputed")
    assert [disputed.nth(i).get_attribute("data-trait") for i in range(disputed.count())] == [ICH]
    # Reader 1's range and key image on the slice bar, in the first lane; clicking the range goes to its first slice.
    marks = senior.locator("[data-slice-bar] [data-kind]")
    assert [marks.nth(i).evaluate("(m) => ({ ...m.dataset })") for i in range(marks.count())] == [
        {"kind": "range", "from": "4", "to": "6", "lane": "0"}, {"kind": "key", "from": "5", "to": "5", "lane": "0"},
    ]
    assert "Reader A: Intracranial hemorrhage" in marks.first.get_attribute("title")
    senior.keyboard.press("End")
    senior.wait_for_function("document.querySelector('[data-viewer]').dataset.slice === '11'")
    marks.first.click()
    senior.wait_for_function("document.querySelector('[data-viewer]').dataset.slice === '4'")
    assert senior.get_attribute("[data-slice-bar]", "aria-valuenow") == "5"
    assert senior.locator("[data-series-panel]").is_hidden()  # one axial series: no series panel
    disputed.first.locator("input[value=present]").check()
    senior.click("[data-decide]")
    senior.wait_for_url(lambda url: url.endswith("/reading/adjudication/next/"))
    assert "Nothing waiting for adjudication" in senior.inner_text("#adjudication-empty")
    screenshot(senior, "adjudication-nothing-waiting.png")
    task.refresh_from_db()
    assert task.status == "decided" and task.adjudicator.username == "senior"
    consensus = Consensus.objects.get(campaign_study=task.campaign_study, trait__code=ICH)
    assert consensus.label == "present" and consensus.method == "adjudicated"

    curator = new_page()
    log_in(curator, live_server, "curator1", PASSWORD)
    curator.goto(f"{live_server.url}/campaigns/{campaign.pk}/?trait={ICH}")
    row = curator.locator(f"#consensus tr[data-study='{disputed_campaign['bleed'].pk}']")
    assert row.get_attribute("data-status") == "complete" and f"{ICH} (adjudicated)" in row.inner_text()
    assert curator.locator("#consensus tbody tr").count() == 1  # the filter: consensus calls ICH present once
    curator.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    plot = curator.locator("#forest-plot")
    assert plot.locator("g[data-trait=lacune] circle").count() == 3
    assert "Waiting for adjudication (0)" in curator.inner_text("#waiting")
    screenshot(curator, "campaign-overview.png")
