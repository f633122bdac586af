"""Reads: tri-state labels, hierarchy, no findings, drafts, immutability, amendments and the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from annotation.models import AuditEvent, Read, ReadImmutableError, ReadLabel
from annotation.services.audit import AuditSource
from annotation.services.reads import read_amend, read_draft_save, read_submit
from annotation.services.worklist import worklist_next


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
    with pytest.raises(ValidationError, match="already submitted"):
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
