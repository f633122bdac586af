"""The report-level verdict per trait from its findings.

Only findings in the reporting sections (findings, impression, addendum, or the body of a report
without headers) count. Among those, for each trait, the first that applies wins:
present (any present) > uncertain (any uncertain) > absent (any absent) > historical (any historical).
A trait with no finding in a reporting section is ``not_mentioned`` (a mention only in the indication,
technique or comparison is kept as evidence but decides nothing).
"""

from collections.abc import Iterable

from reports_nlp.pipeline.sections import REPORTING_SECTIONS

VERDICT_ORDER = ("present", "uncertain", "absent", "historical")
NOT_MENTIONED = "not_mentioned"
VERDICTS = VERDICT_ORDER + (NOT_MENTIONED,)
_RANK = {v: i for i, v in enumerate(VERDICT_ORDER)}


def report_evidence(findings: Iterable) -> dict[str, tuple[str, list]]:
    """{trait: (verdict, the findings that decided it)} for every trait with a finding anywhere."""
    best: dict[str, tuple[str, list]] = {}
    for f in findings:
        current = best.get(f.trait)
        if f.section not in REPORTING_SECTIONS:
            if current is None:
                best[f.trait] = (NOT_MENTIONED, [])
            continue
        if current is None or current[0] == NOT_MENTIONED or _RANK[f.assertion] < _RANK[current[0]]:
            best[f.trait] = (f.assertion, [f])
        elif f.assertion == current[0]:
            current[1].append(f)
    return best


def report_verdict(findings: Iterable, traits: Iterable[str] = ()) -> dict[str, str]:
    """{trait: present|uncertain|absent|historical|not_mentioned}; `traits` are listed even when unmentioned."""
    verdicts = dict.fromkeys(traits, NOT_MENTIONED)
    verdicts.update({trait: v for trait, (v, _) in report_evidence(findings).items()})
    return verdicts
