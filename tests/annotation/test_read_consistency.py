"""A read that contradicts the trait hierarchy (a subtype called above its parent) is refused with a 400 naming both
traits on submit and amend; a draft, mid-edit, keeps what the reader gave. Free-text notes have a size limit."""

import pytest
from rest_framework.test import APIClient

from annotation.labels import NOTE_MAX_CHARS
from annotation.models import Read
from annotation.services.worklist import worklist_next

BASE = "/api/annotation"


@pytest.fixture
def reading(campaign_factory, studies, readers):
    alice, bob = readers(2)
    campaign = campaign_factory(studies=studies(1), readers=[alice, bob])
    api = APIClient()
    api.force_authenticate(alice)
    return api, worklist_next(reader=alice, campaign=campaign)


def _labels(answer) -> dict:
    return {code: label["state"] for code, label in answer.json()["labels"].items()}


@pytest.mark.parametrize(("child", "parent"), [("present", "absent"), ("present", "uncertain"),
                                               ("uncertain", "absent")])
def test_submit_refuses_a_subtype_above_its_parent_naming_both(reading, child, parent):
    api, assignment = reading
    answer = api.post(f"{BASE}/assignments/{assignment.pk}/submit/", {"labels": {
        "subdural_hemorrhage": child, "intracranial_hemorrhage": parent}}, format="json")
    assert answer.status_code == 400, answer.content
    message = " ".join(answer.json()["labels"])
    assert "'subdural_hemorrhage'" in message and "'intracranial_hemorrhage'" in message and "contradict" in message
    assert not Read.objects.filter(assignment=assignment, status=Read.Status.SUBMITTED).exists()


def test_a_parent_left_out_is_implied_and_a_consistent_read_is_kept(reading):
    api, assignment = reading
    answer = api.post(f"{BASE}/assignments/{assignment.pk}/submit/",
                      {"labels": {"subdural_hemorrhage": "present"}}, format="json")
    assert answer.status_code == 201
    labels = answer.json()["labels"]
    assert labels["intracranial_hemorrhage"]["state"] == "present" and labels["intracranial_hemorrhage"]["implied"]
    read_id = answer.json()["id"]
    amend = api.post(f"{BASE}/reads/{read_id}/amend/", {"reason": "second look", "labels": {
        "subdural_hemorrhage": "present", "intracranial_hemorrhage": "absent"}}, format="json")
    assert amend.status_code == 400 and "'intracranial_hemorrhage'" in " ".join(amend.json()["labels"])
    fine = api.post(f"{BASE}/reads/{read_id}/amend/", {"reason": "second look", "labels": {
        "subdural_hemorrhage": "uncertain", "intracranial_hemorrhage": "present"}}, format="json")
    assert fine.status_code == 201 and _labels(fine)["intracranial_hemorrhage"] == "present"


def test_a_draft_keeps_a_contradiction_mid_edit_and_submit_refuses_it(reading):
    api, assignment = reading
    labels = {"subdural_hemorrhage": "present", "intracranial_hemorrhage": "absent"}
    draft = api.put(f"{BASE}/assignments/{assignment.pk}/draft/", {"labels": labels}, format="json")
    assert draft.status_code == 200 and _labels(draft) == labels  # as given: nothing silently turned present
    assert api.post(f"{BASE}/assignments/{assignment.pk}/submit/", {"labels": labels},
                    format="json").status_code == 400


def test_notes_past_the_limit_are_refused_naming_the_field(reading):
    api, assignment = reading
    long = "x" * (NOTE_MAX_CHARS + 1)
    url = f"{BASE}/assignments/{assignment.pk}/submit/"
    answer = api.post(url, {"note": long}, format="json")
    assert answer.status_code == 400 and "note" in answer.json()
    answer = api.post(url, {"labels": {"fracture": {"state": "present", "note": long}}}, format="json")
    assert answer.status_code == 400 and "'fracture': note" in " ".join(answer.json()["labels"])
    kept = api.post(url, {"note": "x" * NOTE_MAX_CHARS}, format="json")
    assert kept.status_code == 201 and len(kept.json()["note"]) == NOTE_MAX_CHARS
