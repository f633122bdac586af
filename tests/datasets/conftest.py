"""Dataset fixtures: an isolated datasets root and a small ingested, read cohort."""


import pytest

from curation.models import Study
from tests.conftest import restore_migration_data

from .platform_cohort import ingest_cohort, read_campaign, truth_by_study_pk


@pytest.fixture(autouse=True)
def datasets_root(settings, tmp_path):
    """A fresh root per test: database rows roll back, so version numbers repeat between tests."""
    settings.RADCURATE_DATASETS_DIR = str(tmp_path / "datasets")
    return tmp_path / "datasets"


@pytest.fixture
def cohort(db, tmp_path):
    """Six ingested synthetic studies (some patients with two), read to consensus in campaign 'first'."""
    truth = ingest_cohort(tmp_path / "cohort")
    studies = list(Study.objects.order_by("study_uid"))
    positives = truth_by_study_pk(truth)
    campaign = read_campaign("first", studies, positives)
    return {"studies": studies, "positives": positives, "campaign": campaign, "truth": truth}


@pytest.fixture
def platform_defaults(transactional_db):
    """The migrations' data on a committed database (the shared autouse fixture already restores it)."""
    restore_migration_data()
