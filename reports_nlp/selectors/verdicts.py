"""What a reader may see of a study's reports: the mined verdicts (trait, assertion, section), never the text.

Report text, the matched phrase and the evidence offsets are PHI or point into it; this selector names none of them.
"""

from reports_nlp.models import ReportVerdict
from reports_nlp.selectors.mining import mining_run_latest_done

VERDICT_ORDER = {"present": 0, "uncertain": 1, "historical": 2, "absent": 3}


def study_mined_verdicts(*, study_id: int) -> list[dict]:
    """[{"trait", "assertion", "section"}] from the latest finished mining run over the study's current reports."""
    run = mining_run_latest_done()
    if run is None:
        return []
    rows = ReportVerdict.objects.filter(run=run, report__is_current=True, report__study_id=study_id).values_list(
        "trait_code", "verdict", "section"
    ).distinct()
    verdicts = [{"trait": trait, "assertion": verdict, "section": section} for trait, verdict, section in rows]
    return sorted(verdicts, key=lambda v: (VERDICT_ORDER.get(v["assertion"], 9), v["trait"], v["section"]))
