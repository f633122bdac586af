"""Evaluation report: every evaluation figure in report.json, ROC curves with CI ribbons, the risk-coverage plot.

Inputs are plain arrays (study ids, patients, splits, probabilities, labels), so the same report is built for a
run of this module and for any model's predictions CSV.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from training.config import EvalConfig  # noqa: E402
from training.metrics import (  # noqa: E402
    apply_threshold,
    bootstrap_auc,
    bootstrap_roc_band,
    certify_operating_point,
    clopper_pearson_upper,
    risk_coverage,
    roc_points,
    sensitivity_at_specificity,
    threshold_for_coverage,
)
from training.subgroups import plot_forest, subgroup_report  # noqa: E402

FORMAT = "radcurate-report/1"


def referral_score(probs: np.ndarray, high: list[int]) -> np.ndarray:
    """Probability of the most likely high-significance trait: a study is reported when this is low."""
    return probs[:, high].max(1) if high else np.zeros(len(probs))


def any_high_label(labels: np.ndarray, high: list[int]) -> np.ndarray:
    """1 where consensus found any high-significance trait; unknown labels count as absent."""
    return (np.nan_to_num(labels[:, high], nan=0.0) > 0.5).any(1).astype(float) if high else np.zeros(len(labels))


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/inf
    return value


def build_report(*, codes: list[str], high: list[int], patients: np.ndarray, splits: np.ndarray, probs: np.ndarray,
                 labels: np.ndarray, cfg: EvalConfig, source: dict | None = None,
                 groups: dict[str, np.ndarray] | None = None) -> dict:
    """All figures: per-trait discrimination on test, the certified operating point, Table 2, risk-coverage, and
    per subgroup of `groups` (attribute -> each study's subgroup) the same discrimination and operating point."""
    cal, test = splits == "calibration", splits == "test"
    if not cal.any() or not test.any():
        raise ValueError(f"evaluation needs calibration and test studies; got {int(cal.sum())} calibration, "
                         f"{int(test.sum())} test")
    boot = bootstrap_auc(probs[test], labels[test], patients[test], n_resamples=cfg.n_bootstrap, seed=cfg.seed)
    traits = []
    for j, code in enumerate(codes):
        y = labels[test, j]
        known = ~np.isnan(y)
        entry = {"code": code, "high": j in high, "n": int(boot["n"][j]), "n_positive": int(boot["n_positive"][j]),
                 "incidence": float(np.nanmean(y)) if known.any() else None}
        for key in ("auroc", "auroc_lo", "auroc_hi", "auprc", "auprc_lo", "auprc_hi"):
            entry[key] = float(boot[key][j])
        sens = {}
        if 0 < np.nansum(y) < known.sum():
            for spec in cfg.specificities:
                sens[f"{spec:g}"] = sensitivity_at_specificity(probs[test, j][known], y[known], spec)[0]
            entry["roc"] = _roc_curve(probs[test, j][known], y[known])
        entry["sensitivity_at_specificity"] = sens
        traits.append(entry)

    score, miss = referral_score(probs, high), any_high_label(labels, high)
    operating = _operating_point(score, miss, cal, test, cfg)
    table2 = [_table2_point(c, score, miss, probs, labels, cal, test, codes, cfg) for c in cfg.coverages]
    rc = risk_coverage(score[test], miss[test], cfg.delta)
    keep = np.unique(np.linspace(0, len(rc["coverage"]) - 1, min(len(rc["coverage"]), 500)).astype(int))
    report = {
        "format": FORMAT, "source": source or {},
        "n_studies": {"calibration": int(cal.sum()), "test": int(test.sum())},
        "high_traits": [codes[j] for j in high],
        "traits": traits, "operating_point": operating, "table2": table2,
        "risk_coverage": {k: v[keep] for k, v in rc.items()},
        "reference": _reference(operating["test"], table2, cfg),
    }
    if groups:
        report["subgroups"] = subgroup_report(groups, codes=codes, probs=probs, labels=labels, patients=patients,
                                              test=test, score=score, miss=miss, threshold=operating["threshold"],
                                              delta=cfg.delta, n_bootstrap=cfg.n_bootstrap, seed=cfg.seed)
    return _clean(report)


def _operating_point(score: np.ndarray, miss: np.ndarray, cal: np.ndarray, test: np.ndarray, cfg: EvalConfig) -> dict:
    """The certified operating point on the calibration split, and the same threshold applied to test.

    Each target of `cfg.targets()` is certified by its own fixed sequence at delta / (number of targets), so every
    certificate of the ladder holds at once with probability 1 - delta; the headline is the lowest target certified,
    or, when none is, the loosest one with the reason it failed.
    """
    targets = cfg.targets()
    each = cfg.delta / len(targets)
    certs = [certify_operating_point(score[cal], miss[cal], target=t, delta=each, n_thresholds=cfg.n_thresholds,
                                     start_reported=cfg.start_reported) for t in targets]
    cert = next((c for c in certs if c["certified"]), certs[-1])
    on_test = apply_threshold(score[test], miss[test], cert["point"].threshold, cfg.delta)
    method = "fixed-sequence testing (Learn-then-Test) with Clopper-Pearson bounds on the calibration split"
    if len(targets) > 1:
        method += f"; {len(targets)} targets, each at {each:.4g} of the error (Bonferroni)"
    operating = {
        "method": method, "target_csmr": cert["target_csmr"], "confidence": 1 - cfg.delta, "delta_each": each,
        "thresholds_tested": cert["tested"], "min_reported": cert["min_reported"],
        "start_reported": cert["start_reported"], "certified": cert["certified"], "threshold": cert["point"].threshold,
        "calibration": cert["point"].to_dict(), "test": _test_point(on_test),
        "ladder": [_ladder_entry(c) for c in certs],
    }
    if not cert["certified"]:
        operating["note"] = _not_certified(cert, int(cal.sum()), len(targets))
    return operating


def _ladder_entry(cert: dict) -> dict:
    point = cert["point"]
    return {"target_csmr": cert["target_csmr"], "certified": cert["certified"], "threshold": point.threshold,
            "coverage": point.coverage, "reported": point.reported, "misses": point.misses,
            "csmr_upper": point.csmr_upper, "thresholds_tested": cert["tested"],
            "start_reported": cert["start_reported"]}


def _not_certified(cert: dict, n_calibration: int, n_targets: int = 1) -> str:
    """Why nothing was certified: too few calibration studies for the target, or misses at the first threshold."""
    wanted = f"CSMR < {cert['target_csmr']:g} at {100 * (1 - cert['delta']):g}% confidence"
    if n_targets > 1:
        wanted = f"none of the {n_targets} targets; the loosest, {wanted},"
    first = cert["first_tested"]
    if first is None:
        return (f"no threshold certified: {wanted} needs at least {cert['start_reported']} reported calibration "
                f"studies (even with no miss: {cert['min_reported']}); the calibration split has {n_calibration}; "
                "every study is referred")
    return (f"no threshold certified: {wanted} failed at the first threshold tested, which reports {first.reported} "
            f"of {n_calibration} calibration studies with {first.misses} missed (upper bound {first.csmr_upper:.1%}); "
            "every study is referred")


ROC_POINTS = 101  # the curve kept in report.json on a fixed FPR grid, so two runs' curves overlay point for point


def _roc_curve(scores: np.ndarray, labels: np.ndarray) -> dict:
    """The test ROC as TPR on an even FPR grid (the highest TPR at each FPR: the curve's upper step)."""
    fpr, tpr, _ = roc_points(scores, labels)
    grid = np.linspace(0, 1, ROC_POINTS)
    return {"fpr": np.round(grid, 3), "tpr": np.round(np.interp(grid, fpr, tpr), 4)}


def _test_point(point) -> dict:
    d = point.to_dict()
    d["misses_per_1000_reported"] = 1000 * d["csmr"]
    d["misses_per_1000_studies"] = 1000 * d["misses"] / max(d["n"], 1)
    return d


def _table2_point(coverage, score, miss, probs, labels, cal, test, codes, cfg) -> dict:
    """The paper's Table 2 at one coverage: threshold from calibration, per-trait errors among reported test studies."""
    threshold = threshold_for_coverage(score[cal], coverage)
    point = _test_point(apply_threshold(score[test], miss[test], threshold, cfg.delta))
    reported = test & (score <= threshold)
    rows = []
    for j, code in enumerate(codes):
        y = labels[:, j]
        errors = int(np.nansum(y[reported]))
        n_rep = int((reported & ~np.isnan(y)).sum())
        rows.append({"code": code, "incidence": float(np.nanmean(y[test])) if (~np.isnan(y[test])).any() else None,
                     "reported": n_rep, "errors": errors, "error_rate": errors / n_rep if n_rep else None,
                     "error_rate_upper": float(clopper_pearson_upper(errors, n_rep, cfg.delta))})
    return {"target_coverage": coverage, "threshold": threshold, "test": point, "traits": rows}


def _reference(test_point: dict, table2: list[dict], cfg: EvalConfig) -> dict:
    """Whether each operating point's certified CSMR bound beats the radiologists' reference figure."""
    points = [("certified", test_point)] + [(f"coverage {t['target_coverage']:g}", t["test"]) for t in table2]
    rows = []
    for name, p in points:
        above = p["csmr_upper"] > cfg.reference_csmr
        rows.append({"point": name, "coverage": p["coverage"], "csmr": p["csmr"], "csmr_upper": p["csmr_upper"],
                     "upper_above_reference": bool(above),
                     "note": (f"CSMR upper bound {100 * p['csmr_upper']:.2f}% is "
                              f"{'ABOVE' if above else 'below'} the reference {100 * cfg.reference_csmr:.2f}%")})
    return {"reference_csmr": cfg.reference_csmr, "points": rows}


def write_report(report: dict, out_dir: Path, *, probs: np.ndarray, labels: np.ndarray, patients: np.ndarray,
                 splits: np.ndarray, codes: list[str], seed: int = 0, n_band: int = 200) -> Path:
    """report.json, roc/<trait>.png (curve with 95% CI ribbon) and risk_coverage.png."""
    out_dir = Path(out_dir)
    (out_dir / "roc").mkdir(parents=True, exist_ok=True)
    test = splits == "test"
    for j, code in enumerate(codes):
        y = labels[test, j]
        if not 0 < np.nansum(y) < (~np.isnan(y)).sum():
            continue  # no ROC without both classes
        band = bootstrap_roc_band(probs[test, j], y, patients[test], n_resamples=n_band, seed=seed)
        _plot_roc(out_dir / "roc" / f"{code}.png", band, report["traits"][j])
    _plot_risk_coverage(out_dir / "risk_coverage.png", report)
    if report.get("subgroups"):
        (out_dir / "forest").mkdir(exist_ok=True)
        for entry in report["traits"]:
            if entry["auroc"] is not None:
                plot_forest(out_dir / "forest" / f"{entry['code']}.png", entry["code"], entry, report["subgroups"])
    path = out_dir / "report.json"
    path.write_text(json.dumps(report, indent=2))
    return path


def _plot_roc(path: Path, band: dict, entry: dict) -> None:
    fig, ax = plt.subplots(figsize=(4, 4), dpi=80)
    ax.fill_between(band["fpr"], band["tpr_lo"], band["tpr_hi"], alpha=0.3, label="95% CI (patient bootstrap)")
    ax.plot(band["fpr"], band["tpr"], lw=1.5, label=f"AUROC {entry['auroc']:.3f} "
            f"[{entry['auroc_lo'] or float('nan'):.3f}, {entry['auroc_hi'] or float('nan'):.3f}]")
    ax.plot([0, 1], [0, 1], ls=":", c="grey")
    ax.set(xlabel="1 - specificity", ylabel="sensitivity", title=f"{entry['code']} (n+={entry['n_positive']})",
           xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_risk_coverage(path: Path, report: dict) -> None:
    rc = report["risk_coverage"]
    cov = np.array(rc["coverage"], float)
    fig, ax = plt.subplots(figsize=(5, 4), dpi=80)
    ax.plot(cov, 100 * np.array(rc["csmr"], float), label="CSMR (test)")
    ax.plot(cov, 100 * np.array(rc["csmr_upper"], float), ls="--", label="one-sided 95% upper bound")
    op = report["operating_point"]
    ax.axhline(100 * op["target_csmr"], c="k", lw=0.8, ls=":", label="target")
    ax.axhline(100 * report["reference"]["reference_csmr"], c="r", lw=0.8, ls=":", label="reference")
    ax.scatter([op["test"]["coverage"]], [100 * op["test"]["csmr_upper"]], marker="o", c="k", zorder=3,
               label="certified point (bound)")
    for t in report["table2"]:
        ax.scatter([t["test"]["coverage"]], [100 * t["test"]["csmr_upper"]], marker="x", zorder=3)
    ax.set(xlabel="coverage (fraction of studies reported)", ylabel="CSMR among reported (%)", xlim=(0, 1))
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_curves(records: list[dict], path: Path) -> None:
    """Training curves of one member from its metrics.jsonl records: losses and the calibration score."""
    if not records:
        return
    epochs = [r["epoch"] for r in records]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3), dpi=80)
    ax1.plot(epochs, [r["train_loss"] for r in records], marker=".", label="train")
    ax1.plot(epochs, [r["calibration_loss"] for r in records], marker=".", label="calibration")
    ax1.set(xlabel="epoch", ylabel="loss")
    ax1.legend(fontsize=7)
    ax2.plot(epochs, [r["calibration_score"] for r in records], marker=".")
    ax2.set(xlabel="epoch", ylabel="calibration mean AUROC")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
