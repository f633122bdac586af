"""Mapping sets and ConText rules as data: defaults, validation, exclusions, sections, parents, extension."""

import pytest

from curation.default_taxonomy import ALL_CODES, BY_CODE, TOP_LEVEL_CODES
from reports_nlp.pipeline import (
    MappingError,
    RuleError,
    build_pipeline,
    default_mapping_spec,
    default_rules,
    load_rules,
    mapping_spec_from_dict,
    mapping_spec_to_dict,
    rule_to_dict,
)
from reports_nlp.pipeline.phrases import phrase_variants


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline()


def traits(pipeline, text: str) -> dict[str, str]:
    return {f.trait: f.assertion for f in pipeline.mine(text)}


def test_default_set_covers_every_trait_and_subtype():
    spec = default_mapping_spec()
    assert set(spec.traits) == set(ALL_CODES)
    assert len(TOP_LEVEL_CODES) == 30
    for m in spec.mappings:
        assert m.parent == BY_CODE[m.trait].parent


@pytest.mark.parametrize("text, trait", [
    ("Hematoma in the right frontal lobe.", "intracranial_hemorrhage"),
    ("Small bleed.", "intracranial_hemorrhage"),
    ("Hyperdense blood in the interhemispheric fissure.", "intracranial_hemorrhage"),
    ("Small extra-axial collection.", "intracranial_hemorrhage"),
    ("Ventriculomegaly.", "hydrocephalus"),
    ("Small vessel ischemic change.", "white_matter_ischemia"),
    ("Leukoaraiosis.", "white_matter_ischemia"),
    ("Periventricular hypodensity.", "white_matter_ischemia"),
    ("Left EDH.", "epidural_hemorrhage"),
    ("Right SDH.", "subdural_hemorrhage"),
    ("Diffuse SAH.", "subarachnoid_hemorrhage"),
    ("Large ICH.", "intracranial_hemorrhage"),
    ("Right IPH.", "intraparenchymal_hemorrhage"),
    ("Small IVH.", "intraventricular_hemorrhage"),
])
def test_default_vocabulary(pipeline, text, trait):
    assert traits(pipeline, text).get(trait) == "present"


@pytest.mark.parametrize("text, subtype", [
    ("Right SDH.", "subdural_hemorrhage"),
    ("Possible SAH.", "subarachnoid_hemorrhage"),
    ("History of EDH.", "epidural_hemorrhage"),
])
def test_subtype_implies_parent_with_same_assertion(pipeline, text, subtype):
    found = traits(pipeline, text)
    assert found[subtype] == found["intracranial_hemorrhage"]


def test_negated_subtype_does_not_negate_parent(pipeline):
    assert traits(pipeline, "No epidural hematoma.") == {"epidural_hemorrhage": "absent"}


def test_implies_asserts_other_traits(pipeline):
    found = traits(pipeline, "Necrotic mass compatible with glioblastoma.")
    assert (found["glioblastoma"], found["neoplasm"], found["intracranial_mass"]) == ("present",) * 3
    assert traits(pipeline, "Depressed skull fracture.")["fracture"] == "present"


def test_gap_phrases_allow_interposed_words(pipeline):
    found = traits(pipeline, "Chronic right MCA territory infarct.")
    assert found == {"old_infarct": "present"}
    assert traits(pipeline, "Chronic, infarct.").get("old_infarct") is None  # punctuation is no gap word
    assert traits(pipeline, "Fluid in the right mastoid air cells.") == {"mastoid_pathology": "present"}


def test_matching_is_case_insensitive_with_hyphen_and_plural_variants(pipeline):
    assert "intracranial_hemorrhage" in traits(pipeline, "EXTRA AXIAL COLLECTIONS along the falx.")
    assert phrase_variants("extra-axial collection") == [
        "extra-axial collection", "extra axial collection", "extra-axial collections", "extra axial collections",
    ]


def test_exclusions_drop_the_match(pipeline):
    assert "intracranial_mass" not in traits(pipeline, "Mass effect on the left lateral ventricle.")
    assert "intracranial_hemorrhage" not in traits(pipeline, "Right frontal scalp hematoma.")
    assert traits(pipeline, "Right frontal scalp hematoma.")["scalp_soft_tissue"] == "present"


def test_edema_told_as_an_attribute_of_a_hematoma_is_not_the_trait(pipeline):
    assert "cerebral_edema" not in traits(pipeline, "Right frontal hematoma with surrounding edema.")
    assert traits(pipeline, "Surrounding vasogenic edema is present.")["cerebral_edema"] == "present"


def test_longer_phrase_hides_contained_match_of_same_trait(pipeline):
    found = [f for f in pipeline.mine("Acute intracranial hemorrhage.") if f.trait == "intracranial_hemorrhage"]
    assert [f.text for f in found] == ["intracranial hemorrhage"]


def test_sections_restrict_a_mapping():
    data = {"version": "t1", "traits": {"hydrocephalus": {"phrases": ["hydrocephalus"], "sections": ["impression"]}}}
    pipeline = build_pipeline(mapping_spec_from_dict(data))
    found = pipeline.mine("FINDINGS: Hydrocephalus. IMPRESSION: Hydrocephalus.")
    assert [f.section for f in found] == ["impression"]


def test_mapping_spec_round_trips_through_plain_data():
    spec = default_mapping_spec()
    assert mapping_spec_from_dict(mapping_spec_to_dict(spec)) == spec


@pytest.mark.parametrize("data, message", [
    ({"traits": {"x": {"phrases": ["a"]}}}, "'version' is empty"),
    ({"version": "v", "traits": {}}, "'traits' must be a non-empty dict"),
    ({"version": "v", "traits": {"x": {"phrases": []}}}, "trait 'x': 'phrases' is empty"),
    ({"version": "v", "traits": {"x": {"phrases": "abc"}}}, "trait 'x': 'phrases' must be a list"),
    ({"version": "v", "traits": {"x": {"phrases": ["a"], "sections": ["footer"]}}}, "unknown sections ['footer']"),
    ({"version": "v", "traits": {"x": {"phrases": ["a"], "weight": -1}}}, "'weight' must be a non-negative"),
    ({"version": "v", "traits": {"x": {"phrases": ["a"], "parent": "y"}}}, "parent 'y' has no mapping"),
    ({"version": "v", "traits": {"x": {"phrases": ["a"], "chronic": "yes"}}}, "'chronic' must be true or false"),
    ({"version": "v", "traits": {"x": {"phrases": ["a"], "implies": ["y"]}}}, "'implies' names traits with no mapping"),
    ({"version": "v", "traits": {"x": {"phrases": ["* a"]}}}, "one gap '*' at most, between words"),
    ({"version": "v", "traits": {"x": {"phrases": ["a * b * c"]}}}, "one gap '*' at most, between words"),
])
def test_bad_mapping_sets_are_named(data, message):
    with pytest.raises(MappingError, match=None) as err:
        mapping_spec_from_dict(data)
    assert message in str(err.value)


@pytest.mark.parametrize("row, message", [
    ({"phrase": "", "category": "negated"}, "rule 0: 'phrase' is empty"),
    ({"phrase": "nope", "category": "denied"}, "rule 0 ('nope'): 'category' must be one of"),
    ({"phrase": "nope", "category": "negated", "direction": "sideways"}, "'direction' must be one of"),
    ({"phrase": "nope", "category": "negated", "max_scope": 0}, "'max_scope' must be a positive integer"),
    ({"phrase": "nope", "category": "terminate", "applies_to": ["bogus"]}, "unknown categories ['bogus']"),
])
def test_bad_rules_are_named(row, message):
    with pytest.raises(RuleError) as err:
        load_rules([row])
    assert message in str(err.value)


def test_duplicate_rule_phrase_is_rejected():
    with pytest.raises(RuleError, match="phrase already defined by rule 0"):
        load_rules([{"phrase": "no", "category": "negated"}, {"phrase": "NO", "category": "uncertain"}])


def test_curators_extend_rules_with_plain_data():
    text = "Hemorrhage is doubtful."
    assert traits(build_pipeline(), text)["intracranial_hemorrhage"] == "present"
    extra = {"phrase": "is doubtful", "category": "uncertain", "direction": "backward"}
    extended = build_pipeline(rules=[*map(rule_to_dict, default_rules()), extra])
    assert traits(extended, text)["intracranial_hemorrhage"] == "uncertain"


def test_rule_max_scope_limits_reach():
    rules = [{"phrase": "no", "category": "negated", "direction": "forward", "max_scope": 2}]
    pipeline = build_pipeline(rules=rules)
    found = traits(pipeline, "No acute large hemorrhage.")
    assert found["intracranial_hemorrhage"] == "present"
    assert traits(pipeline, "No acute hemorrhage.")["intracranial_hemorrhage"] == "absent"


def test_normal_statements_assert_absent(pipeline):
    found = [(f.trait, f.assertion, f.cue) for f in
             pipeline.mine("The visualized paranasal sinuses and mastoid air cells are clear.")]
    assert found == [
        ("sinus_pathology", "absent", "[normal statement]"),
        ("mastoid_pathology", "absent", "[normal statement]"),
    ]


def test_pipeline_is_a_blank_english_spacy_pipeline(pipeline):
    assert pipeline.nlp.lang == "en"
    assert pipeline.nlp.pipe_names == ["report_sentencizer", "report_sections", "trait_matcher", "context_assertion"]
