"""Defining a dataset version and starting its export is one use case: both or neither, and the export task is
queued only once the version is committed (so the worker finds it)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from curation.models import Taxonomy
from datasets.models import DatasetVersion, ExportJob
from datasets.services import export as export_services
from datasets.services import versions as version_services
from datasets.services.versions import dataset_version_create_and_export
from tests.annotation.conftest import make_campaign
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return make_campaign(Taxonomy.objects.get(name="head-ct", version=1), studies=[], readers=[], activate=False)


def test_the_version_takes_its_campaigns_taxonomy_and_queues_its_export_after_commit(
    campaign, monkeypatch, django_capture_on_commit_callbacks,
):
    queued = []
    monkeypatch.setattr(export_services, "_enqueue", queued.append)
    with django_capture_on_commit_callbacks() as callbacks:
        version = dataset_version_create_and_export(name="heads", campaign_ids=[campaign.pk], image_size=(16, 16))
        assert queued == []  # nothing is sent while the version is uncommitted
    assert version.taxonomy_id == campaign.taxonomy_id and len(callbacks) == 1
    callbacks[0]()
    assert queued == [ExportJob.objects.get(version=version)]


def test_a_failing_export_start_leaves_no_version(campaign, monkeypatch):
    def export_refused(**kwargs):
        raise ValidationError("the export cannot start")

    monkeypatch.setattr(version_services, "dataset_export_start", export_refused)
    with pytest.raises(ValidationError, match="cannot start"):
        dataset_version_create_and_export(name="heads", campaign_ids=[campaign.pk])
    assert not DatasetVersion.objects.exists()


def test_campaigns_without_one_shared_taxonomy_are_refused():
    with pytest.raises(ValidationError, match="same taxonomy version"):
        dataset_version_create_and_export(name="heads", campaign_ids=[99999])
    assert not DatasetVersion.objects.exists()


def test_the_page_form_names_bad_fields_and_writes_nothing(users):
    trainer = Client()
    assert trainer.login(username=users["trainer"].username, password=PASSWORD)
    response = trainer.post("/datasets/new/", {"name": "not a slug!", "seed": "x", "size": "8", "train": "0.7",
                                               "calibration": "0.1", "test": "0.2"}, follow=True)
    html = response.content.decode()
    assert "Name: " in html and "Campaigns: Choose at least one campaign." in html
    assert "Split seed: Enter a whole number." in html and "Matrix: Ensure this value is greater than" in html
    assert not DatasetVersion.objects.exists()
