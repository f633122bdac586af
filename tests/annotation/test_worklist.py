"""The worklist: priority order, reservations and expiry, gold interleaving, and correctness under concurrency."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotation.models import Assignment, AuditEvent, CampaignStudy, Read
from annotation.selectors.worklist import live_assignments, next_candidate, studies_open_count
from annotation.services.priorities import priority_set
from annotation.services.reads import read_submit
from annotation.services.worklist import assignment_release, reservations_expire, worklist_next
from tests.annotation.conftest import sql_statements


def test_next_follows_priority_and_records_why(campaign_factory, studies, readers):
    s1, s2, s3 = studies(3)
    (alice, bob) = readers(2)
    campaign = campaign_factory(studies=[s1, s2, s3], readers=[alice, bob])
    result = priority_set(campaign=campaign, scores={s2.pk: (0.9, "subdural hemorrhage in report"), s3.pk: 0.2,
                                                     999999: 1.0}, source="mining")
    assert result.updated == 2 and 999999 in result.skipped
    priority_set(campaign=campaign, scores={s3.pk: (0.8, "ensemble disagreement")}, source="active_learning")
    a = worklist_next(reader=alice, campaign=campaign)
    assert a.campaign_study.study_id == s3.pk  # 0.2 + 0.8 from two sources beats 0.9 from one
    assert "active_learning" in a.reason and "mining" in a.reason


def test_blended_priority_weights_decide_order(campaign_factory, studies, readers):
    s1, s2 = studies(2)
    (alice, bob) = readers(2)
    campaign = campaign_factory(studies=[s1, s2], readers=[alice, bob],
                                priority_weights={"mining": 1.0, "active_learning": 0.1})
    priority_set(campaign=campaign, scores={s1.pk: (0.5, "rare trait")}, source="mining")
    priority_set(campaign=campaign, scores={s2.pk: (1.0, "uncertain model")}, source="active_learning")
    entry = CampaignStudy.objects.get(campaign=campaign, study=s1)
    assert entry.priority == pytest.approx(0.5) and "rare trait" in entry.priority_reason
    assert worklist_next(reader=alice, campaign=campaign).campaign_study.study_id == s1.pk


def test_reservation_is_resumed_expires_and_returns_to_the_pool(campaign_factory, studies, readers):
    (study,) = studies(1)
    alice, bob, carol = readers(3)
    campaign = campaign_factory(studies=[study], readers=[alice, bob, carol], min_reads=2, max_reads=2)
    a1 = worklist_next(reader=alice, campaign=campaign)
    assert worklist_next(reader=alice, campaign=campaign).pk == a1.pk  # resumed, not a second study
    worklist_next(reader=bob, campaign=campaign)
    assert worklist_next(reader=carol, campaign=campaign) is None  # both slots reserved
    Assignment.objects.filter(pk=a1.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reservations_expire() == 1
    a3 = worklist_next(reader=carol, campaign=campaign)
    assert a3 is not None and a3.campaign_study_id == a1.campaign_study_id
    # Alice's late submit finds the study full: refused, her draft kept.
    with pytest.raises(ValidationError, match="expired"):
        read_submit(reader=alice, assignment=a1, no_findings=True)


def test_expiry_sweep_marks_only_lapsed_reservations(campaign_factory, studies, readers):
    alice, bob, carol = readers(3)
    campaign = campaign_factory(studies=studies(2), readers=[alice, bob, carol], min_reads=2, max_reads=2)
    done = worklist_next(reader=alice, campaign=campaign)
    read_submit(reader=alice, assignment=done, no_findings=True)
    lapsed = worklist_next(reader=bob, campaign=campaign)
    live = worklist_next(reader=carol, campaign=campaign)
    past = timezone.now() - timedelta(seconds=1)
    Assignment.objects.filter(pk__in=[done.pk, lapsed.pk]).update(expires_at=past)  # a submitted one lapses too
    assert reservations_expire() == 1
    statuses = dict(Assignment.objects.filter(campaign=campaign).values_list("id", "status"))
    assert statuses == {done.pk: "submitted", lapsed.pk: "expired", live.pk: "reserved"}
    assert AuditEvent.objects.get(action="reservations-expired").data == {"assignments": [lapsed.pk]}
    assert reservations_expire() == 0  # nothing left to sweep
    # Bob's slot is back in the pool, and Bob himself may take the study again (his row is revived, not doubled).
    again = worklist_next(reader=bob, campaign=campaign)
    assert again.pk == lapsed.pk and again.status == "reserved"


def test_released_study_is_not_offered_again_to_that_reader(campaign_factory, studies, readers):
    s1, s2 = studies(2)
    alice, bob = readers(2)
    campaign = campaign_factory(studies=[s1, s2], readers=[alice, bob], priority_policy="sequential")
    first = worklist_next(reader=alice, campaign=campaign)
    assignment_release(assignment=first, reader=alice)
    second = worklist_next(reader=alice, campaign=campaign)
    assert second.campaign_study_id != first.campaign_study_id


def test_only_pool_readers_of_active_campaigns(campaign_factory, studies, readers):
    alice, bob, outsider = readers(3)
    campaign = campaign_factory(studies=studies(1), readers=[alice, bob], activate=False)
    with pytest.raises(ValidationError, match="not active"):
        worklist_next(reader=alice, campaign=campaign)
    campaign.status = "active"
    campaign.save()
    with pytest.raises(PermissionDenied):
        worklist_next(reader=outsider, campaign=campaign)


def test_gold_studies_are_mixed_in_and_read_by_every_reader(campaign_factory, studies, readers):
    regular = studies(4)
    (gold,) = studies(1)
    pool = readers(3)
    campaign = campaign_factory(studies=regular, readers=pool, gold={gold.pk: ["fracture"]}, gold_every=2)
    for reader in pool:
        got = []
        for _ in range(2):
            a = worklist_next(reader=reader, campaign=campaign)
            got.append(a.campaign_study.is_gold)
            read_submit(reader=reader, assignment=a, no_findings=True)
        assert got == [False, True]
    assert Assignment.objects.filter(campaign_study__study=gold, status="submitted").count() == 3


def test_next_study_costs_a_fixed_handful_of_statements(campaign_factory, studies, readers):
    """A regression guard for the reader's critical path (docs/performance.md): the pool check with the per-reader
    lock, the reader's state, the candidate, the reservation with its recheck, the audit insert; a gold study due
    costs the same; resuming a reservation is three."""
    regular = studies(2)
    (gold,) = studies(1)
    alice, bob = readers(2)
    campaign = campaign_factory(studies=regular, readers=[alice, bob], gold={gold.pk: ["fracture"]}, gold_every=2)
    with CaptureQueriesContext(connection) as ctx:
        first = worklist_next(reader=alice, campaign=campaign)
    assert not first.campaign_study.is_gold
    assert len(sql_statements(ctx)) <= 5, "\n".join(sql_statements(ctx))
    with CaptureQueriesContext(connection) as ctx:
        again = worklist_next(reader=alice, campaign=campaign)
    assert again.pk == first.pk and again.campaign_study.study_id == first.campaign_study.study_id
    assert len(sql_statements(ctx)) <= 3, "\n".join(sql_statements(ctx))
    read_submit(reader=alice, assignment=first, no_findings=True)
    with CaptureQueriesContext(connection) as ctx:
        second = worklist_next(reader=alice, campaign=campaign)
    assert second.campaign_study.study_id == gold.pk  # every 2nd study is gold
    assert len(sql_statements(ctx)) <= 5, "\n".join(sql_statements(ctx))


def test_the_worklist_sql_counts_as_live_what_live_assignments_does(campaign_factory, studies, readers):
    """The worklist's rule is written in SQL (selectors/worklist.py) and the late-submit check counts with the
    `live_assignments` Q: studies in every state of their assignments, and both must agree on what is open."""
    alice, bob, carol = readers(3)
    pool = studies(7)
    campaign = campaign_factory(studies=pool, readers=[alice, bob, carol], min_reads=2, max_reads=2,
                                priority_policy="sequential")
    entries = list(CampaignStudy.objects.filter(campaign=campaign).order_by("id"))
    now = timezone.now()
    live, lapsed = now + timedelta(minutes=30), now - timedelta(seconds=1)
    states = [  # (reader, status, expires_at) per study; alice asks
        [],
        [(bob, "submitted", live), (carol, "reserved", live)],  # full
        [(bob, "submitted", live), (carol, "reserved", lapsed)],  # a slot back in the pool
        [(bob, "released", live), (carol, "expired", lapsed)],  # neither holds a slot
        [(alice, "released", live)],  # alice handed it back: not offered to her again
        [(alice, "reserved", lapsed)],  # alice's own lapsed reservation: she may take it again
        [(alice, "submitted", live)],  # alice read it
    ]
    for entry, rows in zip(entries, states, strict=True):
        for reader, status, expires in rows:
            Assignment.objects.create(campaign=campaign, campaign_study=entry, reader=reader, status=status,
                                      reserved_at=now - timedelta(minutes=31), expires_at=expires)
    mine = Q(reader=alice) & (Q(status__in=["submitted", "released"]) | Q(status="reserved", expires_at__gt=now))
    by_orm = {e.pk for e in entries
              if e.assignments.filter(live_assignments(now)).count() < e.target_reads
              and not e.assignments.filter(mine).exists()}
    by_sql: list[int] = []
    while (entry := next_candidate(campaign=campaign, reader=alice, now=now, exclude=by_sql)) is not None:
        by_sql.append(entry.pk)
    assert set(by_sql) == by_orm == {entries[i].pk for i in (0, 2, 3, 5)}
    assert by_sql == sorted(by_sql)  # sequential policy: campaign order
    assert studies_open_count(campaign=campaign, reader=alice, now=now) == 4


def _read_everything(campaign, reader, results, errors):
    try:
        while (a := worklist_next(reader=reader, campaign=campaign)) is not None:
            read = read_submit(reader=reader, assignment=a, no_findings=True, time_spent_s=1.0)
            results.append((reader.pk, a.campaign_study.study_id, read.pk))
    except Exception as exc:  # noqa: BLE001  (reported by the test)
        errors.append(repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_readers_never_overfill_a_study_nor_lose_a_read(taxonomy, studies, readers):
    from tests.annotation.conftest import make_campaign

    n_studies, n_readers = 12, 10
    campaign = make_campaign(taxonomy, studies=studies(n_studies), readers=readers(n_readers), min_reads=3,
                             max_reads=3)
    results: list = []
    errors: list = []
    threads = [threading.Thread(target=_read_everything, args=(campaign, r, results, errors))
               for r in campaign.readers.all()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    per_study = Counter(study for _, study, _ in results)
    assert len(per_study) == n_studies and set(per_study.values()) == {3}  # exactly the target, never more
    assert len(set((r, s) for r, s, _ in results)) == len(results)  # nobody read a study twice
    stored = set(Read.objects.filter(assignment__campaign=campaign, status="submitted").values_list("pk", flat=True))
    assert stored == {read for _, _, read in results}  # every acknowledged read is in the database
    assert set(CampaignStudy.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"complete"}
