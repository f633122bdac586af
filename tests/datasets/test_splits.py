"""Split properties: patient-disjoint, deterministic, stratified on high-significance traits, stable across versions."""

from collections import Counter

import pytest

from curation.default_taxonomy import HIGH_CODES
from datasets.export.records import SPLITS, StudyInput
from datasets.export.splits import SplitPolicy, SplitPolicyError, assign_splits


def _cohort(n_patients=600):
    studies, positives = [], {}
    for p in range(n_patients):
        for k in range(1 + p % 3):
            sid = f"s{p}-{k}"
            studies.append(StudyInput(sid, f"p{p}", sid))
            traits = set()
            if p % 10 == 0:
                traits.add("intracranial_hemorrhage")
            if p % 25 == 0:
                traits.add("intracranial_mass")
            if p % 4 == 0:
                traits.add("sinus_pathology")  # low significance: not a stratum
            positives[sid] = traits
    return studies, positives


POLICY = SplitPolicy(seed=7, fractions=(0.7, 0.1, 0.2), stratify_on=HIGH_CODES)


def test_no_patient_is_in_two_splits():
    studies, positives = _cohort()
    splits = assign_splits(studies, positives, POLICY)
    by_patient = {}
    for s in studies:
        by_patient.setdefault(s.patient_id, set()).add(splits[s.study_id])
    assert all(len(v) == 1 for v in by_patient.values())
    assert set(splits) == {s.study_id for s in studies}


def test_fractions_and_high_trait_prevalence_are_kept_in_every_split():
    studies, positives = _cohort()
    splits = assign_splits(studies, positives, POLICY)
    sizes = Counter(splits.values())
    for split, fraction in zip(SPLITS, POLICY.fractions, strict=True):
        assert abs(sizes[split] / len(studies) - fraction) < 0.02
    for trait in ("intracranial_hemorrhage", "intracranial_mass"):
        overall = sum(trait in positives[s.study_id] for s in studies) / len(studies)
        for split in SPLITS:
            members = [s for s in studies if splits[s.study_id] == split]
            prevalence = sum(trait in positives[s.study_id] for s in members) / len(members)
            assert abs(prevalence - overall) < 0.25 * overall + 0.01, (trait, split, prevalence, overall)


def test_same_seed_same_splits_whatever_the_input_order_and_another_seed_differs():
    studies, positives = _cohort()
    first = assign_splits(studies, positives, POLICY)
    assert assign_splits(list(reversed(studies)), positives, POLICY) == first
    other = assign_splits(studies, positives, SplitPolicy(8, POLICY.fractions, HIGH_CODES))
    assert other != first


def test_earlier_test_studies_stay_in_test_and_earlier_training_studies_never_enter_test():
    studies, positives = _cohort(300)
    v1 = assign_splits(studies, positives, POLICY)
    more, more_pos = _cohort(600)
    # v2: the cohort grows and the seed changes; nobody from v1 may move.
    v2 = assign_splits(more, more_pos, SplitPolicy(99, POLICY.fractions, HIGH_CODES), previous=v1)
    for sid, split in v1.items():
        assert v2[sid] == split
    # A new study of a patient who was in test joins test too.
    extra = [*more, StudyInput("new-study", studies[0].patient_id, "x")]
    v3 = assign_splits(extra, more_pos, POLICY, previous=v2)
    assert v3["new-study"] == v2[studies[0].study_id]


def test_bad_fractions_are_refused_with_the_field_named():
    with pytest.raises(SplitPolicyError, match="fractions"):
        SplitPolicy(0, (0.5, 0.5, 0.5))
    with pytest.raises(SplitPolicyError, match="fractions"):
        SplitPolicy(0, (1.0, 0.0))
