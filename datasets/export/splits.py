"""Patient-level train/calibration/test splits: deterministic from a seed, stratified, stable across versions.

We own this rather than use scikit-learn's StratifiedGroupKFold: that gives k equal folds, not
arbitrary fractions, and cannot pin patients to the split an earlier version gave them.

The rule, per stratum (a patient's rarest positive high-significance trait, so a rare trait is balanced
on its own instead of being scattered over many small trait combinations):
patients an earlier version already placed keep their split (a study once in test stays in test, and a
study once used for training never leaks into test); the others, in an order fixed by a keyed hash of
(seed, patient), each go to the split furthest below its target share of the stratum's studies.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .records import SPLITS, StudyInput

# When a patient's studies were in different splits in different earlier versions, the strictest wins.
_PRECEDENCE = {"test": 0, "calibration": 1, "train": 2}


class SplitPolicyError(ValueError):
    """The split policy is unusable; the message names the field."""


@dataclass(frozen=True)
class SplitPolicy:
    seed: int = 0
    fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)  # train, calibration, test
    stratify_on: tuple[str, ...] = ()

    def __post_init__(self):
        if len(self.fractions) != len(SPLITS):
            raise SplitPolicyError(f"fractions: need {len(SPLITS)} values ({', '.join(SPLITS)}), got {self.fractions}")
        if any(f < 0 for f in self.fractions) or abs(sum(self.fractions) - 1.0) > 1e-6:
            raise SplitPolicyError(f"fractions: must be non-negative and sum to 1, got {self.fractions}")

    def as_dict(self) -> dict:
        return {"seed": self.seed, "fractions": dict(zip(SPLITS, self.fractions, strict=True)),
                "stratify_on": list(self.stratify_on)}


def _order_key(seed: int, patient_id: str) -> str:
    # Independent of input order and of which other patients exist, so adding studies barely moves anyone.
    return hashlib.sha256(f"{seed}\x00{patient_id}".encode()).hexdigest()


def _pinned_split(studies: list[str], previous: Mapping[str, str]) -> str | None:
    earlier = [previous[s] for s in studies if s in previous]
    return min(earlier, key=_PRECEDENCE.__getitem__) if earlier else None


def _choose(counts: dict[str, int], fractions: dict[str, float], n: int) -> str:
    total = sum(counts.values()) + n
    return max(SPLITS, key=lambda s: (fractions[s] * total - counts[s], -SPLITS.index(s)))


def assign_splits(
    studies: Iterable[StudyInput],
    positives: Mapping[str, Iterable[str]],
    policy: SplitPolicy,
    previous: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """study_id -> split. `positives` maps a study to its positive trait codes; `previous` maps studies of
    earlier versions of the same dataset to the split they had there."""
    previous = previous or {}
    stratify = set(policy.stratify_on)
    by_patient: dict[str, list[str]] = defaultdict(list)
    for study in studies:
        by_patient[study.patient_id].append(study.study_id)
    traits_of = {p: {t for s in ids for t in positives.get(s, ()) if t in stratify} for p, ids in by_patient.items()}
    frequency = Counter(t for traits in traits_of.values() for t in traits)
    strata: dict[str, list[str]] = defaultdict(list)
    for patient, traits in traits_of.items():
        strata[min(traits, key=lambda t: (frequency[t], t)) if traits else ""].append(patient)
    fractions = dict(zip(SPLITS, policy.fractions, strict=True))
    out: dict[str, str] = {}
    for stratum in sorted(strata):
        counts = dict.fromkeys(SPLITS, 0)
        fresh = []
        for patient in strata[stratum]:
            pinned = _pinned_split(by_patient[patient], previous)
            if pinned is None:
                fresh.append(patient)
                continue
            counts[pinned] += len(by_patient[patient])
            out.update(dict.fromkeys(by_patient[patient], pinned))
        for patient in sorted(fresh, key=lambda p: _order_key(policy.seed, p)):
            split = _choose(counts, fractions, len(by_patient[patient]))
            counts[split] += len(by_patient[patient])
            out.update(dict.fromkeys(by_patient[patient], split))
    return out
