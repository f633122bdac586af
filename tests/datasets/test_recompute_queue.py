"""The model-run API's recompute requests: the service queues the task once the caller's transaction commits."""

import pytest
from django.core.exceptions import ValidationError

from curation.models import Taxonomy
from datasets import tasks
from datasets.models import ActiveLearningPolicy, ModelRun
from datasets.services import active_learning
from datasets.services.active_learning import active_learning_policy_apply, priorities_recompute_queue
from tests.annotation.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return make_campaign(Taxonomy.objects.get(name="head-ct", version=1), studies=[], readers=[], activate=False)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.priorities_recompute_task, "apply_async",
                        lambda args, kwargs, task_id: calls.append((args, task_id, kwargs["job_id"])))
    return calls


def test_the_recompute_is_sent_after_commit_with_the_id_answered(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = priorities_recompute_queue(run=None)
        assert sent == []
    assert len(callbacks) == 1 and sent == [([None], job.task_id, job.pk)] and job.status == "queued"


def test_setting_a_policy_queues_the_recompute(campaign, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy = active_learning_policy_apply(campaign=campaign, weights={"random": 1.0}, seed=3)
    assert policy.seed == 3 and len(sent) == 1 and sent[0][0] == [None]


def test_a_failing_queue_leaves_the_policy_unchanged(campaign, monkeypatch):
    def broker_down(**kwargs):
        raise ValidationError("the queue is unavailable")

    monkeypatch.setattr(active_learning, "priorities_recompute_queue", broker_down)
    with pytest.raises(ValidationError):
        active_learning_policy_apply(campaign=campaign, weights={"random": 1.0})
    assert not ActiveLearningPolicy.objects.filter(campaign=campaign).exists()


def test_the_apis_queue_through_the_service(api_for, campaign, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy = api_for("trainer").put(f"/api/datasets/campaigns/{campaign.pk}/active-learning/",
                                        {"weights": {"random": 1.0}}, format="json")
    assert policy.status_code == 200 and len(sent) == 1
    run = ModelRun.objects.create(name="a run", traits=["intracranial_hemorrhage"])
    with django_capture_on_commit_callbacks(execute=True):
        recompute = api_for("trainer").post(f"/api/datasets/runs/{run.pk}/recompute/")
    body = recompute.json()
    assert recompute.status_code == 202 and sent[-1] == ([run.pk], body["task"], body["job"])
    assert (body["run"], body["status"], body["campaigns_done"]) == (run.pk, "queued", 0)
    shown = api_for("curator").get(f"/api/datasets/runs/{run.pk}/recompute/")
    assert shown.status_code == 200 and shown.json() == body


def test_a_run_never_recomputed_has_no_job_to_show(api_for):
    run = ModelRun.objects.create(name="a run", traits=["intracranial_hemorrhage"])
    answer = api_for("trainer").get(f"/api/datasets/runs/{run.pk}/recompute/")
    assert answer.status_code == 404 and "No recompute" in answer.json()["detail"]
    assert api_for("radiologist").get(f"/api/datasets/runs/{run.pk}/recompute/").status_code == 403
