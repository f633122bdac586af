"""Adding studies to a campaign is one use case: studies by UID, gold studies, mining candidates and archive
filters go in together or not at all."""

import pytest
from django.core.exceptions import ValidationError

from annotation.models import AuditEvent, CampaignStudy
from annotation.services import campaigns as campaign_services
from annotation.services.campaigns import campaign_create, campaign_studies_add
from curation.models import Study

BASE = "/api/annotation"


def _nothing_added(campaign_id) -> bool:
    return (not CampaignStudy.objects.filter(campaign_id=campaign_id).exists()
            and not AuditEvent.objects.filter(campaign_id=campaign_id, action="campaign-studies-added").exists())


def test_uids_gold_and_filters_are_added_in_one_call(taxonomy, studies):
    listed, gold, filtered = studies(1)[0], studies(1)[0], studies(1)[0]
    Study.objects.filter(pk=filtered.pk).update(site="SITE-F")
    campaign = campaign_create(name="one call", taxonomy=taxonomy)
    result = campaign_studies_add(campaign=campaign, study_uids=[listed.study_uid, "2.25.nowhere"],
                                  gold=[{"study_uid": gold.study_uid, "positives": ["fracture"]}],
                                  filters={"limit": 5, "site": "SITE-F"})
    assert sorted(result["added"]) == sorted([listed.pk, gold.pk, filtered.pk])
    assert result["missing"] == ["2.25.nowhere"] and result["already_in_campaign"] == []
    assert CampaignStudy.objects.get(campaign=campaign, study=gold).is_gold


def test_a_failing_later_step_rolls_back_the_studies_already_added(taxonomy, studies, monkeypatch):
    (study,) = studies(1)
    campaign = campaign_create(name="all or nothing", taxonomy=taxonomy)

    def archive_down(**kwargs):
        raise ValidationError("the archive filter failed")

    monkeypatch.setattr(campaign_services, "campaign_add_filtered", archive_down)
    with pytest.raises(ValidationError, match="archive filter failed"):
        campaign_studies_add(campaign=campaign, study_uids=[study.study_uid], filters={"limit": 5})
    assert _nothing_added(campaign.pk)


def test_the_api_answers_a_failing_later_step_with_400_and_adds_nothing(api_for, taxonomy, studies, monkeypatch):
    (study,) = studies(1)
    curator = api_for("curator")
    cid = curator.post(f"{BASE}/campaigns/", {"name": "api all or nothing", "taxonomy_id": taxonomy.pk},
                       format="json").data["id"]

    def mining_down(**kwargs):
        raise ValidationError("mining is unavailable")

    monkeypatch.setattr(campaign_services, "campaign_add_candidates", mining_down)
    response = curator.post(f"{BASE}/campaigns/{cid}/studies/", {"study_uids": [study.study_uid],
                                                                 "from_mining": {"limit": 3}}, format="json")
    assert response.status_code == 400 and "mining is unavailable" in str(response.data)
    assert _nothing_added(cid)


def test_a_bad_nested_part_is_refused_before_anything_is_written(api_for, taxonomy, studies):
    (study,) = studies(1)
    curator = api_for("curator")
    cid = curator.post(f"{BASE}/campaigns/", {"name": "validated first", "taxonomy_id": taxonomy.pk},
                       format="json").data["id"]
    bad_filter = curator.post(f"{BASE}/campaigns/{cid}/studies/", {"study_uids": [study.study_uid],
                                                                   "filters": {"site": "x"}}, format="json")
    assert bad_filter.status_code == 400 and "limit" in str(bad_filter.data["filters"])
    bad_gold = curator.post(f"{BASE}/campaigns/{cid}/studies/", {"study_uids": [study.study_uid],
                                                                 "gold": [{"study_uid": study.study_uid}]},
                            format="json")
    assert bad_gold.status_code == 400 and "positives" in str(bad_gold.data["gold"])
    assert _nothing_added(cid)


def test_unknown_usernames_are_all_named_and_no_campaign_is_made(api_for, taxonomy, readers):
    (reader,) = readers(1)
    response = api_for("curator").post(f"{BASE}/campaigns/", {
        "name": "ghost pool", "taxonomy_id": taxonomy.pk, "readers": [reader.username, "ghost", "phantom"],
    }, format="json")
    assert response.status_code == 400 and response.data == {"readers": ["Unknown users: ghost, phantom."]}
    missing_taxonomy = api_for("curator").post(f"{BASE}/campaigns/", {"name": "no taxonomy", "taxonomy_id": 99999},
                                               format="json")
    assert missing_taxonomy.status_code == 404
    from annotation.models import Campaign

    assert not Campaign.objects.filter(name__in=["ghost pool", "no taxonomy"]).exists()
