"""ConText beyond head-CT phrasing: clinical history and indications as clinicians write them, and impressions
that weigh alternatives. Every rule of the clinical vocabulary has a sentence in
tests/data/clinical_context_sentences.jsonl, and that sentence's finding must be decided by that rule."""

import json
from pathlib import Path

import pytest

from reports_nlp import context_rules
from reports_nlp.pipeline import build_pipeline
from reports_nlp.pipeline.rules import rule_to_dict

DATA = Path(__file__).resolve().parents[1] / "data" / "clinical_context_sentences.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
CLINICAL_PHRASES = (
    context_rules.CLINICAL_NEGATED_FORWARD + context_rules.CLINICAL_NEGATED_BACKWARD
    + context_rules.CLINICAL_NEGATED_BIDIRECTIONAL + context_rules.CLINICAL_UNCERTAIN_FORWARD
    + context_rules.CLINICAL_UNCERTAIN_BIDIRECTIONAL + context_rules.CLINICAL_ALTERNATIVE
)
ICH = "intracranial_hemorrhage"


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline()


def decided(pipeline, text: str, trait: str) -> list[tuple[str, str]]:
    return [(f.assertion, f.cue) for f in pipeline.mine(text) if f.trait == trait]


def test_every_clinical_rule_has_a_test_sentence():
    assert sorted(set(CLINICAL_PHRASES) - {row["rule"] for row in ROWS}) == []
    assert sorted({row["rule"] for row in ROWS} - set(CLINICAL_PHRASES)) == []


@pytest.mark.parametrize("row", ROWS, ids=[row["rule"] for row in ROWS])
def test_each_clinical_rule_decides_its_sentence(pipeline, row):
    assert decided(pipeline, row["sentence"], row["trait"])[:1] == [(row["expected"], row["rule"])]


@pytest.mark.parametrize(("text", "trait", "expected"), [
    ("Patient denies loss of consciousness or hemorrhage.", ICH, "absent"),
    ("Free of seizures since March; no stroke since then.", "acute_infarct", "absent"),
    ("Negative for trauma or fracture.", "fracture", "absent"),
    ("Hemorrhage was ruled out on the prior admission.", ICH, "absent"),
    ("The hydrocephalus has resolved.", "hydrocephalus", "absent"),
    ("Not only hemorrhage but also edema.", ICH, "present"),
    ("No increase in the hydrocephalus.", "hydrocephalus", "present"),
    ("Denies trauma but there is a fracture.", "fracture", "present"),
    ("No fracture, however there is hemorrhage.", ICH, "present"),
    ("No fracture which would explain the hemorrhage.", ICH, "present"),
])
def test_clinical_history_phrasing(pipeline, text, trait, expected):
    assert [a for a, _ in decided(pipeline, text, trait)][:1] == [expected]


@pytest.mark.parametrize("text", [
    "Differential includes metastasis versus meningioma.",
    "Metastasis or meningioma.",
    "Cannot distinguish metastasis from meningioma.",
    "Metastasis cannot be differentiated from meningioma.",
    "Differential diagnoses include metastasis and meningioma.",
])
def test_a_differential_leaves_each_alternative_uncertain(pipeline, text):
    assert [a for a, _ in decided(pipeline, text, "metastasis")] == ["uncertain"]
    assert [a for a, _ in decided(pipeline, text, "meningioma")] == ["uncertain"]


def test_likely_a_rather_than_b_hedges_a_and_negates_b(pipeline):
    # The rule chosen (docs/report-mining.md): "likely" hedges A, so A is a candidate to read, not a finding.
    text = "Likely meningioma rather than metastasis."
    assert decided(pipeline, text, "meningioma") == [("uncertain", "likely")]
    assert decided(pipeline, text, "metastasis") == [("absent", "rather than")]


@pytest.mark.parametrize(("text", "trait", "expected"), [
    ("Hemorrhage in the frontal or parietal lobe.", ICH, "present"),  # one finding: "or" is inert
    ("No hemorrhage or mass.", "intracranial_mass", "absent"),  # a negation outranks an alternative
    ("Scalp hematoma without underlying epidural hematoma or fracture.", "scalp_soft_tissue", "present"),
])
def test_or_joins_only_the_two_findings_beside_it(pipeline, text, trait, expected):
    assert [a for a, _ in decided(pipeline, text, trait)][:1] == [expected]


def test_the_rules_are_data_a_curator_can_edit():
    rules = [rule_to_dict(r) for r in build_pipeline().rules if r.phrase != "or"]
    edited = build_pipeline(rules=rules)
    assert decided(edited, "Hemorrhage or calcification.", "calcification") == [("present", "")]
