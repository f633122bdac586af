"""Consensus: majority, adaptive overlap on high-significance disagreement, adjudication with hidden identities."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotation.models import AdjudicationTask, CampaignStudy, Consensus
from annotation.selectors.adjudication import adjudication_queue, adjudication_view
from annotation.selectors.consensus import consensus_for_study, consensus_labels, consensus_reference
from annotation.services.adjudication import adjudication_decide
from annotation.services.reads import read_amend, read_submit
from annotation.services.worklist import worklist_next
from annotation.stats.consensus_rules import Votes, study_outcome


def test_votes_majority_ties_and_soft_labels():
    assert Votes.of(["present", "present", "absent"]).majority == "present"
    assert Votes.of(["present", "absent"]).majority is None
    assert Votes.of(["uncertain", "absent", "absent"]).soft_label == pytest.approx(1 / 6)
    assert Votes.of(["uncertain", "present"]).majority == "present"
    outcome = study_outcome({"ich": Votes.of(["present", "absent"]), "lacune": Votes.of(["absent", "absent"])},
                            {"ich": "high", "lacune": "low"}, n_reads=2, max_reads=3)
    assert outcome.extend
    outcome = study_outcome({"ich": Votes.of(["present", "absent", "absent"])}, {"ich": "high"}, n_reads=3, max_reads=3)
    assert outcome.adjudicate == {"ich": "high_disagreement"}


def _read(campaign, reader, labels):
    return read_submit(reader=reader, assignment=worklist_next(reader=reader, campaign=campaign), labels=labels)


@pytest.fixture
def one_study(campaign_factory, studies, readers):
    pool = readers(4)
    (senior,) = readers(1, prefix="senior")
    campaign = campaign_factory(studies=studies(1), readers=pool, adjudicators=[senior, pool[0]], min_reads=2,
                                max_reads=3)
    return campaign, pool, senior


def test_agreeing_readers_give_majority_consensus(one_study):
    campaign, (a, b, *_), _ = one_study
    _read(campaign, a, {"lacune": "present"})
    _read(campaign, b, {"lacune": "present"})
    entry = CampaignStudy.objects.get(campaign=campaign)
    assert entry.status == "complete"
    result = consensus_for_study(campaign_study=entry)
    assert result["traits"]["lacune"] == {
        "label": "present", "method": "majority", "votes": {"present": 2, "absent": 0, "uncertain": 0},
        "soft_label": 1.0, "ds_probability": None, "n_reads": 2, "adjudicated": False, "slice_ranges": [],
        "key_images": [],
    }
    assert result["traits"]["fracture"]["label"] == "absent"


def test_consensus_reference_gives_each_asked_trait_as_present_or_not(one_study):
    campaign, (a, b, *_), _ = one_study
    _read(campaign, a, {"lacune": "present"})
    _read(campaign, b, {"lacune": "present"})
    study_id = CampaignStudy.objects.get(campaign=campaign).study_id
    reference = consensus_reference(campaign=campaign, codes=["lacune", "fracture", "no_such_trait"])
    assert reference == {study_id: {"lacune": True, "fracture": False}}


def test_an_amendment_rewrites_the_consensus_rows_in_place_and_keeps_the_posterior(one_study):
    """Re-evaluation writes over the study's consensus rows (the upsert's conflict path): one row per trait, the
    votes of the amended read, and the Dawid-Skene posterior left to its own run."""
    campaign, (a, b, *_), _ = one_study
    first = _read(campaign, a, {"lacune": "present"})
    _read(campaign, b, {"lacune": "present"})
    entry = CampaignStudy.objects.get(campaign=campaign)
    rows = Consensus.objects.filter(campaign_study=entry)
    n_traits = rows.count()
    rows.filter(trait__code="fracture").update(ds_probability=0.25)
    read_amend(reader=a, read=first, labels={}, reason="lacune was an artefact")  # lacune now 1 to 1: a tie
    assert rows.count() == n_traits
    lacune = rows.get(trait__code="lacune")
    assert (lacune.method, lacune.label, lacune.votes["present"], lacune.votes["absent"]) == ("pending", "", 1, 1)
    assert rows.get(trait__code="fracture").ds_probability == 0.25
    assert CampaignStudy.objects.get(pk=entry.pk).status == "adjudication"


def test_high_significance_disagreement_adds_a_reader_then_goes_to_adjudication(one_study):
    campaign, (a, b, c, d), senior = one_study
    _read(campaign, a, {"subdural_hemorrhage": "present", "sinus_pathology": "present"})
    _read(campaign, b, {"sinus_pathology": "absent"})
    entry = CampaignStudy.objects.get(campaign=campaign)
    assert (entry.status, entry.target_reads) == ("open", 3)  # adaptive overlap: one more reader
    _read(campaign, c, {"sinus_pathology": "present"})
    entry.refresh_from_db()
    assert entry.status == "adjudication"
    task = AdjudicationTask.objects.get(campaign_study=entry, status="open")
    assert task.traits == {"intracranial_hemorrhage": "high_disagreement", "subdural_hemorrhage": "high_disagreement"}
    assert Consensus.objects.get(campaign_study=entry, trait__code="sinus_pathology").label == "present"  # 2 of 3
    assert Consensus.objects.get(campaign_study=entry, trait__code="subdural_hemorrhage").method == "pending"
    assert worklist_next(reader=d, campaign=campaign) is None  # the study has its reads

    # The senior reader sees the reads side by side without names; a reader of the study may not adjudicate.
    assert list(adjudication_queue(user=senior)) == [task]
    assert list(adjudication_queue(user=a)) == []
    view = adjudication_view(task=task, show_identities=False)
    assert [r["reader"] for r in view["readers"]] == ["Reader A", "Reader B", "Reader C"]
    assert "reader_username" not in str(view) and a.username not in str(view)
    row = next(r for r in view["rows"] if r["trait"] == "subdural_hemorrhage")
    assert row["states"] == ["present", "absent", "absent"] and row["disputed"] == "high_disagreement"
    assert adjudication_view(task=task, show_identities=True)["readers"][0]["reader_username"] == a.username
    with pytest.raises(PermissionDenied):
        adjudication_decide(task=task, adjudicator=a, decisions={})
    with pytest.raises(ValidationError, match="missing decisions for intracranial_hemorrhage"):
        adjudication_decide(task=task, adjudicator=senior, decisions={"subdural_hemorrhage": "present"})

    adjudication_decide(task=task, adjudicator=senior, decisions={"subdural_hemorrhage": "present",
                                                                  "intracranial_hemorrhage": "absent"})
    entry.refresh_from_db()
    assert entry.status == "complete"
    ich = Consensus.objects.get(campaign_study=entry, trait__code="intracranial_hemorrhage")
    # The hierarchy overrides an inconsistent decision: a present subtype makes the parent present.
    assert (ich.label, ich.method, ich.adjudicator_id) == ("present", "adjudicated", senior.pk)
    assert ich.votes == {"present": 1, "absent": 2, "uncertain": 0}
    [row] = [r for r in consensus_labels(campaign=campaign) if r["study_id"] == entry.study_id]
    assert row["traits"]["subdural_hemorrhage"]["adjudicated"] is True
    assert len(row["reads"]) == 3 and all(r["reader"].startswith("R") for r in row["reads"])
    assert a.username not in str(row)


def test_tie_on_a_low_trait_goes_straight_to_adjudication(campaign_factory, studies, readers):
    a, b = readers(2)
    campaign = campaign_factory(studies=studies(1), readers=[a, b], min_reads=2, max_reads=3)
    _read(campaign, a, {"lacune": "present"})
    _read(campaign, b, {})
    task = AdjudicationTask.objects.get(campaign_study__campaign=campaign)
    assert task.traits == {"lacune": "tie"}
