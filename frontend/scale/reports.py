"""Reports and mined findings at scale: a pool of synthetic reports mined by the real pipeline, cycled over studies.

Every study gets a report (the pool's text number `index % pool`), linked by its accession pseudonym as report
import links them. The pool is mined once with the shipped mapping set; each report then gets its pool text's
findings and verdicts (same offsets, phrases, candidate scores) through copy_rows, under one done mining run.
"""

from collections.abc import Callable

from django.db import connection
from django.utils import timezone

from core.db.bulk import copy_rows
from reports_nlp.models import Finding, MappingSet, MiningRun, ReportVerdict
from reports_nlp.pipeline_cache import pipeline_for
from reports_nlp.services.mining import FINDING_COLUMNS, VERDICT_COLUMNS, mine_report_rows, trait_weights

POOL = 400  # distinct report texts; mining them is the slow part (spaCy)


def insert_reports(first_study: int, pool: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE scale_pool (k int, text text)")
        with cursor.copy("COPY scale_pool FROM STDIN") as copy:
            for k, text in enumerate(pool):
                copy.write_row((k, text))
        cursor.execute(
            "INSERT INTO reports_nlp_report (accession_pseudonym, patient_pseudonym, report_date, text, content_hash,"
            " result_status, revision, is_current, study_id, source, imported_at) "
            "SELECT st.accession_pseudonym, p.pseudonym, st.study_date, t.text,"
            " encode(sha256(convert_to(st.study_date::text || t.text, 'UTF8')), 'hex'), 'final', 1, true, st.id,"
            " 'scale-fixture', now() "
            "FROM curation_study st JOIN curation_patient p ON p.id = st.patient_id"
            " JOIN scale_pool t ON t.k = (st.id - %s) %% %s WHERE st.id >= %s ORDER BY st.id",
            [first_study, len(pool), first_study])
        cursor.execute("DROP TABLE scale_pool")


def _mine_pool(run: MiningRun, pool: list[str]) -> list[tuple[list[tuple], list[tuple]]]:
    pipeline = pipeline_for(run.mapping_set)
    weights = trait_weights(run.mapping_set)
    return [mine_report_rows(run, 0, text, pipeline.rows(text), weights) for text in pool]


def mine_reports(first_study: int, pool: list[str], progress: Callable[[str], None]) -> MiningRun:
    """One done mining run whose findings are the pool's, per report."""
    mapping_set = MappingSet.objects.filter(status=MappingSet.Status.PUBLISHED).order_by("-version").first()
    now = timezone.now()
    run = MiningRun.objects.create(mapping_set=mapping_set, status=MiningRun.Status.DONE, started_at=now,
                                   finished_at=now)
    mined = _mine_pool(run, pool)
    progress(f"pool of {len(pool)} reports mined")
    with connection.cursor() as cursor:
        cursor.execute("SELECT r.id, (r.study_id - %s) %% %s FROM reports_nlp_report r"
                       " WHERE r.study_id >= %s ORDER BY r.id", [first_study, len(pool), first_study])
        reports = cursor.fetchall()
    findings, verdicts = [], []
    for report_id, k in reports:
        pool_findings, pool_verdicts = mined[k]
        findings += [(run.pk, report_id, *row[2:]) for row in pool_findings]
        verdicts += [(run.pk, report_id, *row[2:]) for row in pool_verdicts]
    copy_rows(Finding, FINDING_COLUMNS, findings)
    copy_rows(ReportVerdict, VERDICT_COLUMNS, verdicts)
    MiningRun.objects.filter(pk=run.pk).update(total_reports=len(reports), done_reports=len(reports))
    progress(f"{len(reports)} reports, {len(findings)} findings, {len(verdicts)} verdicts")
    return run
