"""The REST API end to end, with role checks: curators manage, radiologists see only their own, admins alone see
reader identities on adjudication; and everything is in the OpenAPI schema."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotation.models import AuditEvent
from core.roles import ADMIN, RADIOLOGIST
from tests.conftest import make_user

BASE = "/api/annotation"


def client_for(user) -> APIClient:
    api = APIClient(HTTP_USER_AGENT="pytest-reader/1.0")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


@pytest.fixture
def world(users, api_for, taxonomy, studies, readers):
    alice, bob, carol = readers(3)
    (senior,) = readers(1, prefix="senior")
    study = studies(1)[0]
    gold = studies(1)[0]
    curator = api_for("curator")
    created = curator.post(f"{BASE}/campaigns/", {
        "name": "ich-pilot", "taxonomy_id": taxonomy.pk, "min_reads": 2, "max_reads": 3, "slice_ranges": True,
        "readers": [alice.username, bob.username, carol.username], "adjudicators": [senior.username],
        "gold_every": 0,
    }, format="json")
    assert created.status_code == 201, created.data
    cid = created.data["id"]
    added = curator.post(f"{BASE}/campaigns/{cid}/studies/", {
        "study_uids": [study.study_uid, "2.25.does-not-exist"],
        "gold": [{"study_uid": gold.study_uid, "positives": ["fracture"]}],
    }, format="json")
    assert added.status_code == 201 and added.data["missing"] == ["2.25.does-not-exist"]
    assert curator.post(f"{BASE}/campaigns/{cid}/activate/").status_code == 200
    return {"cid": cid, "readers": (alice, bob, carol), "senior": senior, "study": study, "curator": curator,
            "api_for": api_for}


def test_role_checks_on_campaign_management(world):
    cid, api_for = world["cid"], world["api_for"]
    alice = world["readers"][0]
    assert api_for("radiologist").post(f"{BASE}/campaigns/", {}, format="json").status_code == 403
    assert api_for(None).get(f"{BASE}/campaigns/").status_code in (401, 403)
    assert client_for(alice).patch(f"{BASE}/campaigns/{cid}/", {"max_reads": 5}, format="json").status_code == 403
    # A radiologist outside the campaign does not even see it.
    assert api_for("radiologist").get(f"{BASE}/campaigns/{cid}/").status_code == 404
    assert [c["id"] for c in client_for(alice).get(f"{BASE}/campaigns/").data["results"]] == [cid]
    frozen = world["curator"].patch(f"{BASE}/campaigns/{cid}/", {"max_reads": 5}, format="json")
    assert frozen.status_code == 400 and "max_reads" in str(frozen.data)
    assert client_for(alice).get(f"{BASE}/campaigns/{cid}/consensus/").status_code == 403  # blinding
    assert client_for(alice).get(f"{BASE}/campaigns/{cid}/agreement/").status_code == 403


def test_reading_flow_through_the_api_with_blinding_and_own_reads_only(world):
    cid = world["cid"]
    alice, bob, _ = world["readers"]
    a_api, b_api = client_for(alice), client_for(bob)
    [summary] = a_api.get(f"{BASE}/worklist/").data["results"]
    assert (summary["available"], summary["submitted"], summary["current_assignment_id"]) == (1, 0, None)
    nxt = a_api.post(f"{BASE}/campaigns/{cid}/next/")
    assert nxt.status_code == 200
    assignment = nxt.data["assignment_id"]
    assert nxt.data["n_slices"] == 32 and nxt.data["other_reads"] is None
    assert nxt.data["blinding"] == {"show_other_reads": False, "show_mined_verdicts": False, "show_predictions": False}
    assert "reason" not in nxt.data  # would reveal a gold study
    draft = a_api.put(f"{BASE}/assignments/{assignment}/draft/", {"labels": {"epidural_hemorrhage": {
        "state": "present", "slice_ranges": [[10, 14]], "key_images": [12]}}, "time_spent_s": 40}, format="json")
    assert draft.status_code == 200 and draft.data["labels"]["intracranial_hemorrhage"]["implied"] is True
    restored = a_api.get(f"{BASE}/assignments/{assignment}/")
    assert restored.data["draft"]["labels"]["epidural_hemorrhage"]["slice_ranges"] == [[10, 14]]
    assert b_api.get(f"{BASE}/assignments/{assignment}/").status_code == 404  # not Bob's
    bad = a_api.post(f"{BASE}/assignments/{assignment}/submit/", {"labels": {"nonsense": "present"}}, format="json")
    assert bad.status_code == 400 and "nonsense" in str(bad.data)
    submitted = a_api.post(f"{BASE}/assignments/{assignment}/submit/", {
        "labels": {"epidural_hemorrhage": {"state": "present", "slice_ranges": [[10, 14]], "key_images": [13, 11]}},
        "time_spent_s": 75,
    }, format="json")
    assert submitted.status_code == 201 and submitted.data["status"] == "submitted"
    assert submitted.data["labels"]["epidural_hemorrhage"]["key_images"] == [11, 13]
    again = a_api.post(f"{BASE}/assignments/{assignment}/submit/", {"labels": {}}, format="json")
    assert again.status_code == 409, again.data  # a repeat (double click, retry) is a conflict, not bad input
    assert again.data["code"] == "read_already_submitted" and "already submitted" in again.data["detail"]
    assert a_api.get(f"{BASE}/reads/{submitted.data['id']}/").data["labels"]["epidural_hemorrhage"]["key_images"] == [
        11, 13]
    [summary] = a_api.get(f"{BASE}/worklist/").data["results"]
    assert (summary["available"], summary["submitted"]) == (0, 1)
    read_id = submitted.data["id"]
    assert b_api.get(f"{BASE}/reads/{read_id}/").status_code == 404
    assert [r["id"] for r in a_api.get(f"{BASE}/reads/").data["results"]] == [read_id]
    assert world["curator"].get(f"{BASE}/reads/{read_id}/").status_code == 200
    amended = a_api.post(f"{BASE}/reads/{read_id}/amend/", {"labels": {}, "reason": "was a calcification"},
                         format="json")
    assert amended.status_code == 201 and amended.data["version"] == 2
    event = AuditEvent.objects.filter(action="read-submitted").get()
    assert (event.actor_id, event.ip, event.user_agent) == (alice.pk, "127.0.0.1", "pytest-reader/1.0")


def test_adjudication_identities_only_for_admins(world):
    cid = world["cid"]
    alice, bob, carol = world["readers"]
    for reader, labels in ((alice, {"subdural_hemorrhage": "present"}), (bob, {}), (carol, {})):
        nxt = client_for(reader).post(f"{BASE}/campaigns/{cid}/next/")
        client_for(reader).post(f"{BASE}/assignments/{nxt.data['assignment_id']}/submit/", {"labels": labels},
                                format="json")
    senior = client_for(world["senior"])
    queue = senior.get(f"{BASE}/adjudications/").data["results"]
    assert len(queue) == 1
    task_id = queue[0]["id"]
    view = senior.get(f"{BASE}/adjudications/{task_id}/").data
    assert [r["reader"] for r in view["readers"]] == ["Reader A", "Reader B", "Reader C"]
    assert alice.username not in str(view)
    assert client_for(alice).get(f"{BASE}/adjudications/{task_id}/").status_code == 404
    admin = make_user("chief", ADMIN, RADIOLOGIST)
    admin_view = client_for(admin).get(f"{BASE}/adjudications/{task_id}/").data
    assert alice.username in {r["reader_username"] for r in admin_view["readers"]}
    decided = senior.post(f"{BASE}/adjudications/{task_id}/decide/", {"decisions": {
        "subdural_hemorrhage": "absent", "intracranial_hemorrhage": "absent"}}, format="json")
    assert decided.status_code == 200 and decided.data["status"] == "decided"
    assert decided.data["adjudicator"] is None  # the senior is not an admin
    consensus = world["curator"].get(f"{BASE}/campaigns/{cid}/consensus/").data["results"]
    regular = [row for row in consensus if not row["is_gold"]]
    assert regular[0]["traits"]["subdural_hemorrhage"]["label"] == "absent"
    assert all(r["reader"].startswith("R") for r in regular[0]["reads"])
    assert alice.username not in str(consensus)
    agreement = world["api_for"]("trainer").get(f"{BASE}/campaigns/{cid}/agreement/?n_boot=50")
    assert agreement.status_code == 200 and len(agreement.data["traits"]) == 35
    # Reader quality (names with sensitivity and specificity) is for curators and admins, not readers or trainers.
    assert client_for(alice).get(f"{BASE}/campaigns/{cid}/readers/").status_code == 403
    assert world["api_for"]("trainer").get(f"{BASE}/campaigns/{cid}/readers/").status_code == 403
    quality = world["curator"].get(f"{BASE}/campaigns/{cid}/readers/").data["results"]
    assert alice.username in {q["reader"] for q in quality}
    progress = world["curator"].get(f"{BASE}/campaigns/{cid}/progress/").data
    assert progress["studies_by_status"]["complete"] == 1 and progress["reads_submitted"] == 3
    assert world["api_for"]("admin").get(f"{BASE}/audit/?campaign={cid}").data["count"] > 5
    assert world["curator"].get(f"{BASE}/audit/").status_code == 403
    bad = world["api_for"]("admin").get(f"{BASE}/audit/?campaign=abc")
    assert bad.status_code == 400 and "campaign" in bad.data


def test_priorities_api_keeps_good_rows_and_reports_bad_ones(world):
    cid, study = world["cid"], world["study"]
    response = world["api_for"]("trainer").post(f"{BASE}/campaigns/{cid}/priorities/", {
        "source": "active_learning",
        "scores": [{"study_id": study.pk, "score": 0.7, "reason": "ensemble disagreement"},
                   {"study_id": study.pk + 1000, "score": 1.0}, {"score": "high"}],
    }, format="json")
    assert response.status_code == 200 and response.data["updated"] == 1
    assert len(response.data["skipped"]) == 2


def test_every_annotation_endpoint_is_in_the_openapi_schema(api_for):
    schema = api_for("curator").get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = [p for p in schema.json()["paths"] if p.startswith(f"{BASE}/")]
    from annotation.urls import urlpatterns

    assert len(paths) == len(urlpatterns)


def test_studies_by_filter_and_from_mining_without_a_run(api_for, taxonomy, studies, readers):
    from curation.models import Study

    chosen = studies(3)
    Study.objects.filter(pk__in=[s.pk for s in chosen[:2]]).update(site="SITE-A")
    curator = api_for("curator")
    cid = curator.post(f"{BASE}/campaigns/", {"name": "filtered", "taxonomy_id": taxonomy.pk},
                       format="json").data["id"]
    added = curator.post(f"{BASE}/campaigns/{cid}/studies/", {"filters": {"limit": 10, "site": "SITE-A"},
                                                              "from_mining": {"limit": 5}}, format="json")
    assert added.status_code == 201, added.data
    assert sorted(added.data["added"]) == sorted(s.pk for s in chosen[:2])
    bad = curator.post(f"{BASE}/campaigns/{cid}/studies/", {"filters": {"site": "x"}}, format="json")
    assert bad.status_code == 400 and "limit" in str(bad.data)
