"""Live preview for the mapping editor: sentences of archived reports that a phrase matches, with assertion.

The phrase is mined with the edited set's ConText rules, exactly as a run would, so the curator
sees the assertion a run would store. PHI: for curators only.
"""

from reports_nlp.models import MappingSet, Report
from reports_nlp.pipeline import MappingError, build_pipeline, mapping_spec_from_dict

SCAN_LIMIT = 500  # reports read per preview: a preview is a sample, never a scan of the archive


def mapping_preview(*, mapping_set: MappingSet, trait_code: str, phrase: str, limit: int = 20) -> dict:
    """{"phrase", "matches": [{"report_id", "section", "assertion", "cue", "before", "match", "after"}]}."""
    phrase = " ".join(phrase.split()).lower()
    if len(phrase) < 2:
        return {"phrase": phrase, "matches": [], "error": "Type at least two characters."}
    try:
        spec = mapping_spec_from_dict({"version": "preview", "traits": {trait_code: {"phrases": [phrase]}}})
    except MappingError as exc:
        return {"phrase": phrase, "matches": [], "error": str(exc)}
    pipeline = build_pipeline(spec, rules=mapping_set.context_rules or None)
    reports = Report.objects.filter(is_current=True, text__icontains=phrase).order_by("-id")
    matches = []
    for report_id, text in reports.values_list("id", "text")[:SCAN_LIMIT]:
        for row in pipeline.rows(text):
            matches.append({
                "report_id": report_id, "section": row.section, "assertion": row.assertion, "cue": row.cue,
                "before": text[row.sent_start:row.start], "match": text[row.start:row.end],
                "after": text[row.end:row.sent_end],
            })
            if len(matches) >= limit:
                return {"phrase": phrase, "matches": matches}
    return {"phrase": phrase, "matches": matches}
