"""The dataset version and model run lists page: more rows than a page, reached to the last one through `next`."""

import pytest

from curation.models import Taxonomy
from datasets.services.model_runs import model_run_import
from datasets.services.versions import dataset_version_create
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.datasets.test_model_runs import write_run
from tests.pagination import assert_walked

pytestmark = pytest.mark.django_db


def test_versions_page_through_next_and_keep_the_name_filter(api_for):
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    campaign = make_campaign(taxonomy, studies=make_studies(1), readers=make_readers(2))
    for name in ("heads", "heads", "heads", "other"):
        dataset_version_create(name=name, taxonomy=taxonomy, campaign_ids=[campaign.pk])
    rows = assert_walked(api_for("trainer"), "/api/datasets/versions/", 4)
    assert [(v["name"], v["version"]) for v in rows] == [("heads", 3), ("heads", 2), ("heads", 1), ("other", 1)]
    assert_walked(api_for("curator"), "/api/datasets/versions/?name=heads", 3)


def test_model_runs_page_through_next(api_for, tmp_path):
    uids = [s.study_uid for s in make_studies(3)]
    for i in range(3):
        model_run_import(run_dir=write_run(tmp_path / f"run-{i}", uids, auroc=0.8 + i / 100), name=f"run {i}")
    rows = assert_walked(api_for("curator"), "/api/datasets/runs/", 3)
    assert [r["name"] for r in rows] == ["run 2", "run 1", "run 0"]  # newest first, across pages
