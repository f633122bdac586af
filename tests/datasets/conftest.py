"""Dataset fixtures: an isolated datasets root and a small ingested, read cohort."""

import importlib

import pytest

from curation.models import Study

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
    """Role groups and the default taxonomy, for tests on a committed database: an earlier transactional
    test's flush removes what the migrations created (and serialized rollback cannot reload a published
    taxonomy)."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from curation.models import Taxonomy
    from curation.roles import ROLES

    for role in ROLES:
        Group.objects.get_or_create(name=role)
    if not Taxonomy.objects.filter(name="head-ct", version=1).exists():
        importlib.import_module("curation.migrations.0002_roles_and_default_taxonomy").load_default_taxonomy(apps, None)
