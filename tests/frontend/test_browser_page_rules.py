"""What the reading-room pages serve and to whom, checked over HTTP without a browser (fast; the browser flow is in
test_browser_reading_room.py): role checks, blinding, no PHI, the viewer's configuration, wasm served as wasm."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from annotation.models import Assignment
from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import CURATOR, RADIOLOGIST
from curation.selectors.taxonomy import taxonomy_latest_published
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import ingest_phantom_studies

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path):
    studies = ingest_phantom_studies(tmp_path, [{"bleed": True, "n_slices": 6, "size": 32}, {"n_slices": 6, "size": 32}])
    people = {name: make_user(name, RADIOLOGIST) for name in ("reader1", "reader2", "senior")}
    people["curator"] = make_user("curator1", CURATOR)
    campaign = campaign_create(name="rules", taxonomy=taxonomy_latest_published(name="head-ct"), min_reads=2,
                               max_reads=2, gold_every=0, priority_policy="sequential",
                               readers=[people["reader1"], people["reader2"]], adjudicators=[people["senior"]])
    campaign_add_studies(campaign=campaign, study_ids=[s.pk for s in studies])
    campaign_activate(campaign=campaign)
    return {"campaign": campaign, "people": people, "studies": studies}


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def page_config(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no {element_id} in the page"
    return json.loads(match.group(1))


def test_start_reading_reserves_the_next_study_and_opens_it(world):
    reader = client_for("reader1")
    response = reader.post(f"/reading/campaigns/{world['campaign'].pk}/next/")
    assignment = Assignment.objects.get(reader=world["people"]["reader1"])
    assert response.status_code == 302 and response["Location"] == f"/reading/assignments/{assignment.pk}/"
    assert reader.get(f"/reading/campaigns/{world['campaign'].pk}/next/").status_code == 405  # a reservation is a POST


def test_reading_page_is_blinded_and_free_of_phi(world):
    campaign, people = world["campaign"], world["people"]
    first = worklist_next(reader=people["reader1"], campaign=campaign)
    read_submit(reader=people["reader1"], assignment=first, labels={"intracranial_hemorrhage": "present"})
    second = worklist_next(reader=people["reader2"], campaign=campaign)
    assert second.campaign_study_id == first.campaign_study_id

    html = client_for("reader2").get(f"/reading/assignments/{second.pk}/").content.decode()
    config = page_config(html, "reading-config")
    assert config["series"]["studyUid"] == first.campaign_study.study.study_uid
    assert config["series"]["root"] == "/dicomweb"
    assert config["draft_url"].endswith(f"/assignments/{second.pk}/draft/")
    assert config["draft"] is None
    # Nothing of the first read, the report or the patient reaches the page.
    assert "intracranial_hemorrhage" not in json.dumps(config)
    assert "reader1" not in html and "Reader A" not in html
    assert "Doe^Jane" not in html and "PID0000" not in html and "ACC00000" not in html
    # The series metadata the page head starts fetching (early-frames.js), named as data, not in an inline script.
    assert page_config(html, "early-metadata-url").endswith(f"/series/{first.campaign_study.study.primary_series.series_uid}/metadata")
    assert "<script>" not in html


def test_pages_check_roles_and_ownership(world):
    campaign, people = world["campaign"], world["people"]
    mine = worklist_next(reader=people["reader1"], campaign=campaign)
    assert client_for("curator1").get("/reading/").status_code == 403
    assert client_for("reader2").get(f"/reading/assignments/{mine.pk}/").status_code == 404
    assert client_for("reader1").get(f"/campaigns/{campaign.pk}/").status_code == 403
    overview = client_for("curator1").get(f"/campaigns/{campaign.pk}/")
    assert overview.status_code == 200 and b'id="agreement"' in overview.content
    assert client_for("reader1").get("/reading/adjudication/999/").status_code == 404
    assert client_for("reader1").get("/reading/").status_code == 200


def test_codecs_are_served_as_wasm():
    manifest = Path(settings.BASE_DIR) / "frontend" / "static" / "dist" / ".vite" / "manifest.json"
    wasm = sorted({entry["file"] for entry in json.loads(manifest.read_text()).values()
                   if entry["file"].endswith(".wasm")})
    assert wasm, "the bundle carries the image loader's wasm codecs"
    response = Client().get(f"/static/dist/{wasm[0]}")
    assert response.status_code == 200 and response["Content-Type"] == "application/wasm"


def test_other_reads_show_only_where_the_campaign_allows(world):
    people = world["people"]
    open_campaign = campaign_create(name="open reads", taxonomy=taxonomy_latest_published(name="head-ct"),
                                    min_reads=2, max_reads=2, gold_every=0, show_other_reads=True,
                                    readers=[people["reader1"], people["reader2"]])
    campaign_add_studies(campaign=open_campaign, study_ids=[world["studies"][0].pk])
    campaign_activate(campaign=open_campaign)
    first = worklist_next(reader=people["reader1"], campaign=open_campaign)
    read_submit(reader=people["reader1"], assignment=first, labels={"subdural_hemorrhage": "present"})
    second = worklist_next(reader=people["reader2"], campaign=open_campaign)
    html = client_for("reader2").get(f"/reading/assignments/{second.pk}/").content.decode()
    assert "Reader A</strong>: intracranial_hemorrhage, subdural_hemorrhage" in html
    assert "reader1" not in html


def test_adjudication_page_shows_each_readers_ranges_and_key_images_without_names(world):
    from annotation.models import AdjudicationTask

    people = world["people"]
    campaign = campaign_create(name="marks", taxonomy=taxonomy_latest_published(name="head-ct"), min_reads=2,
                               max_reads=2, gold_every=0, priority_policy="sequential", slice_ranges=True,
                               readers=[people["reader1"], people["reader2"]], adjudicators=[people["senior"]])
    campaign_add_studies(campaign=campaign, study_ids=[world["studies"][0].pk])
    campaign_activate(campaign=campaign)
    marked = {"state": "present", "slice_ranges": [[1, 3]], "key_images": [2, 4]}
    read_submit(reader=people["reader1"], assignment=worklist_next(reader=people["reader1"], campaign=campaign),
                labels={"subdural_hemorrhage": marked})
    read_submit(reader=people["reader2"], assignment=worklist_next(reader=people["reader2"], campaign=campaign),
                labels={"subdural_hemorrhage": "absent"})
    task = AdjudicationTask.objects.get(campaign_study__campaign=campaign)
    html = client_for("senior").get(f"/reading/adjudication/{task.pk}/").content.decode()
    row = re.search(r'<tr data-trait="subdural_hemorrhage".*?</tr>', html, re.S).group(0)
    assert re.findall(r'class="jump key-image" data-slice="(\d+)"', row) == ["2", "4"]
    assert re.findall(r'class="jump" data-slice="(\d+)"', row) == ["1"]
    assert "reader1" not in html and "reader2" not in html
