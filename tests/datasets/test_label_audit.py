"""Label audit: a consensus label the model's out-of-sample prediction confidently contradicts goes to the
campaign's adjudication queue with its reason; in-sample (train split) predictions are never used."""

import pandas as pd
import pytest

from annotation.models import AdjudicationTask, CampaignStudy
from datasets.services import label_audit
from datasets.services.label_audit import label_audit_queue
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_voted_campaign
from tests.datasets.test_model_runs import write_run

pytestmark = pytest.mark.django_db

LACUNE = "lacune"
VOTES = [(1, 1, 1)] * 7 + [(0, 0, 0)] * 6 + [(1, 0, 0)]  # the last study: consensus absent, 2 of 3 readers


def audited_campaign(tmp_path, split="test"):
    campaign, studies, _ = make_voted_campaign(LACUNE, VOTES)
    probs = [[0.1, 0.05, 0.9]] * 7 + [[0.1, 0.05, 0.08]] * 6 + [[0.1, 0.05, 0.97]]
    run_dir = write_run(tmp_path / "run", [s.study_uid for s in studies], probs)
    table = pd.read_csv(run_dir / "predictions.csv")
    table["split"] = split
    table.to_csv(run_dir / "predictions.csv", index=False)
    return model_run_import(run_dir=run_dir), campaign, studies


def test_a_likely_wrong_label_is_queued_for_adjudication_with_its_reason(tmp_path):
    run, campaign, studies = audited_campaign(tmp_path)
    flags = label_audit_queue(run=run, campaign=campaign)
    assert [(f["study_id"], f["trait"]) for f in flags] == [(studies[-1].pk, LACUNE)]
    assert flags[0]["reason"] == "label audit: model 0.97 present, consensus absent, 2 of 3 readers absent"
    task = AdjudicationTask.objects.get(campaign_study__study=studies[-1], status="open")
    assert task.traits == {LACUNE: flags[0]["reason"]}
    entry = CampaignStudy.objects.get(campaign=campaign, study=studies[-1])
    assert entry.status == CampaignStudy.Status.ADJUDICATION


def test_training_predictions_are_not_used(tmp_path):
    run, campaign, _ = audited_campaign(tmp_path, split="train")
    assert label_audit_queue(run=run, campaign=campaign) == []
    assert not AdjudicationTask.objects.filter(campaign_study__campaign=campaign).exists()


def test_an_audit_that_fails_part_way_queues_nothing(tmp_path, monkeypatch):
    run, campaign, _ = audited_campaign(tmp_path)
    real = label_audit.adjudication_request

    def request_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(label_audit, "adjudication_request", request_then_fail)
    with pytest.raises(RuntimeError):
        label_audit_queue(run=run, campaign=campaign)
    assert not AdjudicationTask.objects.filter(campaign_study__campaign=campaign).exists()
    assert not CampaignStudy.objects.filter(campaign=campaign, status=CampaignStudy.Status.ADJUDICATION).exists()
