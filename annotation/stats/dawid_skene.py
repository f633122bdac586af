"""Dawid–Skene over binary calls (crowd-kit): posterior per item and a confusion estimate per reader."""

import warnings
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DawidSkeneResult:
    posterior: dict  # item -> P(present)
    sensitivity: dict  # reader -> P(call present | present), None when no positive was estimated
    specificity: dict  # reader -> P(call absent | absent)
    prior: float  # estimated prevalence


def _confusion(errors, reader, true_label: int) -> float | None:
    # errors_ is indexed by (reader, observed label) with one column per true label.
    if true_label not in errors.columns:
        return None
    column = errors[true_label]
    total = column.loc[reader].sum() if reader in column.index.get_level_values(0) else 0.0
    if total <= 0:
        return None
    observed = column.loc[reader]
    return float(observed.get(true_label, 0.0) / total)


def dawid_skene(calls: list[tuple], *, n_iter: int = 100) -> DawidSkeneResult:
    """`calls`: (reader, item, 0|1) triples. Items every reader calls the same way keep that label."""
    if not calls:
        return DawidSkeneResult({}, {}, {}, 0.0)
    # Imported here: pandas and crowd-kit take seconds to import and only this campaign-level job needs them.
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    frame = pd.DataFrame(calls, columns=["worker", "task", "label"]).astype({"label": int})
    with warnings.catch_warnings():
        # crowd-kit 1.4 still passes pandas keywords that pandas 3 deprecates; harmless, and not ours to fix.
        warnings.filterwarnings("ignore", module="crowdkit")
        model = DawidSkene(n_iter=n_iter).fit(frame)
    probas = model.probas_.reindex(columns=[0, 1], fill_value=0.0)
    errors = model.errors_
    readers = frame["worker"].unique()
    prior = model.priors_.reindex([0, 1], fill_value=0.0)
    return DawidSkeneResult(
        posterior={task: float(p) for task, p in probas[1].items()},
        sensitivity={r: _confusion(errors, r, 1) for r in readers},
        specificity={r: _confusion(errors, r, 0) for r in readers},
        prior=float(np.clip(prior[1], 0.0, 1.0)),
    )
