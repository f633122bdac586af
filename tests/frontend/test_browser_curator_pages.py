"""The curator pages in Debian's Chromium under a Content-Security-Policy that forbids inline scripts: the ingest job,
the mining runs and a dataset export follow their job through the one progress module and stop when it ends; the
mapping editor's live preview answers. Every script the pages run comes from the Vite bundle."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.roles import CURATOR, TRAINER
from curation.models import IngestJob
from curation.selectors.taxonomy import taxonomy_latest_published
from datasets.models import DatasetVersion, ExportJob
from reports_nlp.models import MappingSet, MiningRun
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# What the pages must run under: scripts from our own origin only (no inline script, no inline handler, no eval;
# so the test waits with locators, never with page.wait_for_function's evaluated strings).
POLICY = "script-src 'self'; object-src 'none'; base-uri 'none'"


def open_under_policy(page, live_server, path: str) -> dict:
    """Open path with the policy on the document; returns what the page asked of the API and the policy's refusals."""
    seen = {"api": [], "refused": []}
    url = f"{live_server.url}{path}"

    def with_policy(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": POLICY})

    page.route(lambda u: u.split("?")[0] == url, with_policy)
    page.on("request", lambda r: "/api/" in r.url and seen["api"].append(r.url.removeprefix(live_server.url)))
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["refused"].append(m.text))
    page.goto(url)
    return seen


def wait_for_polls(page, seen: dict, n: int) -> None:
    for _ in range(100):
        if len(seen["api"]) >= n:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the page asked the API {len(seen['api'])} times, not {n}")


@pytest.fixture
def curator_page(new_page, live_server):
    make_user("curator1", CURATOR)
    page = new_page()
    log_in(page, live_server, "curator1", PASSWORD)
    return page


def test_the_ingest_job_page_follows_the_job_until_it_is_done(curator_page, live_server):
    page = curator_page
    job = IngestJob.objects.create(source="upload", status="running", total=4, processed=1, accepted=1)
    seen = open_under_policy(page, live_server, reverse("archive-job", args=[job.pk]))
    wait_for_polls(page, seen, 1)
    IngestJob.objects.filter(pk=job.pk).update(status="done", processed=4, accepted=3, rejected=1,
                                               rejected_by_reason={"not_dicom": 1}, message="4 files")
    expect(page.locator("#job-status")).to_have_text("done")
    assert page.text_content("#job-processed") == "4" and page.text_content("#job-rejected") == "1"
    assert page.text_content("#job-reasons") == "not_dicom 1"  # only the poller writes the reasons
    assert page.text_content("#job-message") == "4 files"
    assert page.eval_on_selector("#job-bar", "el => el.style.width") == "100%"
    polls = len(seen["api"])
    page.wait_for_timeout(1500)  # two intervals: a finished job is not asked again
    assert len(seen["api"]) == polls and set(seen["api"]) == {f"/api/archive/jobs/{job.pk}/"}
    assert seen["refused"] == []


def test_the_mining_page_follows_running_runs_only(curator_page, live_server):
    page = curator_page
    mapping_set = MappingSet.objects.get(version=1)
    MiningRun.objects.create(mapping_set=mapping_set, status="done", total_reports=5, done_reports=5)
    running = MiningRun.objects.create(mapping_set=mapping_set, status="running", total_reports=10, done_reports=3)
    seen = open_under_policy(page, live_server, reverse("reports-mining"))
    row = f"#runs tr[data-run='{running.pk}']"
    wait_for_polls(page, seen, 1)
    MiningRun.objects.filter(pk=running.pk).update(status="done", done_reports=10)
    expect(page.locator(f"{row} .status")).to_have_text("done")
    assert page.text_content(f"{row} .count") == "10/10" and page.text_content(f"{row} .chunks") == "0/0"
    assert page.eval_on_selector(f"{row} .bar > span", "el => el.style.width") == "100%"
    polls = len(seen["api"])
    page.wait_for_timeout(2200)
    assert len(seen["api"]) == polls
    assert set(seen["api"]) == {f"/api/reports/mining-runs/{running.pk}/"}  # not the finished run
    assert seen["refused"] == []


def test_the_dataset_page_follows_an_export_and_reloads_when_it_stops(new_page, live_server):
    make_user("trainer1", TRAINER)
    page = new_page()
    log_in(page, live_server, "trainer1", PASSWORD)
    version = DatasetVersion.objects.create(name="heads", version=1, taxonomy=taxonomy_latest_published(name="head-ct"))
    job = ExportJob.objects.create(version=version, status="writing", chunks_total=4, chunks_done=1)
    seen = open_under_policy(page, live_server, reverse("datasets-version", args=[version.pk]))
    wait_for_polls(page, seen, 1)
    ExportJob.objects.filter(pk=job.pk).update(chunks_done=3, message="volumes")
    expect(page.locator("#job-done")).to_have_text("3")
    assert page.eval_on_selector("#job-bar", "el => el.style.width") == "75%"
    assert page.text_content("#job-message") == "volumes"
    ExportJob.objects.filter(pk=job.pk).update(status="failed", message="disk full")
    DatasetVersion.objects.filter(pk=version.pk).update(status="failed", error="disk full")
    # The page reloads once the export stops, and the server renders the outcome (no polling any more).
    page.wait_for_selector("#job p.error")
    assert page.text_content("#job p.error") == "disk full"
    assert page.get_attribute("#job", "data-progress-url") is None
    assert set(seen["api"]) == {f"/api/datasets/versions/{version.pk}/"}
    assert seen["refused"] == []


def test_the_mapping_editors_live_preview_runs_from_the_bundle(curator_page, live_server):
    page = curator_page
    seen = open_under_policy(page, live_server, reverse("reports-mapping-editor", args=[1]) + "?trait=midline_shift")
    page.fill("#preview-phrase", "midline shift")
    expect(page.locator("#preview-status")).to_have_text(re.compile(r"^\d+ matching sentences$"))
    assert seen["api"] == ["/api/reports/mapping-sets/1/preview/"]
    assert seen["refused"] == []
