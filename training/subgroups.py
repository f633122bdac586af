"""Subgroup evaluation: does the model hold up at every site, on every scanner, at every slice thickness and age?

Subgroups come from the de-identified metadata a dataset carries in studies.parquet (docs/run-format.md): `site`
(the platform's site pseudonym, never a name), `scanner` (make and model), `slice_thickness_mm` (put in bands) and
`age_band` (a band, never a birth date), each used when the column is there. Per subgroup of the test split: each
trait's AUROC with a patient-bootstrap 95% interval, and the certified operating point applied to the subgroup
(CSMR with its one-sided Clopper–Pearson bound). A subgroup with too few positives or negatives for a trait says so
(`auroc` null, `too_small` true) rather than being dropped: the forest plot shows it as a labelled empty row.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from training.metrics import apply_threshold, bootstrap_auc  # noqa: E402

ATTRIBUTES = ("site", "scanner", "slice_thickness", "age_band")
MIN_CASES = 5  # positives and negatives a subgroup needs before its AUROC is more than noise
THICKNESS_BANDS = ((1.5, "<= 1.5 mm"), (3.5, "1.5-3.5 mm"), (float("inf"), "> 3.5 mm"))


def thickness_band(mm: float) -> str:
    if not np.isfinite(mm) or mm <= 0:
        return "unknown"
    return next(label for limit, label in THICKNESS_BANDS if mm <= limit)


def subgroup_columns(studies: pd.DataFrame) -> dict[str, np.ndarray]:
    """attribute -> each study's subgroup (str), for the attributes the table carries."""
    out = {}
    for name in ("site", "scanner", "age_band"):
        if name in studies.columns:
            out[name] = studies[name].fillna("unknown").replace("", "unknown").astype(str).to_numpy()
    if "slice_thickness_mm" in studies.columns:
        out["slice_thickness"] = np.array([thickness_band(float(v)) for v in studies["slice_thickness_mm"]])
    return {k: out[k] for k in ATTRIBUTES if k in out}


def subgroup_report(groups: dict[str, np.ndarray], *, codes: list[str], probs: np.ndarray, labels: np.ndarray,
                    patients: np.ndarray, test: np.ndarray, score: np.ndarray, miss: np.ndarray,
                    threshold: float, delta: float, n_bootstrap: int, seed: int) -> list[dict]:
    """One row per (attribute, subgroup) on the test split: per-trait AUROC with CI, the operating point's CSMR."""
    rows = []
    for attribute, values in groups.items():
        for group in sorted(set(values[test])):
            member = test & (values == group)
            boot = bootstrap_auc(probs[member], labels[member], patients[member], n_resamples=n_bootstrap, seed=seed)
            traits = []
            for j, code in enumerate(codes):
                n_pos, n = int(boot["n_positive"][j]), int(boot["n"][j])
                small = n_pos < MIN_CASES or n - n_pos < MIN_CASES
                traits.append({"code": code, "n": n, "n_positive": n_pos, "too_small": small,
                               **{k: None if small else float(boot[k][j]) for k in ("auroc", "auroc_lo", "auroc_hi")}})
            point = apply_threshold(score[member], miss[member], threshold, delta).to_dict()
            rows.append({"attribute": attribute, "group": group, "n": int(member.sum()),
                         "n_patients": len(set(patients[member])), "traits": traits,
                         "operating_point": {k: point[k] for k in ("coverage", "reported", "misses", "csmr",
                                                                   "csmr_upper")}})
    return rows


def _whisker(upper: float, lower: float | None) -> float:
    """An error bar's length: a small subgroup's percentile-bootstrap interval need not contain its point estimate,
    and an undefined end (None or NaN) draws no whisker."""
    if upper is None or lower is None or math.isnan(upper) or math.isnan(lower):
        return 0.0
    return max(0.0, upper - lower)


def plot_forest(path: Path, code: str, overall: dict, rows: list[dict]) -> None:
    """AUROC with its 95% interval per subgroup beside the whole test split; too-small subgroups labelled."""
    entries = [("all test studies", overall.get("auroc"), overall.get("auroc_lo"), overall.get("auroc_hi"),
                overall.get("n_positive"), False)]
    for row in rows:
        t = next(t for t in row["traits"] if t["code"] == code)
        entries.append((f"{row['attribute']}: {row['group']}", t["auroc"], t["auroc_lo"], t["auroc_hi"],
                        t["n_positive"], t["too_small"]))
    fig, ax = plt.subplots(figsize=(6, 0.3 * len(entries) + 1.2), dpi=80)
    for k, (_, auc, lo, hi, n_pos, small) in enumerate(entries):
        y = len(entries) - 1 - k
        if auc is None:
            ax.text(0.52, y, f"too few cases (n+={n_pos})" if small else "no AUROC", va="center", fontsize=7,
                    color="grey")
            continue
        ax.errorbar([auc], [y], xerr=[[_whisker(auc, lo)], [_whisker(hi, auc)]],
                    fmt="s" if k == 0 else "o", color="k" if k == 0 else "C0", capsize=2)
    if entries[0][1] is not None:
        ax.axvline(entries[0][1], color="k", lw=0.8, ls=":")
    ax.set_yticks(range(len(entries)), [e[0] for e in reversed(entries)], fontsize=7)
    lows = [e[2] for e in entries if e[2] is not None]
    ax.set(xlim=(min([0.5, *lows]) - 0.02, 1.0), xlabel="AUROC (95% CI, patient bootstrap)", title=f"{code}: subgroups (test split)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
