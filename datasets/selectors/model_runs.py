"""Reads of imported model runs: lists, a run's report, two runs compared, predictions as arrays."""

import numpy as np
from django.db.models import Count, QuerySet

from curation.models import Trait
from datasets.active_learning.strategies import Predictions
from datasets.models import ModelRun, PriorityRecomputeJob, StudyPrediction

VERDICT_VALUE = {"present": 1.0, "uncertain": 0.5, "absent": 0.0, "historical": 0.0, "not_mentioned": 0.0}


def model_run_list() -> QuerySet[ModelRun]:
    return ModelRun.objects.annotate(n_predictions=Count("predictions")).select_related("dataset_version")


def model_runs_to_compare(*, run: ModelRun, limit: int = 20) -> QuerySet[ModelRun]:
    """The other runs a run's page offers to compare with, newest first."""
    return ModelRun.objects.exclude(pk=run.pk).order_by("-imported_at", "-pk")[:limit]


def model_run_latest() -> ModelRun | None:
    return ModelRun.objects.order_by("-imported_at", "-pk").first()


def priorities_recompute_job_latest(*, run: ModelRun) -> PriorityRecomputeJob | None:
    """The run's most recent priority recompute, or None before its first."""
    return PriorityRecomputeJob.objects.filter(run=run).first()  # newest first (Meta.ordering)


def _trait_metrics(run: ModelRun) -> dict[str, dict]:
    return {t["code"]: t for t in run.report.get("traits", []) if isinstance(t, dict) and "code" in t}


def _difference_interval(a_ci: list, b_ci: list) -> list | None:
    """[b_lo - a_hi, b_hi - a_lo]: covers b - a whenever both runs lie in their own intervals (conservative: the
    predictions of two imported runs are not paired here, so no paired bootstrap of the difference is possible)."""
    if None in (*a_ci, *b_ci):
        return None
    return [b_ci[0] - a_ci[1], b_ci[1] - a_ci[0]]


def model_run_compare(*, run_a: ModelRun, run_b: ModelRun) -> list[dict]:
    """Per trait: AUROC of both runs with their intervals, and the difference (b - a).

    The intervals are each run's own bootstrap; when both runs were evaluated on the same test split the
    difference is conservative: overlapping intervals do not by themselves mean no difference.
    """
    a, b = _trait_metrics(run_a), _trait_metrics(run_b)
    rows = []
    for code in [c for c in a if c in b]:
        row = {"trait": code, "high": a[code].get("high", False)}
        for key in ("auroc", "auprc"):
            va, vb = a[code].get(key), b[code].get(key)
            a_ci = [a[code].get(f"{key}_lo"), a[code].get(f"{key}_hi")]
            b_ci = [b[code].get(f"{key}_lo"), b[code].get(f"{key}_hi")]
            row[key] = {
                "a": va, "a_ci": a_ci, "b": vb, "b_ci": b_ci,
                "difference": (vb - va) if va is not None and vb is not None else None,
                "difference_ci": _difference_interval(a_ci, b_ci) if None not in (va, vb) else None,
            }
        rows.append(row)
    return rows


def run_predictions(*, run: ModelRun, study_ids=None) -> Predictions:
    """A run's predictions as arrays (rows in study-id order), for the priority strategies."""
    rows = StudyPrediction.objects.filter(run=run).order_by("study_id")
    if study_ids is not None:
        rows = rows.filter(study_id__in=list(study_ids))
    rows = list(rows.values_list("study_id", "probability", "spread", "embedding"))
    traits = list(run.traits)
    info = _trait_info(traits)
    significance = [getattr(info.get(c), "significance", "high" if c in run.high_traits else "low") for c in traits]
    prevalence = np.array([getattr(info.get(c), "prevalence", 1.0) or 1.0 for c in traits])
    prob = np.array([[r[1].get(t, 0.0) for t in traits] for r in rows], dtype=float).reshape(len(rows), len(traits))
    spread = np.array([[r[2].get(t, 0.0) for t in traits] for r in rows], dtype=float).reshape(len(rows), len(traits))
    emb = None
    if rows and all(r[3] for r in rows):
        emb = np.stack([np.frombuffer(bytes(r[3]), dtype=np.float32) for r in rows])
    return Predictions(
        study_ids=[r[0] for r in rows], traits=traits, probability=prob, significance=significance,
        prevalence=prevalence, spread=spread, embedding=emb, threshold=run.threshold,
    )


def _trait_info(codes) -> dict:
    info = {}
    for trait in Trait.objects.filter(code__in=codes, taxonomy__status="published").order_by("taxonomy__version"):
        info[trait.code] = trait  # the newest published version wins
    return info


def report_verdicts(*, study_ids, traits) -> np.ndarray:
    """(studies, traits) of the latest mining run's verdicts: 1 present, 0.5 uncertain, 0 absent, nan unmined."""
    from reports_nlp.selectors.candidates import candidate_verdicts
    from reports_nlp.selectors.mining import mining_run_latest_done

    index = {sid: i for i, sid in enumerate(study_ids)}
    column = {t: j for j, t in enumerate(traits)}
    out = np.full((len(study_ids), len(traits)), np.nan)
    mining = mining_run_latest_done()
    if mining is None:
        return out
    rows = candidate_verdicts(run=mining, verdicts=None, study_ids=study_ids).values_list(
        "report__study_id", "trait_code", "verdict")
    mined = set()
    for study_id, code, verdict in rows:
        mined.add(study_id)
        if code in column:
            out[index[study_id], column[code]] = VERDICT_VALUE.get(verdict, np.nan)
    for study_id in mined:  # a mined report that never mentions a trait says it is absent
        row = out[index[study_id]]
        row[np.isnan(row)] = 0.0
    return out
