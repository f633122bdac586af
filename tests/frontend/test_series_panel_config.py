"""What the reading and adjudication pages hand the viewer for its series panel and slice bar: the study's axial
series (number, slices, thickness, spacing, which one is the default) and each read's slice marks (readers as
"Reader A, B"), with nothing of the patient, whatever the original files held (a series description with the
patient's name in it, ids, birth date, accession)."""

import json
import re

import pydicom
import pytest
from django.urls import reverse

from annotation.models import AdjudicationTask
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import RADIOLOGIST
from curation.models import Study
from curation.selectors.archive import study_axial_series
from curation.selectors.taxonomy import taxonomy_latest_published
from curation.services.archive import ingest_paths
from tests.annotation.conftest import make_campaign
from tests.conftest import make_user
from tests.frontend.conftest import write_ct_series

pytestmark = pytest.mark.django_db

PHI = ("Doe^Jane1", "Doe", "PID0001", "ACC00001", "19500101", "Head thin for Jane")
SERIES_FIELDS = {"series_uid", "series_number", "n_slices", "thickness_mm", "spacing_mm", "primary"}
ICH = "intracranial_hemorrhage"


def _describe(folder, text):
    """Give every file of a series a Series Description holding the patient's name (Annex E removes it)."""
    for path in folder.glob("*.dcm"):
        ds = pydicom.dcmread(path)
        ds.SeriesDescription = text
        ds.save_as(path, enforce_file_format=True)


@pytest.fixture
def two_series_study(tmp_path):
    thin = write_ct_series(tmp_path / "thin", n_slices=24, slice_mm=2.5, series_number=3, seed=1)
    write_ct_series(tmp_path / "thick", n_slices=12, slice_mm=5.0, series_number=2, seed=1, study_uid=thin["study_uid"])
    _describe(tmp_path / "thin", "Head thin for Jane Doe^Jane1")
    summary = ingest_paths([tmp_path], source="cli")
    assert summary.n_rejected == 0, summary.as_dict()
    study = Study.objects.get()  # the archive's (de-identified) UIDs: the series are told apart by number
    return {"study": study, "thin": study.series.get(series_number=3).series_uid,
            "thick": study.series.get(series_number=2).series_uid}


def test_axial_series_are_listed_by_number_with_the_archives_choice_marked(two_series_study):
    study = two_series_study["study"]
    assert study_axial_series(study_id=study.pk) == [
        {"series_uid": two_series_study["thick"], "series_number": 2, "n_slices": 12, "thickness_mm": 5.0,
         "spacing_mm": 5.0, "primary": False},
        {"series_uid": two_series_study["thin"], "series_number": 3, "n_slices": 24, "thickness_mm": 2.5,
         "spacing_mm": 2.5, "primary": True},
    ]
    assert study.primary_series.series_uid == two_series_study["thin"]


def _no_phi(text: str) -> None:
    found = [marker for marker in PHI if marker in text]
    assert not found, found


def _config(html: str, name: str) -> dict:
    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_the_reading_page_and_its_next_study_json_list_the_series_without_phi(client, two_series_study):
    reader = make_user("reader1", RADIOLOGIST)
    campaign = make_campaign(taxonomy_latest_published(name="head-ct"), studies=[two_series_study["study"]],
                             readers=[reader, make_user("reader2", RADIOLOGIST)], min_reads=2, max_reads=2,
                             slice_ranges=True)
    client.force_login(reader)
    answer = client.post(reverse("reading-next", args=[campaign.pk]), HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    _no_phi(answer.content.decode())
    listed = answer.json()["page"]["config"]["axial_series"]
    assert [set(s) for s in listed] == [SERIES_FIELDS, SERIES_FIELDS]
    assert [(s["series_uid"], s["primary"]) for s in listed] == [
        (two_series_study["thick"], False), (two_series_study["thin"], True),
    ]
    page = client.get(answer.json()["url"])
    html = page.content.decode()
    _no_phi(html)
    assert _config(html, "reading-config")["axial_series"] == listed


def test_the_adjudication_page_gives_each_reads_marks_in_its_lane_names_hidden(client, two_series_study):
    readers = [make_user("reader1", RADIOLOGIST), make_user("reader2", RADIOLOGIST)]
    senior = make_user("senior", RADIOLOGIST)
    campaign = make_campaign(taxonomy_latest_published(name="head-ct"), studies=[two_series_study["study"]],
                             readers=readers, adjudicators=[senior], min_reads=2, max_reads=2, slice_ranges=True)
    calls = [{ICH: {"state": "present", "slice_ranges": [[10, 14]], "key_images": [12]}}, {}]
    for reader, labels in zip(readers, calls, strict=True):
        read_submit(reader=reader, assignment=worklist_next(reader=reader, campaign=campaign), labels=labels)
    task = AdjudicationTask.objects.get(campaign_study__campaign=campaign)
    client.force_login(senior)
    html = client.get(reverse("reading-adjudicate", args=[task.pk])).content.decode()
    _no_phi(html)
    config = _config(html, "adjudication-config")
    assert "reader1" not in json.dumps(config) and "reader2" not in json.dumps(config)
    assert [s["series_uid"] for s in config["axial_series"]] == [two_series_study["thick"], two_series_study["thin"]]
    label = "Reader A: Intracranial hemorrhage"
    assert config["marks"] == [
        {"lane": 0, "kind": "range", "from": 10, "to": 14, "label": label},
        {"lane": 0, "kind": "key", "from": 12, "to": 12, "label": label},
    ]
