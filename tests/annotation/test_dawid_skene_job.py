"""Dawid–Skene runs as a job: the API answers 202 with the run to poll at once, a real worker fits it, and the run
shows its progress (traits fitted of the total) and its end, where the fit used to hold the request for 12 to 30 s."""

import time

import pytest

from annotation.models import DawidSkeneRun, Read, ReaderConfusion
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from tests.annotation.conftest import make_campaign, make_readers, make_studies

BASE = "/api/annotation"


def _campaign_with_reads(taxonomy):
    readers = make_readers(3)
    campaign = make_campaign(taxonomy, studies=make_studies(4), readers=readers)
    for i, reader in enumerate(readers):
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            labels = {"lacune": "present", "fracture": "present"} if i == 0 else {"fracture": "present"}
            read_submit(reader=reader, assignment=assignment, labels=labels)
    return campaign


def _until_finished(api, url: str, timeout: float = 60.0) -> list[dict]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = api.get(url)
        assert answer.status_code == 200
        seen.append(answer.json())
        if seen[-1]["status"] in ("done", "failed"):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the run did not finish: {seen[-1]}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_api_queues_a_run_that_a_real_worker_fits_with_progress(celery_worker, taxonomy, api_for):
    campaign = _campaign_with_reads(taxonomy)
    curator = api_for("curator")
    url = f"{BASE}/campaigns/{campaign.pk}/dawid-skene/"
    assert curator.get(url).status_code == 404  # no run yet
    queued = curator.post(url)
    assert queued.status_code == 202, queued.content
    body = queued.json()
    assert body["status"] in ("queued", "running") and queued["Location"] == body["status_url"]
    assert body["status_url"].endswith(f"/dawid-skene/{body['id']}/")
    seen = _until_finished(curator, body["status_url"])
    done = seen[-1]
    assert done["status"] == "done" and done["message"] == "" and done["finished_at"] is not None
    n_traits = len(taxonomy.traits.all())
    assert done["traits_done"] == done["traits_total"] == n_traits == len(done["summary"])
    reads = Read.objects.filter(assignment__campaign=campaign, status="submitted")
    assert done["summary"]["fracture"]["n_calls"] == reads.count() == 4 * 2  # two reads a study
    assert done["summary"]["fracture"]["prevalence"] > 0.5
    assert all(s["traits_done"] <= s["traits_total"] or s["status"] == "queued" for s in seen)
    assert curator.get(url).json()["id"] == body["id"]  # the latest run
    n_readers = reads.values("assignment__reader").distinct().count()
    assert ReaderConfusion.objects.filter(campaign=campaign, trait__code="lacune").count() == n_readers
    run = DawidSkeneRun.objects.get(pk=body["id"])
    assert run.started_at is not None and run.started_at <= run.finished_at


@pytest.mark.django_db
def test_only_curators_start_or_see_runs_and_one_runs_at_a_time(taxonomy, api_for):
    campaign = make_campaign(taxonomy, studies=make_studies(1), readers=make_readers(2))
    url = f"{BASE}/campaigns/{campaign.pk}/dawid-skene/"
    for role in ("radiologist", "trainer"):
        assert api_for(role).post(url).status_code == 403 and api_for(role).get(url).status_code == 403
    assert api_for("curator").get(f"{url}12345/").status_code == 404
    # Not committed here, so no worker takes it: a second request while one is queued gets the same run.
    first, second = api_for("curator").post(url), api_for("curator").post(url)
    assert (first.status_code, second.status_code) == (202, 202) and first.json()["id"] == second.json()["id"]
    assert first.json()["status"] == "queued" and first.json()["traits_total"] == 0
