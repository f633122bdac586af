"""Mapping quality: precision and recall of report verdicts, per trait and per phrase, against reference labels.

The reference comes from the caller as {study id: {trait code: bool}} (annotation's consensus, or the
synthetic cohort's ground truth), so this layer never imports the layers that own those labels.
A study counts for a trait only when the reference labels that trait for it.
"""

import json

from reports_nlp.models import Finding, MiningRun, ReportVerdict
from reports_nlp.pipeline import REPORTING_SECTIONS

POSITIVE_VERDICTS = ("present",)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _confusion(predicted: set[int], positives: set[int], labeled: set[int]) -> dict:
    tp = len(predicted & positives)
    fp = len((predicted & labeled) - positives)
    fn = len(positives - predicted)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn)}


def _labels(reference: dict) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Per trait: the studies labeled at all, and the studies labeled positive."""
    labeled: dict[str, set[int]] = {}
    positive: dict[str, set[int]] = {}
    for study_id, traits in reference.items():
        for trait, value in traits.items():
            labeled.setdefault(trait, set()).add(int(study_id))
            if value:
                positive.setdefault(trait, set()).add(int(study_id))
    return labeled, positive


def mapping_quality(*, run: MiningRun, reference: dict, positive_verdicts=POSITIVE_VERDICTS) -> dict:
    """{"traits": [{trait, tp, fp, fn, precision, recall}], "phrases": [{trait, phrase, ...}]}, worst first.

    A phrase "predicts" a study when it has a present finding in a reporting section of the study's
    current report; its precision shows which phrases bring false candidates (prune those).
    """
    labeled, positive = _labels(reference)
    studies = set().union(*labeled.values()) if labeled else set()
    verdicts = ReportVerdict.objects.filter(
        run=run, report__is_current=True, report__study_id__in=studies, verdict__in=list(positive_verdicts)
    ).values_list("trait_code", "report__study_id")
    predicted: dict[str, set[int]] = {}
    for trait, study_id in verdicts:
        predicted.setdefault(trait, set()).add(study_id)
    findings = Finding.objects.filter(
        run=run, report__is_current=True, report__study_id__in=studies, assertion="present",
        section__in=list(REPORTING_SECTIONS),
    ).values_list("trait_code", "phrase", "report__study_id")
    by_phrase: dict[tuple[str, str], set[int]] = {}
    for trait, phrase, study_id in findings:
        by_phrase.setdefault((trait, phrase), set()).add(study_id)
    traits = [
        {"trait": t, **_confusion(predicted.get(t, set()), positive.get(t, set()), labeled[t])} for t in sorted(labeled)
    ]
    phrases = [
        {"trait": t, "phrase": p, **_confusion(s, positive.get(t, set()), labeled[t])}
        for (t, p), s in sorted(by_phrase.items())
        if t in labeled
    ]
    phrases.sort(key=lambda r: (r["precision"] if r["precision"] is not None else 2.0, r["trait"], r["phrase"]))
    return {"run": run.pk, "studies": len(studies), "traits": traits, "phrases": phrases}


def ground_truth_reference(*, path, traits) -> dict[int, dict[str, bool]]:
    """Reference labels from a synthetic cohort's ground_truth.jsonl, keyed by archived study id.

    Each record's traits are its positives and every other code of `traits` a negative; records whose
    study is not in the archive are left out (they match by accession pseudonym, as reports do).
    """
    from curation.models import Study
    from reports_nlp.accession import accession_pseudonym

    positives: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                codes = {t["code"] for t in record.get("traits", [])}
                positives[accession_pseudonym(str(record["accession_number"]))] = codes
    studies = Study.objects.filter(accession_pseudonym__in=list(positives)).values_list("pk", "accession_pseudonym")
    traits = list(traits)
    return {pk: {code: code in positives[acc] for code in traits} for pk, acc in studies}
