"""Which consensus labels are likely wrong: confident learning (Northcutt et al. 2021, the cleanlab library) on a
model's out-of-sample probabilities, one binary problem per trait.

Only out-of-sample predictions may be used (studies the model did not train on): on its training studies a model
has learned the labels, wrong ones included, and would vouch for them. cleanlab estimates each trait's joint of
given and true labels from the probabilities and flags the studies most likely mislabeled (`prune_by_noise_rate`);
written here only is the per-trait loop and the ranking, the method is the library's.
"""

from dataclasses import dataclass

import numpy as np

MIN_PER_CLASS = 5  # below this a trait's noise rates cannot be estimated: it is skipped, never guessed


@dataclass(frozen=True)
class LabelIssue:
    row: int
    trait: int
    label: int  # the consensus label that is likely wrong
    probability: float  # the model's out-of-sample probability of present
    quality: float  # cleanlab's label quality (self-confidence): lower, more likely wrong


def find_label_issues(labels: np.ndarray, probs: np.ndarray) -> list[LabelIssue]:
    """`labels` (N, T) 0/1 with NaN where unknown, `probs` (N, T) out-of-sample; issues, most likely wrong first."""
    from cleanlab.filter import find_label_issues as cl_find
    from cleanlab.rank import get_label_quality_scores

    issues = []
    for j in range(labels.shape[1]):
        known = np.flatnonzero(~np.isnan(labels[:, j]))
        y = labels[known, j].astype(int)
        if min(int(y.sum()), int(len(y) - y.sum())) < MIN_PER_CLASS:
            continue
        p = np.clip(probs[known, j].astype(float), 1e-6, 1 - 1e-6)
        pred_probs = np.stack([1 - p, p], axis=1)
        flagged = cl_find(y, pred_probs, filter_by="prune_by_noise_rate")
        quality = get_label_quality_scores(y, pred_probs)
        for k in np.flatnonzero(flagged):
            issues.append(LabelIssue(int(known[k]), j, int(y[k]), float(p[k]), float(quality[k])))
    return sorted(issues, key=lambda i: i.quality)


def lowest_agreement(labels: np.ndarray, probs: np.ndarray, n: int) -> list[tuple[int, int]]:
    """The baseline: the `n` (row, trait) labels the model disagrees with most (|probability - label| largest)."""
    gap = np.abs(probs - np.nan_to_num(labels, nan=0.0))
    gap[np.isnan(labels)] = -1
    order = np.argsort(-gap, axis=None, kind="stable")[:n]
    return [tuple(int(v) for v in np.unravel_index(i, labels.shape)) for i in order]
