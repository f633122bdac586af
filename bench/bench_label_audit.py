"""Label audit: does confident learning find the consensus labels we broke? Precision and recall of flagged labels
against the injected ones, beside a random flag and a 'lowest model agreement' flag of the same size.

    python bench/bench_label_audit.py                   # 800 synthetic studies, 10% of positives flipped
    python bench/bench_label_audit.py --studies 400 --flip-positive 0.05

Studies come from the synthetic hospital (synth/, with its site scanners), the truth from its ground truth. Labels
are then broken at known studies: a fraction of each trait's positives called absent and a smaller fraction of its
negatives called present. A model learns from the broken labels and scores every study out of sample (5-fold
cross-fitting), as the platform's audit uses only a run's out-of-sample predictions. The model here is a logistic
regression on each volume's Hounsfield histogram inside the head (the CNN's CPU training is too slow for a bench; the
audit needs probabilities, not a particular model). Flags: `datasets.active_learning.label_audit.find_label_issues`
(cleanlab, prune_by_noise_rate); baselines flag as many labels, at random (the exact expectation) and where
|probability - label| is largest. Needs numpy, scikit-learn, cleanlab; no Django, no database. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from datasets.active_learning.label_audit import find_label_issues, lowest_agreement  # noqa: E402
from synth.study import CohortParams, synthesize_study  # noqa: E402

CODES = ["intracranial_hemorrhage", "intracranial_mass", "sinus_pathology", "calcification"]
BINS = np.array([-1000, -200, -50, 0, 15, 25, 32, 38, 45, 52, 60, 68, 76, 90, 150, 400, 3000])


def draw_traits(rng: np.random.Generator) -> set[str]:
    traits: set[str] = set()
    if rng.random() < 0.3:
        traits |= {"intracranial_hemorrhage", str(rng.choice(["subdural_hemorrhage", "intraparenchymal_hemorrhage"]))}
    for code, p in (("intracranial_mass", 0.2), ("sinus_pathology", 0.25), ("calcification", 0.2)):
        if rng.random() < p:
            traits.add(code)
    return traits


def features(hu: np.ndarray) -> np.ndarray:
    """log counts of the head's voxels per HU bin, whole volume and the busiest slice of each bin."""
    head = hu[hu > -500]
    whole = np.histogram(head, BINS)[0]
    per_slice = np.stack([np.histogram(s[s > -500], BINS)[0] for s in hu]).max(0)
    return np.log1p(np.concatenate([whole, per_slice]).astype(float))


def inject(truth: np.ndarray, rng, pos: float, neg: float) -> tuple[np.ndarray, np.ndarray]:
    """Broken labels and the mask of broken ones: exactly round(pos * positives) and round(neg * negatives) per trait."""
    labels, broken = truth.copy(), np.zeros_like(truth, bool)
    for j in range(truth.shape[1]):
        for value, fraction in ((1, pos), (0, neg)):
            rows = np.flatnonzero(truth[:, j] == value)
            pick = rng.choice(rows, int(round(fraction * len(rows))), replace=False)
            labels[pick, j], broken[pick, j] = 1 - value, True
    return labels, broken


def scores(flags: set, broken: np.ndarray) -> tuple[float, float]:
    injected = {tuple(int(v) for v in x) for x in np.argwhere(broken)}
    hits = len(flags & injected)
    return hits / max(len(flags), 1), hits / max(len(injected), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=800)
    parser.add_argument("--flip-positive", type=float, default=0.10, help="fraction of positives called absent")
    parser.add_argument("--flip-negative", type=float, default=0.01, help="fraction of negatives called present")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    params = CohortParams(seed=args.seed, size=64, slices=8)
    rng = np.random.default_rng(args.seed)
    x, truth = [], []
    for i in range(args.studies):
        study = synthesize_study(params, i, draw_traits(rng))
        x.append(features(study.volume.stored.astype(np.int32) - 1024))
        truth.append([float(c in study.volume.traits and study.volume.traits[c].slices is not None) for c in CODES])
    x, truth = np.array(x), np.array(truth)
    print(f"cohort: {args.studies} synthetic studies at 64x64x8 ({time.perf_counter() - start:.0f} s); positives "
          + ", ".join(f"{c} {int(n)}" for c, n in zip(CODES, truth.sum(0), strict=True)))
    labels, broken = inject(truth, rng, args.flip_positive, args.flip_negative)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.5))
    probs = np.stack([cross_val_predict(model, x, labels[:, j], cv=5, method="predict_proba")[:, 1]
                      for j in range(len(CODES))], axis=1)
    issues = find_label_issues(labels, probs)
    flagged = {(i.row, i.trait) for i in issues}
    n = len(flagged)
    lowest = set(lowest_agreement(labels, probs, n))
    rate = broken.mean()  # a random flag hits an injected label with this probability
    print(f"injected: {int(broken.sum())} broken labels of {broken.size} ({args.flip_positive:.0%} of positives "
          f"called absent, {args.flip_negative:.0%} of negatives present); flagged: {n}\n")
    print(f"{'flagger':<28}{'flags':>6}{'precision':>11}{'recall':>9}")
    rows = [("confident learning", scores(flagged, broken)), ("lowest model agreement", scores(lowest, broken)),
            ("random (expected)", (rate, n * rate / max(broken.sum(), 1)))]
    for name, (precision, recall) in rows:
        print(f"{name:<28}{n:>6}{precision:>11.1%}{recall:>9.1%}")
    print(f"\nconfident learning vs random: precision x{rows[0][1][0] / rate:.1f}; "
          f"vs lowest agreement: precision x{rows[0][1][0] / max(rows[1][1][0], 1e-9):.2f}")
    for j, code in enumerate(CODES):
        mine = {(r, t) for r, t in flagged if t == j}
        p, r = scores(mine, np.where(np.arange(len(CODES)) == j, broken, False))
        print(f"  {code:<28} flags {len(mine):>4}  precision {p:6.1%}  recall {r:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
