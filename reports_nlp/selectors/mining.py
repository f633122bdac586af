"""Mining run reads: status with progress, a report's findings and verdicts."""

from django.conf import settings
from django.db.models import QuerySet

from reports_nlp.models import Finding, MiningRun, ReportVerdict


def mining_run_list() -> QuerySet[MiningRun]:
    return MiningRun.objects.select_related("mapping_set", "created_by")


def mining_run_latest_done() -> MiningRun | None:
    return MiningRun.objects.filter(status=MiningRun.Status.DONE).order_by("-finished_at", "-id").first()


def mining_run_status(*, run: MiningRun) -> dict:
    chunks = run.chunks.all()
    return {
        "id": run.pk,
        "status": run.status,
        "mapping_set": run.mapping_set.version,
        "done": run.done_reports,
        "total": run.total_reports,
        "progress": round(run.progress, 4),
        "chunks_done": chunks.filter(done_at__isnull=False).count(),
        "chunks_total": chunks.count(),
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
        "stalled": run.stalled,
        "message": (f"stalled, retrying: pending chunks re-queued (attempt {run.attempts} of "
                    f"{settings.RADCURATE_JOB_MAX_ATTEMPTS})" if run.stalled else ""),
        "attempts": run.attempts,
        "heartbeat_at": run.heartbeat_at,
    }


def report_findings(*, run: MiningRun, report_id: int) -> dict:
    """Findings and verdicts of one report in one run, with the matched text and sentence (PHI: curators only)."""
    findings = Finding.objects.filter(run=run, report_id=report_id).select_related("report").order_by("start")
    verdicts = ReportVerdict.objects.filter(run=run, report_id=report_id).select_related("report")

    def evidence(row) -> dict:
        text = row.report.text
        return {
            "trait": row.trait_code, "section": row.section, "start": row.start, "end": row.end,
            "text": text[row.start:row.end], "sentence": text[row.sentence_start:row.sentence_end], "cue": row.cue,
        }

    return {
        "findings": [{**evidence(f), "assertion": f.assertion} for f in findings],
        "verdicts": [{**evidence(v), "verdict": v.verdict, "score": v.score} for v in verdicts],
    }


def study_trait_verdicts(*, run: MiningRun | None = None, study_ids=None) -> dict[int, dict[str, str]]:
    """{study id: {trait: verdict}} from the run's current reports (latest done run by default).

    A trait missing for a study was not mentioned; a study missing has no linked, mined report. For
    later layers comparing the reports with labels or model outputs (no report text here).
    """
    run = run if run is not None else mining_run_latest_done()
    if run is None:
        return {}
    rows = ReportVerdict.objects.filter(run=run, report__is_current=True, report__study__isnull=False)
    if study_ids is not None:
        rows = rows.filter(report__study_id__in=list(study_ids))
    out: dict[int, dict[str, str]] = {}
    for study_id, trait, verdict in rows.values_list("report__study_id", "trait_code", "verdict"):
        out.setdefault(study_id, {})[trait] = verdict
    return out
