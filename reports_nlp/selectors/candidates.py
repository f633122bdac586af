"""Candidate studies from a mining run: scores per study and trait, ranked rare and significant first.

Annotation builds its queue priorities from `study_priorities` (or the rows of `candidate_ranking`);
the candidates page shows the rows with their evidence sentence.
"""

from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet
from django.db.models.functions import Substr

from reports_nlp.models import Finding, MiningRun, ReportVerdict
from reports_nlp.scoring import TraitWeights, candidate_reason
from reports_nlp.selectors.mining import mining_run_latest_done

CANDIDATE_VERDICTS = ("present", "uncertain")


def _run_or_latest(run: MiningRun | None) -> MiningRun | None:
    return run if run is not None else mining_run_latest_done()


def _weights(run: MiningRun) -> dict[str, TraitWeights]:
    return {
        m.trait.code: TraitWeights(m.trait.name, m.trait.significance, m.trait.prevalence, m.weight)
        for m in run.mapping_set.mappings.select_related("trait")
    }


def candidate_verdicts(*, run: MiningRun, traits=None, verdicts=CANDIDATE_VERDICTS, sections=None,
                       linked_only: bool = True, study_ids=None) -> QuerySet[ReportVerdict]:
    rows = ReportVerdict.objects.filter(run=run, report__is_current=True)
    if study_ids is not None:
        rows = rows.filter(report__study_id__in=list(study_ids))
    if verdicts:
        rows = rows.filter(verdict__in=list(verdicts))
    if traits:
        rows = rows.filter(trait_code__in=list(traits))
    if sections:
        # A candidate "in" a section: the report asserts the trait there with the verdict's assertion.
        rows = rows.filter(Exists(Finding.objects.filter(
            run=run, report_id=OuterRef("report_id"), trait_code=OuterRef("trait_code"),
            assertion=OuterRef("verdict"), section__in=list(sections),
        )))
    if linked_only:
        rows = rows.filter(report__study__isnull=False)
    return rows


def candidate_ranking(*, run: MiningRun | None = None, traits=None, verdicts=CANDIDATE_VERDICTS, sections=None,
                      linked_only: bool = True, study_ids=None, limit: int | None = 100, offset: int = 0) -> list[dict]:
    """Rows per study and trait, highest score first, each with the reason it ranks there (no report text)."""
    run = _run_or_latest(run)
    if run is None:
        return []
    weights = _weights(run)
    rows = candidate_verdicts(run=run, traits=traits, verdicts=verdicts, sections=sections, linked_only=linked_only,
                              study_ids=study_ids)
    rows = rows.order_by("-score", "report_id", "trait_code").values(
        "report_id", "trait_code", "verdict", "section", "phrase", "score", study_id=F("report__study_id"),
        revision=F("report__revision"), result_status=F("report__result_status"),
    )
    rows = rows[offset:offset + limit] if limit is not None else rows[offset:]
    fallback = TraitWeights(name="", significance="low", prevalence=100.0)
    return [
        {
            "study_id": r["study_id"], "report_id": r["report_id"], "revision": r["revision"],
            "result_status": r["result_status"], "trait": r["trait_code"], "verdict": r["verdict"],
            "section": r["section"], "phrase": r["phrase"], "score": r["score"],
            "reason": candidate_reason(r["verdict"], r["section"], r["phrase"],
                                       weights.get(r["trait_code"], fallback)),
        }
        for r in rows
    ]


def candidate_count(*, run: MiningRun | None = None, traits=None, verdicts=CANDIDATE_VERDICTS, sections=None,
                    linked_only: bool = True, study_ids=None) -> int:
    """How many rows `candidate_ranking` has in all, for a paged answer."""
    run = _run_or_latest(run)
    if run is None:
        return 0
    return candidate_verdicts(run=run, traits=traits, verdicts=verdicts, sections=sections, linked_only=linked_only,
                              study_ids=study_ids).count()


def candidate_evidence(*, run: MiningRun, report_ids) -> dict[tuple[int, str], dict]:
    """{(report id, trait): {"before", "match", "after"}}: the evidence sentence split around the match.

    PHI: report text; for curator pages and APIs only.
    """
    rows = ReportVerdict.objects.filter(run=run, report_id__in=list(report_ids)).annotate(
        sentence=Substr("report__text", F("sentence_start") + 1, F("sentence_end") - F("sentence_start"))
    ).values_list("report_id", "trait_code", "sentence", "start", "end", "sentence_start")
    out = {}
    for report_id, trait, sentence, start, end, sentence_start in rows:
        a, b = start - sentence_start, end - sentence_start
        out[(report_id, trait)] = {"before": sentence[:a], "match": sentence[a:b], "after": sentence[b:]}
    return out


def candidate_trait_counts(*, run: MiningRun | None = None, verdicts=CANDIDATE_VERDICTS, sections=None,
                           linked_only: bool = False) -> dict[str, dict[str, int]]:
    """{trait: {verdict: reports}} for the run's current reports."""
    run = _run_or_latest(run)
    if run is None:
        return {}
    rows = candidate_verdicts(run=run, verdicts=verdicts, sections=sections, linked_only=linked_only)
    counts: dict[str, dict[str, int]] = {}
    for trait, verdict, n in rows.values_list("trait_code", "verdict").annotate(n=Count("id")).order_by():
        counts.setdefault(trait, {})[verdict] = n
    return counts


def study_priorities(*, run: MiningRun | None = None, traits=None, verdicts=CANDIDATE_VERDICTS,
                     limit: int | None = None, offset: int = 0) -> list[dict]:
    """Studies by their best candidate score: [{"study_id", "score", "traits", "reasons"}], best first."""
    run = _run_or_latest(run)
    if run is None:
        return []
    best = candidate_verdicts(run=run, traits=traits, verdicts=verdicts).values("report__study_id").annotate(
        top=Max("score")
    ).order_by("-top", "report__study_id")
    best = best[offset:offset + limit] if limit is not None else best[offset:]
    order = [(b["report__study_id"], b["top"]) for b in best]
    ranked = candidate_ranking(run=run, traits=traits, verdicts=verdicts, study_ids=[s for s, _ in order],
                               limit=None) if order else []
    by_study: dict[int, list[dict]] = {}
    for row in ranked:
        by_study.setdefault(row["study_id"], []).append(row)
    return [
        {"study_id": study_id, "score": top, "traits": [r["trait"] for r in by_study.get(study_id, [])],
         "reasons": [r["reason"] for r in by_study.get(study_id, [])]}
        for study_id, top in order
    ]


def study_priority_count(*, run: MiningRun | None = None, traits=None, verdicts=CANDIDATE_VERDICTS) -> int:
    """How many studies `study_priorities` ranks in all, for a paged answer."""
    run = _run_or_latest(run)
    if run is None:
        return 0
    studies = candidate_verdicts(run=run, traits=traits, verdicts=verdicts).order_by().values("report__study_id")
    return studies.distinct().count()
