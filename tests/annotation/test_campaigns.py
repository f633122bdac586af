"""Campaign rules: validation, what may change once active, gold answers, priorities on policy change, reader quality."""

import pytest
from django.core.exceptions import ValidationError

from annotation.models import Assignment, CampaignStudy, Consensus
from annotation.selectors.agreement import reader_quality
from annotation.selectors.campaigns import campaign_progress
from annotation.services.campaigns import campaign_create, campaign_update
from annotation.services.priorities import priority_set
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import CURATOR
from curation.models import Taxonomy
from curation.services.taxonomy import taxonomy_clone
from tests.conftest import make_user


def test_campaign_validation(taxonomy, readers):
    with pytest.raises(ValidationError):
        campaign_create(name="bad reads", taxonomy=taxonomy, min_reads=4, max_reads=3)
    with pytest.raises(ValidationError):
        campaign_create(name="too many", taxonomy=taxonomy, min_reads=2, max_reads=6)
    draft = taxonomy_clone(taxonomy=taxonomy)
    with pytest.raises(ValidationError, match="not published"):
        campaign_create(name="draft taxonomy", taxonomy=Taxonomy.objects.get(pk=draft.pk))
    with pytest.raises(ValidationError, match="Not radiologists: cur"):
        campaign_create(name="wrong pool", taxonomy=taxonomy, readers=[make_user("cur", CURATOR)])


def test_active_campaign_freezes_taxonomy_and_read_counts(campaign_factory, studies, readers):
    campaign = campaign_factory(studies=studies(1), readers=readers(2))
    with pytest.raises(ValidationError, match="min_reads"):
        campaign_update(campaign=campaign, min_reads=3)
    campaign_update(campaign=campaign, show_other_reads=True, reservation_minutes=5)
    assert campaign.show_other_reads and campaign.reservation_minutes == 5


def test_switching_to_sequential_policy_reorders_by_addition(campaign_factory, studies, readers):
    s1, s2 = studies(2)
    a, b = readers(2)
    campaign = campaign_factory(studies=[s1, s2], readers=[a, b])
    priority_set(campaign=campaign, scores={s2.pk: (5.0, "rare trait")}, source="mining")
    assert worklist_next(reader=a, campaign=campaign).campaign_study.study_id == s2.pk
    campaign_update(campaign=campaign, priority_policy="sequential")
    assert CampaignStudy.objects.get(campaign=campaign, study=s2).priority == 0.0
    assert worklist_next(reader=b, campaign=campaign).campaign_study.study_id == s1.pk


def test_late_submit_is_accepted_while_the_study_has_room(campaign_factory, studies, readers):
    a, b = readers(2)
    campaign = campaign_factory(studies=studies(1), readers=[a, b])
    assignment = worklist_next(reader=a, campaign=campaign)
    Assignment.objects.filter(pk=assignment.pk).update(status="expired")
    read = read_submit(reader=a, assignment=assignment, no_findings=True)
    assert read.is_submitted and CampaignStudy.objects.get(campaign=campaign).n_submitted == 1


def test_gold_answers_score_readers_and_progress_counts(campaign_factory, studies, readers):
    regular, (gold,) = studies(2), studies(1)
    a, b = readers(2)
    campaign = campaign_factory(studies=regular, readers=[a, b], gold={gold.pk: ["subdural_hemorrhage"]},
                                gold_every=1)
    gold_consensus = Consensus.objects.get(campaign_study__study=gold, trait__code="intracranial_hemorrhage")
    assert (gold_consensus.label, gold_consensus.method) == ("present", "gold")  # the hierarchy applies to answers
    first = worklist_next(reader=a, campaign=campaign)
    assert first.campaign_study.is_gold
    read_submit(reader=a, assignment=first, labels={"subdural_hemorrhage": "present", "lacune": "present"},
                time_spent_s=120)
    [row] = reader_quality(campaign=campaign, reader_ids=[a.pk])
    assert row["vs_gold"]["sensitivity"] == 1.0 and row["vs_gold"]["fp"] == 1
    assert row["reads_per_hour"] == pytest.approx(30.0) and row["median_time_per_study_s"] == 120
    progress = campaign_progress(campaign=campaign)
    assert (progress["studies"], progress["gold_studies"], progress["reads_submitted"]) == (2, 1, 1)


def test_other_reads_only_when_the_campaign_allows_and_without_names(campaign_factory, studies, readers):
    from annotation.selectors.worklist import assignment_context

    a, b, c = readers(3)
    campaign = campaign_factory(studies=studies(1), readers=[a, b, c], min_reads=3, max_reads=3)
    read_submit(reader=a, assignment=worklist_next(reader=a, campaign=campaign), labels={"lacune": "present"})
    blinded = assignment_context(assignment=worklist_next(reader=b, campaign=campaign))
    assert blinded["other_reads"] is None
    campaign_update(campaign=campaign, show_other_reads=True)
    open_ctx = assignment_context(assignment=worklist_next(reader=c, campaign=campaign))
    assert open_ctx["other_reads"] == [{"reader": "Reader A", "labels": open_ctx["other_reads"][0]["labels"],
                                        "note": ""}]
    assert open_ctx["other_reads"][0]["labels"]["lacune"] == "present" and a.username not in str(open_ctx)


def test_agreement_table_has_every_trait_and_group(campaign_factory, studies, readers):
    from annotation.selectors.agreement import agreement_table

    a, b = readers(2)
    campaign = campaign_factory(studies=studies(3), readers=[a, b])
    for reader in (a, b):
        for i in range(3):
            labels = {"sinus_pathology": "present"} if (i == 0 or reader == a) else {}
            read_submit(reader=reader, assignment=worklist_next(reader=reader, campaign=campaign), labels=labels)
    table = agreement_table(campaign=campaign, n_boot=50, show_pairs=True)
    assert (table["n_studies"], table["n_readers"]) == (3, 2) and len(table["traits"]) == 35
    sinus = next(t for t in table["traits"] if t["trait"] == "sinus_pathology")
    assert sinus["cohen_pairs"][0]["n_common"] == 3 and sinus["positive_rate"] == pytest.approx(4 / 6)
    lacune = next(t for t in table["traits"] if t["trait"] == "lacune")
    assert lacune["fleiss_kappa"]["value"] is None and lacune["gwet_ac1"]["value"] == 1.0  # all absent
    kinds = {(g["kind"], g["group"]) for g in table["groups"]}
    assert ("significance", "high") in kinds and ("location", "sinus/orbit/mastoid") in kinds
