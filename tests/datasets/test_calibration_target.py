"""A dataset version whose calibration split is sized for a CSMR target, from the API and the datasets page: the
split grows from train as far as the campaigns allow, and the version says what the sizing found."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from curation.models import Taxonomy
from datasets.export.calibration import min_reported
from datasets.models import DatasetVersion
from datasets.selectors.calibration import campaigns_reportable
from datasets.services.versions import dataset_version_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _create(cohort, **fields):
    return dataset_version_create(name="sized", taxonomy=Taxonomy.objects.get(name="head-ct", version=1),
                                  campaign_ids=[cohort["campaign"].pk], image_size=(16, 16), **fields)


def test_a_target_grows_the_calibration_split_from_train_and_says_what_it_found(cohort):
    n_studies, reportable = campaigns_reportable(campaign_ids=[cohort["campaign"].pk])
    version = _create(cohort, split_fractions=[0.7, 0.1, 0.2], calibration_target_csmr=0.05)
    # six studies cannot hold the 59 reported studies 5% needs: calibration as large as train allows, test kept
    assert version.split_fractions == [0.5, 0.3, 0.2]
    assert version.calibration_sizing == {
        "target": 0.05, "needed": min_reported(0.05), "reportable": int(reportable * 0.3), "met": False,
        "certifiable": pytest.approx(version.calibration_sizing["certifiable"])}
    assert version.calibration_sizing["certifiable"] > 0.05
    plain = _create(cohort, split_fractions=[0.7, 0.1, 0.2])
    assert plain.split_fractions == [0.7, 0.1, 0.2] and plain.calibration_sizing == {}


def test_a_target_outside_zero_and_one_is_refused_by_name(cohort):
    with pytest.raises(ValidationError) as refused:
        _create(cohort, calibration_target_csmr=1.5)
    assert "calibration_target_csmr" in refused.value.message_dict
    assert not DatasetVersion.objects.filter(name="sized").exists()


def test_the_api_takes_the_target_and_returns_the_sizing(cohort, api_for):
    created = api_for("trainer").post("/api/datasets/versions/", {
        "name": "api-sized", "taxonomy_id": Taxonomy.objects.get(name="head-ct", version=1).pk,
        "campaign_ids": [cohort["campaign"].pk], "image_size": 16, "calibration_target_csmr": 0.01}, format="json")
    assert created.status_code == 201, created.data
    assert created.data["split_fractions"] == [0.5, 0.3, 0.2]
    assert created.data["calibration_sizing"]["needed"] == 299 and created.data["calibration_sizing"]["met"] is False
    refused = api_for("trainer").post("/api/datasets/versions/", {
        "name": "api-sized", "taxonomy_id": Taxonomy.objects.get(name="head-ct", version=1).pk,
        "campaign_ids": [cohort["campaign"].pk], "calibration_target_csmr": 2}, format="json")
    assert refused.status_code == 400 and "calibration_target_csmr" in refused.data


def test_the_datasets_page_sizes_the_split_and_the_version_page_says_so(cohort, users):
    client = Client()
    assert client.login(username=users["trainer"].username, password=PASSWORD)
    response = client.post("/datasets/new/", {
        "name": "page-sized", "campaigns": [cohort["campaign"].pk], "seed": 0, "size": 16, "train": 0.7,
        "calibration": 0.1, "test": 0.2, "target_csmr": "0.01", "description": ""}, follow=True)
    assert response.status_code == 200
    version = DatasetVersion.objects.get(name="page-sized")
    assert version.split_fractions == [0.5, 0.3, 0.2]
    html = response.content.decode()
    assert 'id="calibration-sizing"' in html and "Calibration sized for a CSMR below 0.01: that needs 299" in html
    refused = client.post("/datasets/new/", {
        "name": "page-refused", "campaigns": [cohort["campaign"].pk], "seed": 0, "size": 16, "train": 0.7,
        "calibration": 0.1, "test": 0.2, "target_csmr": "3", "description": ""})
    assert refused.status_code == 400 and 'value="3"' in refused.content.decode()  # the input is kept
