"""Consensus use cases: evaluate a study when its reads are in (majority, adaptive overlap, adjudication), and
Dawid–Skene over a whole campaign with per-reader confusion estimates."""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from annotation.labels import taxonomy_index
from annotation.models import AdjudicationTask, Campaign, CampaignStudy, Consensus, DawidSkeneRun, ReaderConfusion
from annotation.selectors.reads import current_label_rows, reads_current_qs
from annotation.services.audit import AuditBatch, audit_record
from annotation.stats.consensus_rules import PRESENT, Votes, binary_call, study_outcome
from annotation.stats.dawid_skene import dawid_skene
from core.db.bulk import insert_rows, update_rows

logger = logging.getLogger(__name__)


def merge_ranges(ranges: list) -> list:
    """Union of slice ranges, as sorted disjoint [first, last] pairs."""
    merged: list[list[int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return merged


def _positive_marks(reads: list[list[tuple]], code_of: dict) -> tuple[dict[str, list], dict[str, list]]:
    """Per trait, the union of the slice ranges and of the key images that positive reads marked."""
    ranges: dict[str, list] = {}
    images: dict[str, set] = {}
    for labels in reads:
        for trait_id, state, slice_ranges, key_images in labels:
            if state != PRESENT:
                continue
            if slice_ranges:
                ranges.setdefault(code_of[trait_id], []).extend(slice_ranges)
            if key_images:
                images.setdefault(code_of[trait_id], set()).update(key_images)
    return {code: merge_ranges(r) for code, r in ranges.items()}, {code: sorted(k) for code, k in images.items()}


_CONSENSUS_COLUMNS = ("campaign_study_id", "trait_id", "label", "method", "votes", "soft_label", "n_reads",
                      "slice_ranges", "key_images", "adjudicator_id", "adjudication_id", "computed_at")


def _write_consensus(entry: CampaignStudy, index, votes: dict, adjudicate: dict, marks: tuple[dict, dict]) -> None:
    ranges, images = marks
    now = timezone.now()
    rows = []
    for code, v in votes.items():
        pending = code in adjudicate
        rows.append((
            entry.pk, index.by_code[code].pk, "" if pending else v.majority,
            Consensus.Method.PENDING if pending else Consensus.Method.MAJORITY, v.as_dict(), v.soft_label, v.n,
            ranges.get(code, []), images.get(code, []), None, None, now,
        ))
    # The Dawid-Skene posterior of a re-evaluated row is kept (its own run replaces it).
    insert_rows(Consensus, _CONSENSUS_COLUMNS, rows, unique_fields=("campaign_study", "trait"),
                update_fields=_CONSENSUS_COLUMNS[2:])


def _supersede_open(entry: CampaignStudy) -> None:
    entry.adjudications.filter(status=AdjudicationTask.Status.OPEN).update(status=AdjudicationTask.Status.SUPERSEDED)


@transaction.atomic(savepoint=False)  # runs inside the submit's transaction, with the study's row locked
def study_evaluate(
    *, campaign_study: CampaignStudy, reevaluate: bool = False, changed: tuple = (), audit: AuditBatch | None = None,
) -> CampaignStudy:
    """Called with the study's row locked, after each submit (and after an amendment of a finished study).

    A submit passes the study fields it changed (`changed`, saved here in the one UPDATE of the study) and its
    audit batch (written by the caller), so that completing a study costs few round trips.
    """
    entry = campaign_study
    batch = audit if audit is not None else AuditBatch()
    fields = set(changed)
    # The study's row is locked, so n_submitted is exact: no need to fetch reads before the last one is in.
    if not entry.is_gold and (reevaluate or entry.n_submitted >= entry.target_reads):  # gold: the known answer
        fields |= _evaluate(entry, batch, reevaluate=reevaluate)
    if fields:
        entry.save(update_fields=sorted(fields))
    if audit is None:
        batch.write()
    return entry


def _evaluate(entry: CampaignStudy, batch: AuditBatch, *, reevaluate: bool) -> set[str]:
    """Consensus, another reader, or adjudication; returns the study fields it changed."""
    reads = list(current_label_rows(campaign_study=entry).values())
    if len(reads) < entry.target_reads and not reevaluate:
        return set()
    campaign = entry.campaign
    index = taxonomy_index(campaign.taxonomy)
    states = [{index.code_of[trait_id]: state for trait_id, state, *_ in labels} for labels in reads]
    votes = {code: Votes.of(s[code] for s in states if code in s) for code in index.codes}
    outcome = study_outcome(votes, index.significance, n_reads=len(reads), max_reads=campaign.max_reads)
    if entry.status == CampaignStudy.Status.ADJUDICATION:  # open tasks exist only in this status
        _supersede_open(entry)
    if outcome.extend:
        return _extend(entry, votes, index, batch, n_reads=len(reads))
    _write_consensus(entry, index, votes, outcome.adjudicate, _positive_marks(reads, index.code_of))
    if outcome.adjudicate:
        task = AdjudicationTask.objects.create(campaign_study=entry, traits=outcome.adjudicate)
        entry.status, entry.completed_at = CampaignStudy.Status.ADJUDICATION, None
        batch.record(actor=None, action="adjudication-created", obj=task, campaign_id=campaign.pk,
                     data={"study_id": entry.study_id, "traits": outcome.adjudicate})
    else:
        entry.status, entry.completed_at = CampaignStudy.Status.COMPLETE, timezone.now()
    batch.record(actor=None, action="consensus-computed", obj=entry, campaign_id=campaign.pk,
                 data={"study_id": entry.study_id, "n_reads": len(reads), "status": entry.status})
    return {"status", "completed_at"}


def _extend(entry: CampaignStudy, votes: dict, index, batch: AuditBatch, *, n_reads: int) -> set[str]:
    # Adaptive overlap: one more reader for a study whose readers disagree on a high-significance trait.
    disputed = sorted(c for c, v in votes.items() if index.significance[c] == "high" and not v.unanimous)
    entry.target_reads = n_reads + 1
    entry.status, entry.completed_at = CampaignStudy.Status.OPEN, None
    entry.consensus.all().delete()  # derived rows; recomputed when the extra read arrives
    batch.record(actor=None, action="study-overlap-extended", obj=entry, campaign_id=entry.campaign_id,
                 data={"study_id": entry.study_id, "target_reads": entry.target_reads, "disputed": disputed})
    return {"target_reads", "status", "completed_at"}


def _campaign_calls(campaign: Campaign) -> dict[str, list[tuple]]:
    """Per trait code: (reader id, campaign study id, 0/1) for every current read."""
    calls: dict[str, list[tuple]] = {}
    rows = (
        reads_current_qs().filter(assignment__campaign=campaign)
        .values_list("assignment__reader_id", "assignment__campaign_study_id", "labels__trait__code", "labels__state")
    )
    for reader_id, entry_id, code, state in rows:
        if code is not None:
            calls.setdefault(code, []).append((reader_id, entry_id, binary_call(state)))
    return calls


def dawid_skene_run(*, campaign: Campaign, actor=None, progress: Callable[[int, int], None] | None = None) -> dict:
    """Fit Dawid–Skene per trait over the campaign's reads; store posteriors on consensus rows and reader confusion.

    The fits (seconds per trait on a large campaign) run outside a transaction so that `progress(done, total)`,
    called after each trait, can be seen by others while they run; what they found is stored in one transaction.
    """
    index = taxonomy_index(campaign.taxonomy)
    calls_by_trait = _campaign_calls(campaign)
    fits = []
    for done, (code, calls) in enumerate(calls_by_trait.items(), start=1):
        fits.append((index.by_code[code], calls, dawid_skene(calls)))
        if progress is not None:
            progress(done, len(calls_by_trait))
    return _dawid_skene_store(campaign=campaign, fits=fits, actor=actor)


@transaction.atomic
def _dawid_skene_store(*, campaign: Campaign, fits: list[tuple], actor) -> dict:
    summary = {}
    consensus = dict(((entry, trait), pk) for pk, entry, trait in Consensus.objects.filter(
        campaign_study__campaign=campaign).values_list("pk", "campaign_study_id", "trait_id"))
    posteriors = {}
    confusion = []
    for trait, calls, result in fits:
        for entry_id, p in result.posterior.items():
            pk = consensus.get((entry_id, trait.pk))
            if pk is not None:
                posteriors[pk] = p
        counts: dict[int, int] = {}
        for reader_id, _, _ in calls:
            counts[reader_id] = counts.get(reader_id, 0) + 1
        confusion += [
            ReaderConfusion(campaign=campaign, reader_id=r, trait=trait, sensitivity=result.sensitivity[r],
                            specificity=result.specificity[r], n_calls=counts[r])
            for r in counts
        ]
        summary[trait.code] = {"prevalence": result.prior, "n_calls": len(calls)}
    update_rows(Consensus, ["ds_probability"], list(posteriors.items()))
    ReaderConfusion.objects.bulk_create(
        confusion, update_conflicts=True, unique_fields=["campaign", "reader", "trait"],
        update_fields=["sensitivity", "specificity", "n_calls", "computed_at"],
    )
    audit_record(actor=actor, action="dawid-skene-run", obj=campaign, campaign_id=campaign.pk,
                 data={"traits": len(summary)})
    return summary


@transaction.atomic
def dawid_skene_job_create(*, campaign: Campaign, actor=None) -> DawidSkeneRun:
    """Queue a Dawid–Skene fit of the campaign; a worker runs it (`dawid_skene_job_run`) once this commits.

    A fit already queued or running for the campaign is returned instead of starting a second one.
    """
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one active run per campaign
    active = DawidSkeneRun.objects.filter(campaign=campaign, status__in=DawidSkeneRun.ACTIVE_STATUSES).first()
    if active is not None:
        return active
    job = DawidSkeneRun.objects.create(campaign=campaign, requested_by=actor)
    from annotation.tasks import dawid_skene_task  # the task module imports this one

    transaction.on_commit(lambda: dawid_skene_task.delay(job.pk))
    return job


def dawid_skene_job_run(*, job_id: int) -> DawidSkeneRun:
    """Run a queued fit, writing its progress to the job row after each trait; a failure is kept with its reason."""
    job = DawidSkeneRun.objects.select_related("campaign__taxonomy", "requested_by").get(pk=job_id)
    if job.status not in DawidSkeneRun.ACTIVE_STATUSES:
        return job  # already finished (a redelivered task)
    now = timezone.now()
    # A re-sent run (core's sweep, after its worker died) fits again from the start: the store only updates
    # consensus rows and upserts reader confusion, so a refit adds no rows.
    DawidSkeneRun.objects.filter(pk=job.pk).update(status=DawidSkeneRun.Status.RUNNING, started_at=now,
                                                   traits_done=0, heartbeat_at=now, stalled_at=None)

    def progress(done: int, total: int) -> None:  # after each trait fitted: progress, and the worker is alive
        DawidSkeneRun.objects.filter(pk=job.pk).update(traits_done=done, traits_total=total,
                                                       heartbeat_at=timezone.now(), stalled_at=None)

    try:
        summary = dawid_skene_run(campaign=job.campaign, actor=job.requested_by, progress=progress)
    except Exception as exc:  # kept on the job for the people waiting on it, and logged; not re-raised (eager mode)
        logger.exception("Dawid–Skene run %s of campaign %s failed", job.pk, job.campaign_id)
        DawidSkeneRun.objects.filter(pk=job.pk).update(status=DawidSkeneRun.Status.FAILED,
                                                       message=f"{type(exc).__name__}: {exc}"[:2000],
                                                       finished_at=timezone.now())
        job.refresh_from_db()
        return job
    DawidSkeneRun.objects.filter(pk=job.pk).update(status=DawidSkeneRun.Status.DONE, summary=summary,
                                                   traits_total=len(summary), traits_done=len(summary),
                                                   finished_at=timezone.now(), message="")  # no stall left
    job.refresh_from_db()
    return job


def dawid_skene_run_requeue(job: DawidSkeneRun) -> int:
    """Send a stalled run's task again (the fit is idempotent: a refit updates the same rows); the sweep calls it."""
    from annotation.tasks import dawid_skene_task  # the task module imports this one

    dawid_skene_task.delay(job.pk)
    return 1


def dawid_skene_run_stall_fail(job: DawidSkeneRun, reason: str) -> None:
    """Give a run up after its last stalled attempt (the sweep calls it); the reason is its message."""
    DawidSkeneRun.objects.filter(pk=job.pk).update(status=DawidSkeneRun.Status.FAILED, message=reason[:2000],
                                                   finished_at=timezone.now())
