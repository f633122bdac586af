"""Patient-level bootstrap of AUROC/AUPRC: 30,000 studies x 30 traits x 2,000 resamples, beside scikit-learn.

    python bench/bench_bootstrap.py [--studies 30000 --traits 30 --resamples 2000]

The baseline is what a loop over scikit-learn would cost: roc_auc_score + average_precision_score per resample
and trait, timed on a few resamples in the same run and scaled to the full count.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.metrics import bootstrap_auc  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--studies", type=int, default=30000)
    p.add_argument("--traits", type=int, default=30)
    p.add_argument("--resamples", type=int, default=2000)
    p.add_argument("--baseline-resamples", type=int, default=10)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    n, t = args.studies, args.traits
    prevalence = np.geomspace(0.002, 0.17, t)  # the taxonomy's range of trait prevalences
    labels = (rng.random((n, t)) < prevalence).astype(float)
    scores = np.clip(rng.random((n, t)) * 0.7 + 0.3 * labels, 0, 1).round(3)  # ties, as model outputs have
    patients = rng.integers(0, int(n * 0.8), n)

    start, cpu = time.perf_counter(), time.process_time()
    out = bootstrap_auc(scores, labels, patients, n_resamples=args.resamples)
    ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu

    _, codes = np.unique(patients, return_inverse=True)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.baseline_resamples):
        draw = rng.integers(0, codes.max() + 1, codes.max() + 1)
        weights = np.bincount(draw, minlength=codes.max() + 1)[codes].astype(float)
        for j in range(t):
            roc_auc_score(labels[:, j], scores[:, j], sample_weight=weights)
            average_precision_score(labels[:, j], scores[:, j], sample_weight=weights)
    sk = (time.perf_counter() - start) / args.baseline_resamples * args.resamples
    sk_cpu = (time.process_time() - cpu) / args.baseline_resamples * args.resamples

    print(f"{n:,} studies, {t} traits, {args.resamples:,} patient-level resamples (AUROC and AUPRC, 95% CIs)")
    print("(wall seconds depend on what else runs on the machine; CPU seconds less so)")
    print(f"{'method':<56}{'wall s':>9}{'CPU s':>9}{'speed-up':>10}")
    print(f"{'training.metrics.bootstrap_auc (sparse, vectorized)':<56}{ours:>9.1f}{ours_cpu:>9.1f}"
          f"{sk / ours:>9.0f}x")
    print(f"{'scikit-learn loop (' + str(args.baseline_resamples) + ' resamples timed, scaled)':<56}{sk:>9.0f}"
          f"{sk_cpu:>9.0f}{1:>9.0f}x")
    print(f"example: trait 0 (prevalence {prevalence[0]:.3f}) AUROC {out['auroc'][0]:.3f} "
          f"[{out['auroc_lo'][0]:.3f}, {out['auroc_hi'][0]:.3f}]")


if __name__ == "__main__":
    main()
