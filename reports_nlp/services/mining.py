"""Mining run use cases: create a run in chunks of report ids, dispatch the chunks, mine one chunk, finish.

A chunk's results (bulk writes of plain tuples) and its completion mark are written in one
transaction, so a chunk is either fully done or not at all: a worker that dies mid-chunk leaves it
pending, and a resumed run (or the broker's redelivery, or the sweep of stalled jobs in core.jobs) mines it
again while done chunks are skipped. Every chunk done beats the run's heartbeat.
"""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from core.db.bulk import copy_rows
from core.jobs import job_started
from reports_nlp.models import Finding, MappingSet, MiningChunk, MiningRun, Report, ReportVerdict
from reports_nlp.pipeline import NOT_MENTIONED, FindingRow, report_evidence
from reports_nlp.pipeline_cache import pipeline_for
from reports_nlp.scoring import TraitWeights, candidate_score

logger = logging.getLogger(__name__)

FILTER_KEYS = ("report_date_from", "report_date_to", "linked_only")
WRITE_BATCH = 5000


def _checked_filters(filters: dict | None) -> dict:
    filters = dict(filters or {})
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise ValidationError({"filters": f"Unknown report filter(s) {sorted(unknown)}; known: {FILTER_KEYS}."})
    for key in ("report_date_from", "report_date_to"):
        if filters.get(key):
            try:
                dt.date.fromisoformat(str(filters[key]))
            except ValueError as exc:
                raise ValidationError({"filters": f"{key} is not a date (YYYY-MM-DD)."}) from exc
    return filters


def run_reports(run: MiningRun) -> QuerySet[Report]:
    """The reports a run mines: current revisions, narrowed by the run's filters."""
    reports = Report.objects.filter(is_current=True)
    filters = run.filters or {}
    if filters.get("report_date_from"):
        reports = reports.filter(report_date__gte=filters["report_date_from"])
    if filters.get("report_date_to"):
        reports = reports.filter(report_date__lte=filters["report_date_to"])
    if filters.get("linked_only"):
        reports = reports.filter(study__isnull=False)
    return reports


def _chunk_ranges(ids, size: int):
    first = last = None
    count = 0
    for report_id in ids:
        if first is None:
            first = report_id
        last, count = report_id, count + 1
        if count == size:
            yield first, last, count
            first, count = None, 0
    if count:
        yield first, last, count


@transaction.atomic
def mining_run_create(*, mapping_set: MappingSet, created_by=None, chunk_size: int = 2000,
                      filters: dict | None = None) -> MiningRun:
    """A pending run with its chunks laid out over the report ids (streamed, so any archive size fits)."""
    if chunk_size < 1:
        raise ValidationError({"chunk_size": "must be at least 1"})
    run = MiningRun(mapping_set=mapping_set, created_by=created_by, chunk_size=chunk_size,
                    filters=_checked_filters(filters))
    run.full_clean()
    run.save()
    ids = run_reports(run).order_by("id").values_list("id", flat=True).iterator(chunk_size=10_000)
    chunks = [
        MiningChunk(run=run, first_report_id=first, last_report_id=last, report_count=count)
        for first, last, count in _chunk_ranges(ids, chunk_size)
    ]
    MiningChunk.objects.bulk_create(chunks, batch_size=WRITE_BATCH)
    run.total_reports = sum(c.report_count for c in chunks)
    run.save(update_fields=["total_reports"])
    return run


def pending_chunk_ids(run: MiningRun) -> list[int]:
    return list(run.chunks.filter(done_at__isnull=True).values_list("id", flat=True))


@transaction.atomic
def mining_run_dispatch(*, run: MiningRun) -> MiningRun:
    """Start (or resume) a run: its pending chunks go to the workers as one group; done chunks are skipped."""
    from reports_nlp.tasks import dispatch_chunks

    run = MiningRun.objects.select_for_update().get(pk=run.pk)
    run.status = MiningRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.error = ""
    run.save(update_fields=["status", "started_at", "error"])
    job_started(MiningRun, run.pk)  # a person (re)started it: a fresh first try
    chunk_ids = pending_chunk_ids(run)
    if not chunk_ids:
        mining_run_finish_if_complete(run_id=run.pk)
    else:
        transaction.on_commit(lambda: dispatch_chunks(chunk_ids))
    return run


def trait_weights(mapping_set: MappingSet) -> dict[str, TraitWeights]:
    """What scoring needs of each trait the set maps, read once per run (or per published set, for feeds)."""
    return {
        m.trait.code: TraitWeights(m.trait.name, m.trait.significance, m.trait.prevalence, m.weight)
        for m in mapping_set.mappings.select_related("trait")
    }


EVIDENCE_COLUMNS = ("run_id", "report_id", "trait_code", "section", "start", "end", "sentence_start",
                    "sentence_end", "phrase", "cue")
FINDING_COLUMNS = (*EVIDENCE_COLUMNS, "assertion")
VERDICT_COLUMNS = (*EVIDENCE_COLUMNS, "verdict", "score")


def _evidence(run_id: int, report_id: int, row: FindingRow, text: str) -> tuple:
    return (run_id, report_id, row.trait, row.section, row.start, row.end, row.sent_start, row.sent_end,
            text[row.start:row.end].lower()[:200], row.cue[:100])


def mine_report_rows(run: MiningRun, report_id: int, text: str, rows: list[FindingRow],
                     weights: dict[str, TraitWeights]) -> tuple[list[tuple], list[tuple]]:
    """Result tuples for one report: its findings, and its per-trait verdicts with candidate scores."""
    findings = [(*_evidence(run.pk, report_id, r, text), r.assertion) for r in rows]
    verdicts = []
    for trait, (verdict, evidence) in report_evidence(rows).items():
        if verdict == NOT_MENTIONED:
            continue
        score = candidate_score(verdict, weights[trait]) if trait in weights else 0.0
        verdicts.append((*_evidence(run.pk, report_id, evidence[0], text), verdict, score))
    return findings, verdicts


def _mine_chunk_reports(run: MiningRun, chunk: MiningChunk) -> tuple[list[tuple], list[tuple]]:
    pipeline = pipeline_for(run.mapping_set)
    weights = trait_weights(run.mapping_set)
    reports = run_reports(run).filter(id__range=(chunk.first_report_id, chunk.last_report_id))
    findings: list[tuple] = []
    verdicts: list[tuple] = []
    for report_id, text in reports.values_list("id", "text").iterator(chunk_size=1000):
        try:
            rows = pipeline.rows(text)
        except Exception as exc:  # noqa: BLE001  (one unreadable report never sinks the chunk)
            # The report id and the error type only: the message could quote report text.
            logger.warning("mining run %s: report %s could not be mined (%s)", run.pk, report_id, type(exc).__name__)
            continue
        more_findings, more_verdicts = mine_report_rows(run, report_id, text, rows, weights)
        findings += more_findings
        verdicts += more_verdicts
    return findings, verdicts


def mining_chunk_process(*, chunk_id: int) -> int:
    """Mine one chunk and write its results in bulk; returns the reports done (0 when already done)."""
    chunk = MiningChunk.objects.select_related("run__mapping_set__taxonomy").get(pk=chunk_id)
    if chunk.done_at is not None:
        return 0
    findings, verdicts = _mine_chunk_reports(chunk.run, chunk)
    with transaction.atomic():
        locked = MiningChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.done_at is not None:  # another worker finished it while this one mined
            return 0
        copy_rows(Finding, FINDING_COLUMNS, findings)
        copy_rows(ReportVerdict, VERDICT_COLUMNS, verdicts)
        locked.done_at = timezone.now()
        locked.save(update_fields=["done_at"])
        MiningRun.objects.filter(pk=chunk.run_id).update(done_reports=F("done_reports") + chunk.report_count,
                                                         heartbeat_at=timezone.now(), stalled_at=None)
    mining_run_finish_if_complete(run_id=chunk.run_id)
    return chunk.report_count


def mining_run_finish_if_complete(*, run_id: int) -> bool:
    """Mark the run done when no chunk is pending (any worker may be the last one)."""
    if MiningChunk.objects.filter(run_id=run_id, done_at__isnull=True).exists():
        return False
    MiningRun.objects.filter(pk=run_id).exclude(status=MiningRun.Status.DONE).update(
        status=MiningRun.Status.DONE, finished_at=timezone.now()
    )
    return True


def mining_run_fail(*, run_id: int, error: str) -> None:
    """Record why a chunk failed; the run stays resumable (its done chunks are kept)."""
    MiningRun.objects.filter(pk=run_id).update(status=MiningRun.Status.FAILED, error=error[:2000])


def mining_run_requeue(run: MiningRun) -> int:
    """Send a stalled run's pending chunks to the workers again (done ones are no-ops); the sweep calls it."""
    from reports_nlp.tasks import dispatch_chunks

    chunk_ids = pending_chunk_ids(run)
    if chunk_ids:
        dispatch_chunks(chunk_ids)
    else:
        mining_run_finish_if_complete(run_id=run.pk)
    return len(chunk_ids)


def mining_run_stall_fail(run: MiningRun, reason: str) -> None:
    mining_run_fail(run_id=run.pk, error=reason)
