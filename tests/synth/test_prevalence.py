"""Trait sampling follows the taxonomy's prevalences, ages and co-occurrence; --enrich raises a trait."""

import numpy as np
import pytest

from curation.default_taxonomy import BY_CODE
from synth.patients import sample_age_days
from synth.prevalence import SUBTYPES, parse_enrich, sample_traits
from synth.streams import stream

N = 6000


def _cohort(enrich=None, age=None):
    out = []
    for i in range(N):
        rng = stream(1, i, "traits")
        a = age if age is not None else sample_age_days(stream(1, i, "visit")) / 365.25
        out.append(sample_traits(rng, a, enrich))
    return out


@pytest.fixture(scope="module")
def population():
    return _cohort()


def _rate(cohort, code):
    return np.mean([code in t for t in cohort])


@pytest.mark.parametrize("code", ["intracranial_hemorrhage", "white_matter_ischemia", "diffuse_volume_loss",
                                  "sinus_pathology", "scalp_soft_tissue", "fracture"])
def test_marginal_prevalence_is_near_the_taxonomy(code, population):
    expected = BY_CODE[code].prevalence / 100
    assert abs(_rate(population, code) - expected) < 0.25 * expected + 0.01


def test_age_raises_white_matter_ischemia_and_volume_loss():
    young, old = _cohort(age=30.0)[:2000], _cohort(age=82.0)[:2000]
    for code in ("white_matter_ischemia", "diffuse_volume_loss"):
        assert _rate(old, code) > 4 * _rate(young, code)


def test_co_occurrence_rules_hold(population):
    for traits in population:
        if traits & set(SUBTYPES):
            assert "intracranial_hemorrhage" in traits
        if "intracranial_hemorrhage" in traits:
            assert traits & set(SUBTYPES)
        if traits & {"glioblastoma", "metastasis", "meningioma"}:
            assert {"neoplasm", "intracranial_mass"} <= traits
        if "depressed_skull_fracture" in traits:
            assert "fracture" in traits
    masses = [t for t in population if "intracranial_mass" in t]
    assert np.mean(["cerebral_edema" in t for t in masses]) > 0.3


def test_enrich_raises_a_rare_trait_to_about_its_fraction():
    cohort = _cohort({"depressed_skull_fracture": 0.3})[:2000]
    assert 0.25 < _rate(cohort, "depressed_skull_fracture") < 0.35
    assert _rate(cohort, "fracture") >= _rate(cohort, "depressed_skull_fracture")


@pytest.mark.parametrize("item", ["nonsense=0.1", "subdural_hemorrhage", "subdural_hemorrhage=x", "fracture=1.5"])
def test_parse_enrich_names_the_bad_item(item):
    with pytest.raises(ValueError, match=item.split("=")[0]):
        parse_enrich([item])


def test_parse_enrich_reads_good_items():
    assert parse_enrich(["fracture=0.2", "lacune=1"]) == {"fracture": 0.2, "lacune": 1.0}
