"""Reads: tri-state labels, hierarchy, no findings, drafts, immutability, amendments and the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annotation.labels import taxonomy_index
from annotation.models import (
    AuditEvent,
    CampaignStudy,
    Consensus,
    Read,
    ReadAlreadySubmittedError,
    ReadImmutableError,
    ReadLabel,
)
from annotation.services.audit import AuditSource
from annotation.services.reads import read_amend, read_draft_save, read_submit
from annotation.services.worklist import worklist_next
from tests.annotation.conftest import sql_statements


@pytest.fixture
def setup(campaign_factory, studies, readers):
    pool = readers(3)
    campaign = campaign_factory(studies=studies(2), readers=pool, slice_ranges=True)
    return campaign, pool


def labels_of(read):
    return {label.trait.code: label.state for label in read.labels.all()}


def test_positive_child_makes_parent_positive_and_missing_traits_are_absent(setup):
    campaign, (alice, *_) = setup
    assignment = worklist_next(reader=alice, campaign=campaign)
    read = read_submit(reader=alice, assignment=assignment, labels={"subdural_hemorrhage": "present",
                                                                    "hydrocephalus": "uncertain"})
    states = labels_of(read)
    assert states["subdural_hemorrhage"] == "present"
    assert states["intracranial_hemorrhage"] == "present"
    assert ReadLabel.objects.get(read=read, trait__code="intracranial_hemorrhage").implied
    assert states["hydrocephalus"] == "uncertain"
    assert states["acute_infarct"] == "absent"
    assert len(states) == campaign.taxonomy.traits.count()
    assert not read.no_findings


def test_no_findings_marks_every_trait_absent_in_one_step(setup):
    campaign, (alice, *_) = setup
    read = read_submit(reader=alice, assignment=worklist_next(reader=alice, campaign=campaign), no_findings=True)
    assert read.no_findings
    assert set(labels_of(read).values()) == {"absent"}


def test_bad_labels_are_refused_with_the_trait_named(setup):
    campaign, (alice, *_) = setup
    assignment = worklist_next(reader=alice, campaign=campaign)
    with pytest.raises(ValidationError, match="not_a_trait"):
        read_submit(reader=alice, assignment=assignment, labels={"not_a_trait": "present"})
    with pytest.raises(ValidationError, match="hydrocephalus.*only for positive"):
        read_submit(reader=alice, assignment=assignment,
                    labels={"hydrocephalus": {"state": "absent", "slice_ranges": [[1, 2]]}})
    with pytest.raises(ValidationError, match="out of range.*32 slices"):
        read_submit(reader=alice, assignment=assignment,
                    labels={"hydrocephalus": {"state": "present", "slice_ranges": [[10, 40]]}})


def test_draft_is_restorable_then_submitted_read_is_immutable(setup):
    campaign, (alice, bob, _) = setup
    assignment = worklist_next(reader=alice, campaign=campaign)
    read_draft_save(reader=alice, assignment=assignment, labels={"fracture": "present"}, time_spent_s=12)
    draft = read_draft_save(reader=alice, assignment=assignment,
                            labels={"fracture": {"state": "present", "slice_ranges": [[3, 5]], "key_images": [4]}},
                            time_spent_s=30)
    assert Read.objects.filter(assignment=assignment).count() == 1
    assert ReadLabel.objects.get(read=draft).slice_ranges == [[3, 5]]
    with pytest.raises(PermissionDenied):
        read_draft_save(reader=bob, assignment=assignment, labels={})
    read = read_submit(reader=alice, assignment=assignment, labels={"fracture": {"state": "present",
                                                                                "slice_ranges": [[3, 5]]}})
    assert read.pk == draft.pk and read.time_spent_s == 30
    read.note = "changed"
    with pytest.raises(ReadImmutableError):
        read.save()
    label = ReadLabel.objects.get(read=read, trait__code="fracture")
    label.state = "absent"
    with pytest.raises(ReadImmutableError):
        label.save()
    with pytest.raises(ReadImmutableError):
        label.delete()
    with pytest.raises(ReadAlreadySubmittedError, match="already submitted"):
        read_submit(reader=alice, assignment=assignment, labels={})


def test_database_refuses_to_rewrite_submitted_reads_and_audit(setup):
    campaign, (alice, *_) = setup
    read = read_submit(reader=alice, assignment=worklist_next(reader=alice, campaign=campaign), no_findings=True)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        ReadLabel.objects.filter(read=read).update(state="present")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Read.objects.filter(pk=read.pk).update(note="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert connection.vendor == "postgresql"


def test_amendment_creates_a_new_version_and_is_audited(setup):
    campaign, (alice, *_) = setup
    source = AuditSource(ip="10.1.2.3", user_agent="pytest-browser")
    assignment = worklist_next(reader=alice, campaign=campaign, source=source)
    first = read_submit(reader=alice, assignment=assignment, no_findings=True, source=source)
    second = read_amend(reader=alice, read=first, labels={"lacune": "present"}, reason="missed a lacune",
                        source=source)
    assert (second.version, second.amends_id) == (2, first.pk)
    assert labels_of(Read.objects.get(pk=first.pk))["lacune"] == "absent"
    assert labels_of(second)["lacune"] == "present"
    with pytest.raises(ValidationError, match="latest submitted version"):
        read_amend(reader=alice, read=first, labels={}, reason="again")
    events = list(AuditEvent.objects.filter(actor=alice).values_list("action", "ip", "user_agent"))
    assert [e[0] for e in events] == ["assignment-reserved", "read-submitted", "read-amended"]
    assert {e[1] for e in events} == {"10.1.2.3"} and {e[2] for e in events} == {"pytest-browser"}
    amended = AuditEvent.objects.get(action="read-amended")
    assert amended.data["labels"]["lacune"] == "present" and amended.data["reason"] == "missed a lacune"


def test_submit_costs_a_fixed_handful_of_statements(setup):
    """A regression guard for the reader's critical path (docs/performance.md): two row locks, three statements for
    the read and its labels, the assignment, the study, one audit insert; on the last read one query of the reads
    and the consensus upsert; once per study, the first marks pin its primary series. The taxonomy is read once per
    process, never per submit."""
    campaign, (alice, bob, _) = setup
    taxonomy_index(campaign.taxonomy)  # a published taxonomy's index is cached; this warms it
    first = worklist_next(reader=alice, campaign=campaign)
    with CaptureQueriesContext(connection) as ctx:
        read_submit(reader=alice, assignment=first, labels={"lacune": {"state": "present", "key_images": [3]}})
    assert len(sql_statements(ctx)) <= 9, "\n".join(sql_statements(ctx))
    last = worklist_next(reader=bob, campaign=campaign)
    read_draft_save(reader=bob, assignment=last, labels={"lacune": "present"}, time_spent_s=20)
    with CaptureQueriesContext(connection) as ctx:
        read_submit(reader=bob, assignment=last, labels={"lacune": {"state": "present", "key_images": [5]}})
    assert len(sql_statements(ctx)) <= 10, "\n".join(sql_statements(ctx))
    entry = CampaignStudy.objects.get(pk=first.campaign_study_id)
    assert (entry.status, entry.n_submitted) == ("complete", 2)  # the counted submit did complete the study
    assert Consensus.objects.get(campaign_study=entry, trait__code="lacune").key_images == [3, 5]
    with CaptureQueriesContext(connection) as ctx:
        taxonomy_index(campaign.taxonomy)
    assert not ctx.captured_queries


def test_key_images_are_kept_checked_audited_and_merged_in_consensus(setup):
    campaign, (alice, bob, _) = setup
    assignment = worklist_next(reader=alice, campaign=campaign)
    for labels, error in [
        ({"lacune": {"state": "absent", "key_images": [2]}}, "lacune.*only for positive"),
        ({"lacune": {"state": "present", "key_images": [32]}}, "lacune.*key_images entry 32 is out of range.*32 slices"),
        ({"lacune": {"state": "present", "key_images": [-1]}}, "out of range"),
        ({"lacune": {"state": "present", "key_images": [True]}}, "key_images entry True is not valid"),
        ({"lacune": {"state": "present", "key_images": 4}}, "key_images must be a list"),
    ]:
        with pytest.raises(ValidationError, match=error):
            read_submit(reader=alice, assignment=assignment, labels=labels)
    read = read_submit(reader=alice, assignment=assignment, labels={
        "subdural_hemorrhage": {"state": "present", "slice_ranges": [[4, 9]], "key_images": [7, 5, 7]},
    })
    label = ReadLabel.objects.get(read=read, trait__code="subdural_hemorrhage")
    assert (label.slice_ranges, label.key_images) == ([[4, 9]], [5, 7])  # sorted, no repeats
    assert ReadLabel.objects.get(read=read, trait__code="intracranial_hemorrhage").key_images == []  # implied parent
    event = AuditEvent.objects.get(action="read-submitted", object_id=read.pk)
    assert event.data["marks"] == {"subdural_hemorrhage": {"slice_ranges": [[4, 9]], "key_images": [5, 7]}}
    read_submit(reader=bob, assignment=worklist_next(reader=bob, campaign=campaign), labels={
        "subdural_hemorrhage": {"state": "present", "slice_ranges": [[8, 12]], "key_images": [11]},
    })
    row = Consensus.objects.get(campaign_study_id=assignment.campaign_study_id, trait__code="subdural_hemorrhage")
    assert (row.label, row.slice_ranges, row.key_images) == ("present", [[4, 12]], [5, 7, 11])


def test_key_images_only_where_the_campaign_collects_slices(campaign_factory, studies, readers):
    alice, bob = readers(2)
    campaign = campaign_factory(studies=studies(1), readers=[alice, bob], slice_ranges=False)
    assignment = worklist_next(reader=alice, campaign=campaign)
    with pytest.raises(ValidationError, match="lacune.*does not collect key_images"):
        read_submit(reader=alice, assignment=assignment, labels={"lacune": {"state": "present", "key_images": [1]}})
