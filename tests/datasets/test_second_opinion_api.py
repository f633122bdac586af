"""The second-opinion API answers another reader's assignment as one that does not exist (404), as every other
endpoint does, so a reader cannot learn which assignment ids exist."""

import pytest
from rest_framework.test import APIClient

from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from curation.models import Taxonomy
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.datasets.test_model_runs import write_run

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_another_readers_assignment_is_a_404_like_a_missing_one(tmp_path):
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    owner, other = make_readers(2)
    study = make_studies(1)[0]
    campaign = make_campaign(taxonomy, studies=[study], readers=[owner, other], show_predictions=True)
    model_run_import(run_dir=write_run(tmp_path / "run", [study.study_uid], [[0.9, 0.7, 0.1]]))
    assignment = worklist_next(reader=owner, campaign=campaign)
    url = "/api/datasets/second-opinion/{}/"
    before = _client(other).get(url.format(assignment.pk))  # not yet submitted
    read_submit(reader=owner, assignment=assignment, labels={"intracranial_hemorrhage": "present"})
    after = _client(other).get(url.format(assignment.pk))
    missing = _client(other).get(url.format(assignment.pk + 10**6))
    assert missing.status_code == 404
    assert [(r.status_code, r.json()) for r in (before, after)] == [(404, missing.json())] * 2
    assert _client(owner).get(url.format(assignment.pk)).status_code == 200
