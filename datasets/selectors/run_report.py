"""A model run's report as the pages show it: metrics with their intervals (or why there are none), the certified
operating point said in words, the reference comparison, and two runs' ROC curves to overlay."""

from datasets.models import ModelRun
from datasets.selectors.model_runs import model_run_compare

ROC_SIZE = 240  # the overlay's side in px; curves are drawn in a unit square scaled to it


def metric_text(value, lo, hi, *, n: int | None = None, n_positive: int | None = None) -> str:
    """'0.812 [0.760, 0.840]'; an undefined metric says why: no positives, no negatives, or no interval."""
    if value is None:
        if n_positive == 0:
            return "n/a (no positives)"
        if n is not None and n_positive == n:
            return "n/a (no negatives)"
        return "n/a"
    if lo is None or hi is None:
        return f"{value:.3f} (no interval)"
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def certified_sentence(operating: dict) -> str:
    """'certified: CSMR below 5% at 42.0% coverage, 95% confidence', or why nothing was certified."""
    if not operating:
        return "This run's report has no operating point."
    target, confidence = operating.get("target_csmr"), operating.get("confidence")
    if operating.get("certified"):
        coverage = (operating.get("calibration") or {}).get("coverage")
        shown = "n/a" if coverage is None else f"{100 * coverage:.1f}%"
        return f"certified: CSMR below {100 * target:g}% at {shown} coverage, {100 * confidence:g}% confidence"
    return f"not certified: {operating.get('note') or f'no threshold keeps CSMR below {100 * target:g}%'}"


def _ladder_rows(operating: dict) -> list[dict]:
    """Each CSMR target the evaluation certified or tried, in words."""
    return [{"target": f"{100 * rung['target_csmr']:g}%", "certified": rung.get("certified", False),
             "coverage": f"{100 * rung.get('coverage', 0):.1f}%", "reported": rung.get("reported"),
             "misses": rung.get("misses"), "csmr_upper": _percent(rung.get("csmr_upper"))}
            for rung in operating.get("ladder") or [] if isinstance(rung, dict) and "target_csmr" in rung]


def _trait_rows(report: dict) -> list[dict]:
    rows = []
    for t in report.get("traits", []):
        if not isinstance(t, dict) or "code" not in t:
            continue
        counts = {"n": t.get("n"), "n_positive": t.get("n_positive")}
        rows.append({
            "code": t["code"], "high": t.get("high", False), **counts,
            "auroc": metric_text(t.get("auroc"), t.get("auroc_lo"), t.get("auroc_hi"), **counts),
            "auprc": metric_text(t.get("auprc"), t.get("auprc_lo"), t.get("auprc_hi"), **counts),
        })
    return rows


def _reference(report: dict) -> dict | None:
    reference = report.get("reference")
    if not isinstance(reference, dict) or reference.get("reference_csmr") is None:
        return None
    points = [{"point": p.get("point"), "coverage": p.get("coverage"), "csmr": _percent(p.get("csmr")),
               "csmr_upper": _percent(p.get("csmr_upper")), "beats": not p.get("upper_above_reference", True)}
              for p in reference.get("points", []) if isinstance(p, dict)]
    return {"csmr": _percent(reference["reference_csmr"]), "points": points}


def run_plots(run: ModelRun) -> list[dict]:
    """The run's stored plots: file name (the plot URL's last part) and a caption."""
    out = []
    for name in run.plots:
        filename = name.rsplit("/", 1)[-1]
        label = filename.removesuffix(".png").replace("roc-", "ROC: ").replace("_", " ")
        out.append({"filename": filename, "label": label})
    return out


def run_report(run: ModelRun) -> dict:
    """Everything the run page shows of `run.report`."""
    report = run.report or {}
    operating = report.get("operating_point") or {}
    return {
        "traits": _trait_rows(report), "operating": operating, "certified": certified_sentence(operating),
        "ladder": _ladder_rows(operating),
        "table2": report.get("table2", []), "reference": _reference(report), "plots": run_plots(run),
        "n_studies": report.get("n_studies") or {},
    }


def _polyline(roc: dict) -> str:
    return " ".join(f"{fpr * ROC_SIZE:.1f},{(1 - tpr) * ROC_SIZE:.1f}" for fpr, tpr in zip(roc["fpr"], roc["tpr"],
                                                                                              strict=False))


def roc_overlays(*, run_a: ModelRun, run_b: ModelRun) -> list[dict]:
    """Per trait both runs evaluated with a stored ROC curve: the two curves as SVG polylines in one square."""
    curves_a = {t["code"]: t["roc"] for t in run_a.report.get("traits", []) if isinstance(t, dict) and t.get("roc")}
    curves_b = {t["code"]: t["roc"] for t in run_b.report.get("traits", []) if isinstance(t, dict) and t.get("roc")}
    return [{"trait": code, "a": _polyline(curves_a[code]), "b": _polyline(curves_b[code])}
            for code in curves_a if code in curves_b]


def _delta_text(metric: dict) -> str:
    if metric["difference"] is None:
        return "n/a"
    interval = metric.get("difference_ci")
    shown = f"{metric['difference']:+.3f}"
    return f"{shown} [{interval[0]:+.3f}, {interval[1]:+.3f}]" if interval else f"{shown} (no interval)"


def run_compare_rows(*, run_a: ModelRun, run_b: ModelRun) -> list[dict]:
    """Per shared trait, AUROC then AUPRC: each run's value with its interval, and the difference with its own."""
    counts_a = {t["code"]: t for t in run_a.report.get("traits", []) if isinstance(t, dict) and "code" in t}
    counts_b = {t["code"]: t for t in run_b.report.get("traits", []) if isinstance(t, dict) and "code" in t}
    rows = []
    for row in model_run_compare(run_a=run_a, run_b=run_b):
        code = row["trait"]
        ca = {k: counts_a[code].get(k) for k in ("n", "n_positive")}
        cb = {k: counts_b[code].get(k) for k in ("n", "n_positive")}
        rows.append({"trait": code, "high": row["high"], "metrics": [
            {"a": metric_text(row[key]["a"], *row[key]["a_ci"], **ca),
             "b": metric_text(row[key]["b"], *row[key]["b_ci"], **cb), "delta": _delta_text(row[key])}
            for key in ("auroc", "auprc")]})
    return rows
