"""Taxonomy over the REST API, with the role rules of the design's user table."""

import pytest

from curation.models import Taxonomy

pytestmark = pytest.mark.django_db


def _v1_id():
    return Taxonomy.objects.get(version=1).pk


@pytest.mark.parametrize("role", ["radiologist", "curator", "trainer", "admin"])
def test_every_role_reads_the_tree_with_significance_groups_and_hierarchy(api_for, role):
    listing = api_for(role).get("/api/taxonomies/")
    assert listing.status_code == 200
    assert [t["trait_count"] for t in listing.json()["results"]] == [35]
    tree = api_for(role).get(f"/api/taxonomies/{_v1_id()}/").json()
    assert len(tree["traits"]) == 30
    ich = next(t for t in tree["traits"] if t["code"] == "intracranial_hemorrhage")
    assert ich["significance"] == "high"
    assert {"kind": "type", "name": "hemorrhage"} in ich["groups"]
    assert len(ich["children"]) == 5


def test_editing_a_published_version_answers_409_with_a_clear_error(api_for):
    trait_id = Taxonomy.objects.get(version=1).traits.get(code="lacune").pk
    response = api_for("curator").patch(f"/api/traits/{trait_id}/", {"name": "Lacunar infarct"}, format="json")
    assert response.status_code == 409
    assert "published and immutable" in response.json()["detail"]


def test_curator_clones_edits_and_publishes_a_draft(api_for):
    api = api_for("curator")
    draft = api.post(f"/api/taxonomies/{_v1_id()}/clone/", {}, format="json")
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    draft_id = draft.json()["id"]
    created = api.post(f"/api/taxonomies/{draft_id}/traits/", {
        "code": "venous_thrombosis", "name": "Venous sinus thrombosis", "significance": "high", "hotkey": "F2",
    }, format="json")
    assert created.status_code == 201, created.json()
    bad = api.post(f"/api/taxonomies/{draft_id}/traits/", {
        "code": "orphan", "name": "Orphan", "significance": "low", "parent_code": "no_such_trait",
    }, format="json")
    assert bad.status_code == 400 and "no_such_trait" in str(bad.json())
    assert api.post(f"/api/taxonomies/{draft_id}/publish/").json()["status"] == "published"


@pytest.mark.parametrize("role", ["radiologist", "trainer"])
def test_readers_and_trainers_cannot_change_the_taxonomy(api_for, role):
    assert api_for(role).post(f"/api/taxonomies/{_v1_id()}/clone/", {}, format="json").status_code == 403
    assert Taxonomy.objects.count() == 1
