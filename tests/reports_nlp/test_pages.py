"""The curator pages: runs, candidates (evidence highlighted, select into a campaign), mapping editor, quality."""

import pytest
from django.test import Client

from curation.models import Taxonomy
from reports_nlp.models import MappingSet
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/reports/", "/reports/candidates/", "/reports/mappings/", "/reports/mappings/1/", "/reports/quality/"]


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_curators_see_every_page_other_roles_are_refused(users, mined_run):
    curator = _client(users["curator"])
    for url in PAGES:
        assert curator.get(url).status_code == 200, url
    for role in ("radiologist", "trainer"):
        for url in PAGES:
            assert _client(users[role]).get(url).status_code == 403, (role, url)


def test_malformed_ids_and_page_numbers_are_not_found_not_server_errors(users, mined_run):
    curator = _client(users["curator"])
    for url in ["/reports/candidates/?page=abc", "/reports/candidates/?page=0", "/reports/candidates/?run=x",
                "/reports/candidates/?run=99999999999999999999", "/reports/quality/?run=-1",
                f"/reports/quality/?run={mined_run.pk}&campaign=abc"]:
        assert curator.get(url).status_code == 404, url
    assert curator.get(f"/reports/candidates/?run={mined_run.pk}&page=2").status_code == 200


def test_candidates_page_highlights_the_evidence_and_counts_traits(users, mined_run):
    page = _client(users["curator"]).get(f"/reports/candidates/?run={mined_run.pk}&trait=depressed_skull_fracture")
    html = page.content.decode()
    assert "<mark>Depressed skull fracture</mark> of the right parietal bone." in html
    assert "high significance" in html
    filtered = _client(users["curator"]).get(f"/reports/candidates/?run={mined_run.pk}&section=indication")
    assert "No candidates match these filters." in filtered.content.decode()


def test_selected_candidates_join_a_campaign_ranked_by_mining(users, mined_run, imported_reports):
    from annotation.models import PriorityScore
    from annotation.services.campaigns import campaign_create

    campaign = campaign_create(name="rare findings", taxonomy=Taxonomy.objects.get(version=1),
                               created_by=users["curator"])
    dsf, wmi = imported_reports["ACC-DSF"].pk, imported_reports["ACC-WMI"].pk
    response = _client(users["curator"]).post("/reports/candidates/select/", {
        "campaign": campaign.pk, "run": mined_run.pk, "study": [dsf, wmi], "next": "/reports/candidates/",
    })
    assert response.status_code == 302
    assert set(campaign.campaign_studies.values_list("study_id", flat=True)) == {dsf, wmi}
    scores = dict(PriorityScore.objects.filter(campaign=campaign, source="report-mining").values_list("study", "score"))
    assert scores[dsf] > scores[wmi]


def test_mapping_editor_saves_a_draft_and_refuses_a_published_set(users):
    curator = _client(users["curator"])
    curator.post("/reports/mappings/1/clone/")
    draft = MappingSet.objects.get(version=2)
    mapping = draft.mappings.get(trait__code="lacune")
    curator.post(f"/reports/mapping/{mapping.pk}/save/", {"phrases": "lacune\nlacunar infarct\n", "weight": "2"})
    mapping.refresh_from_db()
    assert (mapping.phrases, mapping.weight) == (["lacune", "lacunar infarct"], 2.0)
    published = MappingSet.objects.get(version=1).mappings.get(trait__code="lacune")
    response = curator.post(f"/reports/mapping/{published.pk}/save/", {"phrases": "x"}, follow=True)
    assert "published and immutable" in response.content.decode()


def test_live_preview_shows_matching_sentences_with_the_assertion(api_for, mined_run):
    response = api_for("curator").post("/api/reports/mapping-sets/1/preview/",
                                       {"trait": "midline_shift", "phrase": "midline shift"}, format="json")
    matches = response.json()["matches"]
    assert {(m["match"].lower(), m["assertion"]) for m in matches} == {("midline shift", "present"),
                                                                       ("midline shift", "absent")}
    negated = next(m for m in matches if m["assertion"] == "absent")
    assert negated["before"].startswith("No hemorrhage")


def test_curators_extend_a_drafts_assertion_rules_on_the_editor_page(users):
    import json

    curator = _client(users["curator"])
    curator.post("/reports/mappings/1/clone/")
    draft = MappingSet.objects.get(version=2)
    rules = [*draft.context_rules, {"phrase": "sans", "category": "negated", "direction": "forward"}]
    curator.post("/reports/mappings/2/rules/save/", {"context_rules": json.dumps(rules)})
    assert MappingSet.objects.get(version=2).context_rules[-1]["phrase"] == "sans"
    bad = curator.post("/reports/mappings/2/rules/save/", {"context_rules": '[{"phrase": "x", "category": "odd"}]'},
                       follow=True)
    assert "category" in bad.content.decode() and len(MappingSet.objects.get(version=2).context_rules) == len(rules)
