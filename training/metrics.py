"""Evaluation math: AUROC/AUPRC with patient-level bootstrap CIs, sensitivity at specificity, risk-coverage,
CSMR with Clopper-Pearson bounds, and the operating point certified by fixed-sequence testing (Learn-then-Test).

The bootstrap AUROC/AP is written here rather than called from scikit-learn because scikit-learn scores one
resample per call (minutes for 30 traits x 2,000 resamples); here a block of resamples is one sparse product.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse
from scipy.stats import beta


def _trait_bins(scores: np.ndarray, labels: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Bin one trait's studies against its G distinct positive scores u_0 < ... < u_{G-1}.

    A positive goes to bin g where its score is u_g. A negative goes to bin 2k (strictly between u_{k-1} and u_k)
    or 2k+1 (tied with u_k), 2G+1 bins in all. Every AUROC/AP term is a sum of weights over these bins.
    """
    pos = labels > 0.5
    u = np.unique(scores[pos])
    g = len(u)
    s_neg = scores[~pos]
    k = np.searchsorted(u, s_neg, side="left")
    tie = (k < g) & (u[np.minimum(k, max(g - 1, 0))] == s_neg) if g else np.zeros(len(s_neg), bool)
    return g, np.searchsorted(u, scores[pos]), 2 * k + tie


def _auroc_ap_from_bins(w_pos: np.ndarray, w_neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUROC and AP (scikit-learn's definitions: ties count half; step AP) from binned weights, one column per
    weighting: w_pos (G, R), w_neg (2G+1, R)."""
    neg_cum = np.cumsum(w_neg, 0)
    below = neg_cum[0:-1:2]  # negatives strictly below u_g
    tied = w_neg[1::2]
    wp, wn = w_pos.sum(0), neg_cum[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (w_pos * (below + 0.5 * tied)).sum(0) / (wp * wn)
        tp = np.cumsum(w_pos[::-1], 0)[::-1]  # positives scoring >= u_g
        fp = wn - below
        ap = (w_pos * tp / np.maximum(tp + fp, 1e-12)).sum(0) / wp
    auc = np.where((wp > 0) & (wn > 0), auc, np.nan)
    return auc, np.where(wp > 0, ap, np.nan)


def _bin_matrix(scores: np.ndarray, labels: np.ndarray, codes: np.ndarray, n_groups: int
                ) -> tuple[sparse.csr_matrix, list[tuple[int, int]]]:
    """Sparse (bins x groups) matrix counting each trait's studies per bin and weighting group (patient)."""
    rows, cols, spans, offset = [], [], [], 0
    for j in range(scores.shape[1]):
        known = ~np.isnan(labels[:, j])
        s, y, c = scores[known, j], labels[known, j], codes[known]
        g, pos_bin, neg_bin = _trait_bins(s, y)
        pos = y > 0.5
        rows += [offset + pos_bin, offset + g + neg_bin]
        cols += [c[pos], c[~pos]]
        spans.append((offset, g))
        offset += 3 * g + 1
    r, c = np.concatenate(rows), np.concatenate(cols)
    m = sparse.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(offset, n_groups))
    return m, spans


def _scores_from_sums(sums: np.ndarray, spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-trait AUROC/AP from the binned sums; float32 sums stay float32 (bootstrap), float64 ones exact."""
    auc = np.empty((len(spans), sums.shape[1]))
    ap = np.empty_like(auc)
    for j, (offset, g) in enumerate(spans):
        sub = sums[offset:offset + 3 * g + 1]
        auc[j], ap[j] = _auroc_ap_from_bins(sub[:g], sub[g:])
    return auc, ap


def weighted_auroc_ap(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """AUROC and AP of one trait under each column of `weights` (N, R) of study weights (default: all ones)."""
    scores, labels = np.asarray(scores, float)[:, None], np.asarray(labels, float)[:, None]
    n = len(scores)
    weights = np.ones((n, 1), np.float32) if weights is None else np.asarray(weights, np.float32).reshape(n, -1)
    m, spans = _bin_matrix(scores, labels, np.arange(n), n)
    auc, ap = _scores_from_sums((m @ weights).astype(np.float64), spans)
    return auc[0], ap[0]


def patient_bootstrap_counts(n_patients: int, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(P, R) multiplicities: each resample draws P patients with replacement."""
    draws = rng.integers(n_patients, size=(n_patients, n_resamples), dtype=np.int64)
    flat = (draws * n_resamples + np.arange(n_resamples)).ravel()
    return np.bincount(flat, minlength=n_resamples * n_patients).reshape(n_patients, n_resamples).astype(np.float32)


def bootstrap_auc(scores: np.ndarray, labels: np.ndarray, patients: np.ndarray, *, n_resamples: int = 2000,
                  seed: int = 0, chunk: int = 500, level: float = 0.95) -> dict[str, np.ndarray]:
    """Point AUROC/AUPRC per trait (columns of `scores`) and percentile CIs from a patient-level bootstrap.

    A resample is a vector of patient multiplicities, so all traits and a block of resamples are scored by one
    sparse product (bins x patients) @ (patients x resamples). Every trait sees the same resamples. Labels may be
    NaN (unknown): such studies are left out of that trait's figures.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    if scores.ndim == 1:
        scores, labels = scores[:, None], labels[:, None]
    _, codes = np.unique(np.asarray(patients), return_inverse=True)
    n_patients = int(codes.max()) + 1 if len(codes) else 0
    m, spans = _bin_matrix(scores, labels, codes, n_patients)
    point_auc, point_ap = _scores_from_sums((m @ np.ones((n_patients, 1), np.float32)).astype(np.float64), spans)
    rng = np.random.default_rng(seed)
    boot_auc, boot_ap = [], []
    for start in range(0, n_resamples, chunk):
        counts = patient_bootstrap_counts(n_patients, min(chunk, n_resamples - start), rng)
        a, p = _scores_from_sums(m @ counts, spans)
        boot_auc.append(a)
        boot_ap.append(p)
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    auc_ci = _nanpercentile(np.concatenate(boot_auc, 1).T, q)
    ap_ci = _nanpercentile(np.concatenate(boot_ap, 1).T, q)
    return {"auroc": point_auc[:, 0], "auroc_lo": auc_ci[0], "auroc_hi": auc_ci[1],
            "auprc": point_ap[:, 0], "auprc_lo": ap_ci[0], "auprc_hi": ap_ci[1],
            "n": (~np.isnan(labels)).sum(0), "n_positive": np.nansum(labels, 0).astype(int)}


def _nanpercentile(values: np.ndarray, q: list[float]) -> np.ndarray:
    out = np.full((len(q), values.shape[1]), np.nan)
    for j in range(values.shape[1]):
        col = values[:, j][~np.isnan(values[:, j])]
        if col.size:
            out[:, j] = np.percentile(col, q)
    return out


def roc_points(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) at every distinct score, descending thresholds, starting at (0, 0)."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    w = np.ones_like(s) if weights is None else weights[order]
    last = np.r_[s[1:] != s[:-1], True]
    tp = np.cumsum(w * y)[last]
    fp = np.cumsum(w * (1 - y))[last]
    tpr = np.r_[0.0, tp / max(tp[-1], 1e-12)]
    fpr = np.r_[0.0, fp / max(fp[-1], 1e-12)]
    return fpr, tpr, np.r_[np.inf, s[last]]


def sensitivity_at_specificity(scores: np.ndarray, labels: np.ndarray, specificity: float) -> tuple[float, float]:
    """Highest sensitivity over thresholds whose specificity is at least `specificity`; returns (sens, threshold)."""
    fpr, tpr, thr = roc_points(np.asarray(scores, float), np.asarray(labels, float))
    ok = fpr <= 1 - specificity + 1e-12
    i = int(np.flatnonzero(ok)[np.argmax(tpr[ok])])
    return float(tpr[i]), float(thr[i])


def clopper_pearson_upper(k: np.ndarray | int, n: np.ndarray | int, delta: float = 0.05) -> np.ndarray:
    """One-sided (1 - delta) Clopper-Pearson upper bound on a binomial rate with k events in n trials."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(all="ignore"):
        upper = beta.ppf(1 - delta, k + 1, np.maximum(n - k, 1e-300))
    return np.where((n <= 0) | (k >= n), 1.0, upper)


def risk_coverage(referral_score: np.ndarray, any_high: np.ndarray, delta: float = 0.05) -> dict[str, np.ndarray]:
    """Report the studies scoring <= t, for every distinct t: coverage, misses, CSMR and its upper bound."""
    order = np.argsort(referral_score, kind="stable")
    s, y = referral_score[order], any_high[order].astype(float)
    last = np.r_[s[1:] != s[:-1], True]
    reported = np.flatnonzero(last) + 1
    misses = np.cumsum(y)[last]
    return {"threshold": s[last], "coverage": reported / len(s), "reported": reported, "misses": misses,
            "csmr": misses / reported, "csmr_upper": clopper_pearson_upper(misses, reported, delta)}


@dataclass
class OperatingPoint:
    """A referral threshold: studies with referral score <= threshold are reported, the rest referred."""

    threshold: float
    coverage: float
    reported: int
    misses: int
    csmr: float
    csmr_upper: float
    n: int

    def to_dict(self) -> dict:
        return asdict(self)


def apply_threshold(referral_score: np.ndarray, any_high: np.ndarray, threshold: float, delta: float = 0.05
                    ) -> OperatingPoint:
    reported = referral_score <= threshold
    n_rep, misses = int(reported.sum()), int(any_high[reported].sum())
    return OperatingPoint(threshold=float(threshold), coverage=n_rep / max(len(referral_score), 1),
                          reported=n_rep, misses=misses, csmr=misses / n_rep if n_rep else 0.0,
                          csmr_upper=float(clopper_pearson_upper(misses, n_rep, delta)), n=len(referral_score))


def candidate_thresholds(referral_score: np.ndarray, n_thresholds: int) -> np.ndarray:
    """Thresholds at evenly spaced calibration coverages, from the most conservative to the most permissive.

    The grid depends on the scores only, never on the labels, so the fixed sequence is set before testing.
    """
    qs = np.linspace(0, 1, n_thresholds + 1)[1:]
    return np.unique(np.quantile(referral_score, qs, method="inverted_cdf"))


def certify_operating_point(referral_score: np.ndarray, any_high: np.ndarray, *, target: float, delta: float = 0.05,
                            n_thresholds: int = 200, start_reported: int = 0) -> dict:
    """Learn-then-Test with fixed-sequence testing on the calibration split.

    Null hypothesis at threshold t: CSMR(t) > target. Its p-value is the binomial tail P(X <= misses) at rate
    `target`; it is below delta exactly when the Clopper-Pearson upper bound is below the target. Thresholds are
    tested in order of growing coverage and testing stops at the first one not rejected, which controls the
    family-wise error at delta without a multiplicity correction. The certified point is the last rejected one.

    `start_reported`: the sequence starts at the first threshold reporting at least this many studies. Set before
    the labels are seen (from the split's size: the demo starts where every reportable study could be reported), it
    keeps one miss among the very first studies from ending the sequence where a few misses in more studies would
    pass.
    """
    referral_score, any_high = np.asarray(referral_score, float), np.asarray(any_high, float)
    # A threshold reporting fewer than n_min studies cannot be certified even with zero misses (its bound is
    # 1 - delta ** (1/n) >= target); testing it first would end the sequence at once. Which thresholds reach n_min
    # depends on the scores only, so dropping them keeps the sequence fixed before the labels are looked at.
    n_min = math.ceil(math.log(delta) / math.log1p(-target)) if 0 < target < 1 else 1
    candidates = [t for t in candidate_thresholds(referral_score, n_thresholds)
                  if (referral_score <= t).sum() >= max(n_min, start_reported)]
    chosen, first = None, None
    tested = 0
    for t in candidates:
        tested += 1
        point = apply_threshold(referral_score, any_high, t, delta)
        first = first or point
        if point.csmr_upper >= target:
            break
        chosen = point
    if chosen is None:  # nothing certified: refer every study
        chosen = apply_threshold(referral_score, any_high, -np.inf, delta)
    return {"target_csmr": target, "delta": delta, "tested": tested, "min_reported": n_min,
            "start_reported": max(n_min, start_reported), "certified": chosen.reported > 0, "point": chosen,
            "first_tested": first}


def threshold_for_coverage(referral_score: np.ndarray, coverage: float) -> float:
    """The calibration threshold reporting (about) the given fraction of studies."""
    if coverage <= 0:
        return -np.inf
    return float(np.quantile(referral_score, min(coverage, 1.0), method="inverted_cdf"))


def bootstrap_roc_band(scores: np.ndarray, labels: np.ndarray, patients: np.ndarray, *, n_resamples: int = 200,
                       seed: int = 0, level: float = 0.95, grid: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Pointwise percentile band of TPR over an FPR grid, from patient-level resamples (the ROC ribbon)."""
    grid = np.linspace(0, 1, 101) if grid is None else grid
    scores, labels = np.asarray(scores, float)[:, None], np.asarray(labels, float)[:, None]
    known = ~np.isnan(labels[:, 0])
    _, codes = np.unique(np.asarray(patients)[known], return_inverse=True)
    n_patients = int(codes.max()) + 1
    m, spans = _bin_matrix(scores[known], labels[known], codes, n_patients)
    offset, g = spans[0]
    counts = np.concatenate([np.ones((n_patients, 1), np.float32),
                             patient_bootstrap_counts(n_patients, n_resamples, np.random.default_rng(seed))], 1)
    sums = (m @ counts).astype(np.float64)
    w_pos, w_neg = sums[offset:offset + g], sums[offset + g:offset + 3 * g + 1]
    below = np.cumsum(w_neg, 0)[0:-1:2]
    wn, wp = w_neg.sum(0), w_pos.sum(0)
    tp = np.cumsum(w_pos[::-1], 0)  # descending thresholds
    fp = (wn - below)[::-1]
    curves = np.full((counts.shape[1], len(grid)), np.nan)
    for r in range(counts.shape[1]):
        if wp[r] > 0 and wn[r] > 0:
            fpr = np.r_[0.0, fp[:, r] / wn[r], 1.0]
            tpr = np.r_[0.0, tp[:, r] / wp[r], 1.0]
            curves[r] = np.interp(grid, fpr, tpr)
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    band = _nanpercentile(curves[1:], q)
    return {"fpr": grid, "tpr": curves[0], "tpr_lo": band[0], "tpr_hi": band[1]}
