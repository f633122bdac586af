"""Importing a run queues the priority recompute, and a real Celery worker on Redis carries it out."""

import time

import pytest

from annotation.models import PriorityScore
from curation.models import Taxonomy
from datasets.services.active_learning import active_learning_policy_set
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.datasets.test_model_runs import write_run


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_recomputes_priorities_after_an_import(celery_worker, tmp_path):
    studies = make_studies(3)
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    campaign = make_campaign(taxonomy, studies=studies, readers=make_readers(2))
    active_learning_policy_set(campaign=campaign, weights={"rare_significant": 1.0})
    probs = [[0.05, 0.01, 0.1], [0.95, 0.9, 0.1], [0.4, 0.2, 0.3]]
    model_run_import(run_dir=write_run(tmp_path / "run", [s.study_uid for s in studies], probs))
    deadline = time.monotonic() + 60
    scores = {}
    while len(scores) < 3 and time.monotonic() < deadline:
        time.sleep(0.3)
        scores = dict(PriorityScore.objects.filter(campaign=campaign, source="active_learning")
                      .values_list("study_id", "score"))
    assert len(scores) == 3, celery_worker["log"].read_text()[-2000:]
    assert max(scores, key=scores.get) == studies[1].pk
    assert "datasets.priorities_recompute" in celery_worker["log"].read_text()
