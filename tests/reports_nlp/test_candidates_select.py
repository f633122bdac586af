"""Selecting candidates into a campaign from the candidates page: the studies and their mining priorities are
written together, or neither is."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from annotation.models import CampaignStudy, PriorityScore
from annotation.services import campaigns as campaign_services
from annotation.services.campaigns import campaign_create
from curation.models import Taxonomy
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/reports/candidates/select/"


def _curator(users) -> Client:
    client = Client()
    assert client.login(username=users["curator"].username, password=PASSWORD)
    return client


@pytest.fixture
def campaign(users):
    return campaign_create(name="mined", taxonomy=Taxonomy.objects.get(version=1), created_by=users["curator"])


def test_failing_priorities_roll_back_the_added_studies(users, mined_run, imported_reports, campaign, monkeypatch):
    def priorities_down(**kwargs):
        raise ValidationError("priorities are unavailable")

    monkeypatch.setattr(campaign_services, "priority_set", priorities_down)
    study = imported_reports["ACC-DSF"].pk
    response = _curator(users).post(URL, {"campaign": campaign.pk, "run": mined_run.pk, "study": [study]},
                                    follow=True)
    assert "priorities are unavailable" in response.content.decode()
    assert not CampaignStudy.objects.filter(campaign=campaign).exists()
    assert not PriorityScore.objects.filter(campaign=campaign).exists()


def test_the_form_says_what_is_missing_and_adds_nothing(users, mined_run, campaign):
    response = _curator(users).post(URL, {"campaign": campaign.pk, "run": mined_run.pk}, follow=True)
    assert "Select at least one study." in response.content.decode()
    unknown = _curator(users).post(URL, {"campaign": 99999, "run": mined_run.pk, "study": [1]}, follow=True)
    assert "No such campaign." in unknown.content.decode()
    assert not CampaignStudy.objects.filter(campaign=campaign).exists()


def test_back_goes_to_a_page_of_this_site_only(users, mined_run, imported_reports, campaign):
    form = {"campaign": campaign.pk, "run": mined_run.pk, "study": [imported_reports["ACC-WMI"].pk]}
    here = _curator(users).post(URL, {**form, "next": "/reports/candidates/?page=2"})
    assert here["Location"] == "/reports/candidates/?page=2"
    elsewhere = _curator(users).post(URL, {**form, "next": "https://elsewhere.example/"})
    assert elsewhere["Location"] == "/reports/candidates/"
    assert CampaignStudy.objects.filter(campaign=campaign).count() == 1


def test_the_quality_page_reads_no_ground_truth_file(users, mined_run, settings, tmp_path):
    truth = tmp_path / "demo" / "cohort" / "ground_truth.jsonl"
    truth.parent.mkdir(parents=True)
    truth.write_text('{"accession_number": "ACC-DSF", "traits": [{"code": "depressed_skull_fracture"}]}\n')
    settings.DATA_DIR = tmp_path
    page = _curator(users).get("/reports/quality/").content.decode()
    assert "ground truth" not in page and "No reference labels" in page
