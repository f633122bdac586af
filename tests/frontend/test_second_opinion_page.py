"""The second-opinion page: blinded until the campaign allows predictions and the reader's own read is in."""

import pytest
from django.test import Client

from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from curation.models import Study, Taxonomy
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_campaign, make_readers
from tests.conftest import PASSWORD
from tests.datasets.platform_cohort import ingest_cohort, phi_strings
from tests.datasets.test_model_runs import write_run

pytestmark = pytest.mark.django_db


def test_second_opinion_appears_only_after_the_read_and_never_shows_phi(users, tmp_path):
    ingest_cohort(tmp_path / "cohort", studies=1)
    study = Study.objects.get()
    reader = users["radiologist"]
    campaign = make_campaign(Taxonomy.objects.get(version=1), studies=[study], readers=[reader, *make_readers(1)])
    model_run_import(run_dir=write_run(tmp_path / "run", [study.study_uid], [[0.91, 0.7, 0.1]]))
    client = Client()
    assert client.login(username=reader.username, password=PASSWORD)
    assignment = worklist_next(reader=reader, campaign=campaign)
    url = f"/reading/assignments/{assignment.pk}/second-opinion/"
    assert client.get(url).status_code == 403  # the campaign is blinded
    campaign.show_predictions = True
    campaign.save()
    assert client.get(url).status_code == 403  # the read is not submitted yet
    assert b"second-opinions" not in client.get("/reading/").content
    read_submit(reader=reader, assignment=assignment, labels={"intracranial_hemorrhage": "present"})
    assert url.encode() in client.get("/reading/").content
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "intracranial_hemorrhage" in text and "0.91" in text
    assert not [s for s in phi_strings() if s in text]
    other = Client()
    assert other.login(username=users["curator"].username, password=PASSWORD)
    assert other.get(url).status_code == 404  # someone else's assignment: not revealed
