"""Readers on the model's ROC: each reader's sensitivity and specificity per trait on a run's test studies, against
the consensus of the other readers of each study (leave-one-reader-out, so a reader is never scored against their
own vote), with 95% Clopper–Pearson intervals, and the mean reader. Identities follow the platform's rule:
pseudonyms for everyone but admins.

A trait not marked in a read is absent (the reading form's default); `uncertain` votes are left out, and a study
whose other readers tie on a trait does not count for that trait.
"""

from collections import defaultdict

import numpy as np
from statsmodels.stats.proportion import proportion_confint

from annotation.models import ReadLabel
from annotation.pseudonyms import reader_pseudonym
from annotation.selectors.reads import reads_current_qs
from datasets.models import ModelRun, StudyPrediction


def _votes(run: ModelRun) -> tuple[dict, dict]:
    """(study, trait) -> {reader id: 1 present / 0 absent} over the run's test studies; reader id -> username."""
    studies = StudyPrediction.objects.filter(run=run, split="test").values_list("study_id", flat=True)
    reads = {r["id"]: r for r in reads_current_qs().filter(assignment__campaign_study__study_id__in=studies)
             .order_by("submitted_at", "id").values("id", "assignment__reader_id", "assignment__reader__username",
                                                    "assignment__campaign_study__study_id")}
    votes: dict = defaultdict(dict)
    names = {}
    for r in reads.values():  # every trait absent unless marked; a later read of the same study replaces it
        names[r["assignment__reader_id"]] = r["assignment__reader__username"]
        for code in run.traits:
            votes[(r["assignment__campaign_study__study_id"], code)][r["assignment__reader_id"]] = 0
    for read_id, code, state in ReadLabel.objects.filter(read_id__in=list(reads)).values_list("read_id", "trait__code",
                                                                                        "state"):
        r = reads[read_id]
        key = (r["assignment__campaign_study__study_id"], code)
        if key in votes:
            value = {"present": 1, "absent": 0}.get(state)
            if value is None:
                votes[key].pop(r["assignment__reader_id"], None)
            else:
                votes[key][r["assignment__reader_id"]] = value
    return votes, names


def _rate(k: int, n: int) -> dict:
    if n == 0:
        return {"value": None, "lo": None, "hi": None, "n": 0}
    lo, hi = proportion_confint(k, n, alpha=0.05, method="beta")
    return {"value": round(k / n, 4), "lo": round(float(lo), 4), "hi": round(float(hi), 4), "n": n}


def run_reader_points(*, run: ModelRun, show_identities: bool) -> dict[str, dict]:
    """trait -> {readers: [{reader, sensitivity, specificity}], mean: {sensitivity, specificity, n_readers}}."""
    votes, names = _votes(run)
    counts: dict = defaultdict(lambda: np.zeros(4, int))  # (trait, reader) -> TP, FN, TN, FP
    for (_, code), by_reader in votes.items():
        for reader, vote in by_reader.items():
            others = [v for r, v in by_reader.items() if r != reader]
            if not others or 2 * sum(others) == len(others):
                continue  # nobody else, or a tie: no consensus to score against
            truth = 2 * sum(others) > len(others)
            counts[(code, reader)][(0 if vote else 1) if truth else (3 if vote else 2)] += 1
    out = {}
    for code in run.traits:
        readers = []
        for (c, reader), (tp, fn, tn, fp) in sorted(counts.items(), key=lambda kv: names.get(kv[0][1], "")):
            if c != code:
                continue
            label = names[reader] if show_identities else reader_pseudonym(reader)
            readers.append({"reader": label, "sensitivity": _rate(tp, tp + fn), "specificity": _rate(tn, tn + fp)})
        sens = [r["sensitivity"]["value"] for r in readers if r["sensitivity"]["value"] is not None]
        spec = [r["specificity"]["value"] for r in readers if r["specificity"]["value"] is not None]
        out[code] = {"readers": readers, "mean": {
            "sensitivity": round(float(np.mean(sens)), 4) if sens else None,
            "specificity": round(float(np.mean(spec)), 4) if spec else None, "n_readers": len(readers)}}
    return out


def run_reader_roc(*, run: ModelRun, show_identities: bool) -> list[dict]:
    """For the run page: per trait with scored readers, the model's test ROC (an SVG polyline in unit coordinates,
    x = 1 - specificity, y = sensitivity) and each reader as a point with its two intervals, plus the mean reader."""
    curves = {t["code"]: t for t in (run.report or {}).get("traits", [])}
    out = []
    for code, data in run_reader_points(run=run, show_identities=show_identities).items():
        points = []
        for r in data["readers"]:
            sens, spec = r["sensitivity"], r["specificity"]
            if sens["value"] is None or spec["value"] is None:
                continue
            points.append({**r, "x": round(1 - spec["value"], 4), "y": sens["value"],
                           "x_lo": round(1 - spec["hi"], 4), "x_hi": round(1 - spec["lo"], 4),
                           "y_lo": sens["lo"], "y_hi": sens["hi"]})
        if not points:
            continue
        trait = curves.get(code) or {}
        roc = trait.get("roc") or {}
        curve = " ".join(f"{x:g},{y:g}" for x, y in zip(roc.get("fpr", []), roc.get("tpr", []), strict=True))
        mean = data["mean"]
        out.append({"code": code, "auroc": trait.get("auroc"), "curve": curve, "readers": points,
                    "mean": {**mean, "x": round(1 - mean["specificity"], 4) if mean["specificity"] is not None
                             else None}})
    return out
