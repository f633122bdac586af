"""Assertion classification for each report pattern the miner must handle, one small case each."""

import pytest

from reports_nlp.pipeline import build_pipeline

ICH = "intracranial_hemorrhage"
SDH = "subdural_hemorrhage"


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline()


def assertions(pipeline, text: str, trait: str) -> list[str]:
    return [f.assertion for f in pipeline.mine(text) if f.trait == trait]


@pytest.mark.parametrize("text", [
    "No hemorrhage.",
    "Without hemorrhage.",
    "Negative for hemorrhage.",
    "Hemorrhage is not seen.",
    "The hemorrhage has resolved.",
    "Hemorrhage: none.",
])
def test_pre_and_post_negation(pipeline, text):
    assert assertions(pipeline, text, ICH) == ["absent"]


def test_list_negation_covers_every_item(pipeline):
    text = "No hemorrhage, mass effect, or midline shift."
    assert assertions(pipeline, text, ICH) == ["absent"]
    assert assertions(pipeline, text, "midline_shift") == ["absent"]


@pytest.mark.parametrize("text", [
    "No fracture but there is hemorrhage.",
    "No fracture, however hemorrhage is present.",
    "No fracture; hemorrhage in the left frontal lobe.",
    "No fracture. Hemorrhage in the left frontal lobe.",
])
def test_scope_ends_at_but_however_semicolon_and_sentence_end(pipeline, text):
    assert assertions(pipeline, text, "fracture") == ["absent"]
    assert assertions(pipeline, text, ICH) == ["present"]


@pytest.mark.parametrize("text", [
    "No change in the size of the SDH.",
    "No interval increase in the SDH.",
    "No hemorrhage elsewhere, no change in the SDH.",
])
def test_pseudo_negations_assert_the_finding(pipeline, text):
    assert assertions(pipeline, text, SDH) == ["present"]


@pytest.mark.parametrize("text", [
    "Hyperdensity may represent hemorrhage.",
    "Hemorrhage cannot be excluded.",
    "Questionable hemorrhage.",
    "Possible hemorrhage.",
    "Calcification versus hemorrhage.",
    "Differential includes hemorrhage.",
])
def test_hedges_are_uncertain(pipeline, text):
    assert assertions(pipeline, text, ICH) == ["uncertain"]


@pytest.mark.parametrize("text", [
    "Prior hemorrhage.",
    "Old hemorrhage in the right frontal lobe.",
    "History of hemorrhage.",
    "Interval resolution of the hemorrhage.",
])
def test_historical_and_resolved(pipeline, text):
    assert assertions(pipeline, text, ICH) == ["historical"]


@pytest.mark.parametrize("text", [
    "Evaluate for bleed.",
    "Rule out hemorrhage.",
    "INDICATION: Fall, evaluate for bleed.",
    "INDICATION: Subdural hematoma.",
    "CLINICAL HISTORY: Known hemorrhage, follow-up.",
])
def test_indications_are_never_present(pipeline, text):
    found = assertions(pipeline, text, ICH)
    assert found and "present" not in found


def test_seen_before_keeps_historical_scope_but_ends_negation(pipeline):
    text = "Interval resolution of the previously seen subdural hematoma."
    assert assertions(pipeline, text, SDH) == ["historical"]
    assert assertions(pipeline, "No hemorrhage, previously seen SDH is unchanged.", SDH) == ["present"]


def test_interpretation_hedge_covers_both_sides_but_not_a_relative_clause(pipeline):
    text = "Mild white matter hypodensity may represent small vessel ischemic change."
    assert assertions(pipeline, text, "white_matter_ischemia") == ["uncertain", "uncertain"]
    text = "Large left SDH with a hypodensity that may represent contusion."
    assert assertions(pipeline, text, SDH) == ["present"]


def test_nearest_trigger_decides(pipeline):
    text = "No hemorrhage, possible small subdural hematoma."
    assert assertions(pipeline, text, SDH) == ["uncertain"]


def test_modifier_inside_a_trait_phrase_is_not_a_trigger(pipeline):
    # "old" is a historical trigger, but "old infarct" is itself the old_infarct trait.
    assert assertions(pipeline, "Old infarct in the left occipital lobe.", "old_infarct") == ["present"]
    assert assertions(pipeline, "Old infarct in the left occipital lobe.", "acute_infarct") == []


def test_plain_mention_is_present_with_empty_cue(pipeline):
    (finding,) = [f for f in pipeline.mine("Large left subdural hematoma.") if f.trait == SDH]
    assert (finding.assertion, finding.cue) == ("present", "")


def test_cue_names_the_deciding_trigger(pipeline):
    (finding,) = [f for f in pipeline.mine("There is no evidence of hydrocephalus.") if f.trait == "hydrocephalus"]
    assert finding.cue == "no evidence of"


def test_chronic_traits_read_historical_cues_as_present(pipeline):
    assert assertions(pipeline, "Remote lacunar infarct in the right thalamus.", "lacune") == ["present"]
    assert assertions(pipeline, "Remote subarachnoid hemorrhage.", "subarachnoid_hemorrhage") == ["historical"]


def test_resolved_either_side_and_rather_than(pipeline):
    assert assertions(pipeline, "Resolved intraventricular hemorrhage.", "intraventricular_hemorrhage") == ["absent"]
    text = "Prominent ventricles due to volume loss rather than hydrocephalus."
    assert assertions(pipeline, text, "hydrocephalus") == ["absent"]


def test_overlapping_phrases_of_one_trait_give_one_finding(pipeline):
    found = [f.text for f in pipeline.mine("Acute subdural hematoma.") if f.trait == SDH]
    assert len(found) == 1


def test_new_statement_ends_negation_but_not_a_hedge_clause(pipeline):
    assert assertions(pipeline, "No hemorrhage, there is mild atrophy.", "diffuse_volume_loss") == ["present"]
    text = "Findings suggest that there is an acute infarct."
    assert assertions(pipeline, text, "acute_infarct") == ["uncertain"]
