"""Mining one arriving report into the latest finished mining run, so its study's candidates follow the feed.

The candidates a curator and annotation see come from the latest finished run; a report that arrives later
(from the HL7 listener, a FHIR POST) is mined with that run's mapping set and its rows join the run. Rows of
older revisions stay (a curator sees which revision a verdict came from); candidates read current revisions
only, so a corrected report's verdicts replace those of the report it corrects. With no finished run yet
there is nothing to refresh: the first run, a curator's choice of mapping set, mines every report.
"""

import logging
from functools import lru_cache

from django.db import transaction
from django.db.models import F

from core.db.bulk import copy_rows
from reports_nlp.models import Finding, MappingSet, MiningRun, Report, ReportVerdict
from reports_nlp.pipeline import ReportPipeline
from reports_nlp.pipeline_cache import pipeline_for
from reports_nlp.scoring import TraitWeights
from reports_nlp.selectors.mining import mining_run_latest_done
from reports_nlp.services.mining import FINDING_COLUMNS, VERDICT_COLUMNS, mine_report_rows, trait_weights

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _published_set_tools(mapping_set_id: int) -> tuple[ReportPipeline, dict[str, TraitWeights]]:
    # A published set never changes, so a listener mining report after report reads it once.
    mapping_set = MappingSet.objects.get(pk=mapping_set_id)
    return pipeline_for(mapping_set), trait_weights(mapping_set)


def _set_tools(mapping_set: MappingSet) -> tuple[ReportPipeline, dict[str, TraitWeights]]:
    if mapping_set.status == MappingSet.Status.PUBLISHED:
        return _published_set_tools(mapping_set.pk)
    return pipeline_for(mapping_set), trait_weights(mapping_set)  # a draft may have changed since


def report_mine_into_latest_run(*, report_id: int) -> MiningRun | None:
    """Mine one current report into the latest finished run (again, if it was: its rows are replaced)."""
    run = mining_run_latest_done()
    report = Report.objects.filter(pk=report_id, is_current=True).only("id", "text").first()
    if run is None or report is None:
        return None
    pipeline, weights = _set_tools(run.mapping_set)
    findings, verdicts = mine_report_rows(run, report.pk, report.text, pipeline.rows(report.text), weights)
    with transaction.atomic():
        Finding.objects.filter(run=run, report_id=report.pk).delete()
        already = ReportVerdict.objects.filter(run=run, report_id=report.pk).delete()[0] > 0
        copy_rows(Finding, FINDING_COLUMNS, findings)
        copy_rows(ReportVerdict, VERDICT_COLUMNS, verdicts)
        if not already:
            MiningRun.objects.filter(pk=run.pk).update(total_reports=F("total_reports") + 1,
                                                       done_reports=F("done_reports") + 1)
    logger.info("report %s mined into run %s (%d verdicts)", report.pk, run.pk, len(verdicts))
    return run
