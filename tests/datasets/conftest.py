"""Dataset fixtures: an isolated datasets root and a small ingested, read cohort."""

import pytest

from curation.models import Study

from .platform_cohort import ingest_cohort, read_campaign, truth_by_study_pk


@pytest.fixture(autouse=True)
def datasets_root(settings, test_data_dir):
    # The same root a real test worker uses (its data dir is test_data_dir).
    settings.RADCURATE_DATASETS_DIR = str(test_data_dir / "datasets")
    return test_data_dir / "datasets"


@pytest.fixture
def cohort(db, tmp_path):
    """Six ingested synthetic studies (some patients with two), read to consensus in campaign 'first'."""
    truth = ingest_cohort(tmp_path / "cohort")
    studies = list(Study.objects.order_by("study_uid"))
    positives = truth_by_study_pk(truth)
    campaign = read_campaign("first", studies, positives)
    return {"studies": studies, "positives": positives, "campaign": campaign, "truth": truth}
