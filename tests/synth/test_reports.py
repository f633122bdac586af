"""Report sentences say what the ground truth says, except where an error was injected on purpose."""

import datetime as dt
import re

import numpy as np
import pytest

from curation.default_taxonomy import ALL_CODES
from synth.patients import visit_for
from synth.prevalence import sample_traits
from synth.reports import ASSERTIONS, write_report
from synth.streams import stream

# Independent of the writer's lexicon: how a reader would spot each trait in text.
KEYWORDS = {
    "subdural_hemorrhage": r"subdural|\bSDH\b",
    "epidural_hemorrhage": r"epidural|\bEDH\b",
    "subarachnoid_hemorrhage": r"subarachnoid|\bSAH\b",
    "intraventricular_hemorrhage": r"intraventricular|\bIVH\b",
    "intraparenchymal_hemorrhage": r"intraparenchymal|\bIPH\b|intracerebral hemorrhage|parenchymal hematoma",
    "hydrocephalus": r"hydrocephalus",
    "pneumocephalus": r"pneumocephalus|intracranial air|extra-axial air",
    "midline_shift": r"midline shift|\bMLS\b|shift of the septum",
    "mastoid_pathology": r"mastoid",
    "white_matter_ischemia": r"white matter hypo|small vessel|microvascular|microangiopathy|\bWM hypo",
    "diffuse_volume_loss": r"volume loss|atrophy",
}
HEDGE = re.compile(r"cannot be excluded|not excluded|may represent|possible|questionable|versus", re.I)
NEGATION = re.compile(r"^(no|there is no|without)\b|are clear|well aerated|unremarkable|normal in size", re.I)
HISTORY = re.compile(r"resolved|resolution|previously (seen|noted)|no longer seen", re.I)


def _sentences(text: str) -> list[str]:
    body = re.split(r"(?i)\n\n(findings):", text, maxsplit=1)[-1]  # the indication never asserts
    body = re.sub(r"\n\d+\. ", "\n", body)
    return [s.strip() for s in re.split(r"(?<=\.)\s+|\n+", body) if s.strip()]


def _read(text: str, code: str) -> str:
    """What the text asserts about a trait, by keyword and cue, in the writer's vocabulary."""
    found = set()
    for s in _sentences(text):
        if not re.search(KEYWORDS[code], s, re.I):
            continue
        if HEDGE.search(s):
            found.add("uncertain")
        elif HISTORY.search(s):
            found.add("historical")
        elif NEGATION.search(s):
            found.add("absent")
        else:
            found.add("present")
    for level in ("present", "uncertain", "historical", "absent"):
        if level in found:
            return level
    return "not_mentioned"


def _truth(rng, age):
    """Present traits with plausible details, without rendering pixels (reports only need details)."""
    traits = sample_traits(rng, age, {"intracranial_hemorrhage": 0.4, "hydrocephalus": 0.1, "midline_shift": 0.1})
    return {c: {"side": str(rng.choice(["left", "right"])), "size_mm": int(rng.integers(4, 30))} for c in traits}


@pytest.fixture(scope="module")
def reports():
    out = []
    for i in range(400):
        visit = visit_for(5, i)
        truth = _truth(stream(5, i, "traits"), visit.age_years)
        out.append((truth, write_report(stream(5, i, "report"), visit, truth, error_rate=0.15, slice_mm=5.0)))
    return out


def test_every_trait_has_one_assertion_from_the_vocabulary(reports):
    for _, report in reports:
        assert set(report.assertions) == set(ALL_CODES)
        assert set(report.assertions.values()) <= set(ASSERTIONS)


@pytest.mark.parametrize("code", sorted(KEYWORDS))
def test_text_says_what_the_assertion_says(code, reports):
    for _, report in reports:
        read = _read(report.text, code)
        said = report.assertions[code]
        if read in ("present", "uncertain", "historical"):
            assert said == read, (code, said, read, report.text)
        if said == "present":
            assert read == "present", (code, report.text)


@pytest.mark.parametrize("code", sorted(KEYWORDS))
def test_text_agrees_with_truth_except_injected_errors(code, reports):
    mismatches = 0
    for truth, report in reports:
        read = _read(report.text, code)
        errors = {e["trait"] for e in report.errors}
        if code in errors or any(code in _implied(e) for e in errors):
            continue
        if code in truth:
            ok = read in ("present", "uncertain") or code in ("intracranial_hemorrhage",)
        else:
            ok = read != "present"
        mismatches += not ok
    assert mismatches == 0


def _implied(code):
    from synth.reports import IMPLIES

    return IMPLIES.get(code, ())


def test_truth_and_assertions_agree_except_injected_errors(reports):
    for truth, report in reports:
        errors = {e["trait"]: e["kind"] for e in report.errors}
        implied = {p: k for c, k in errors.items() for p in _implied(c)}
        for code, said in report.assertions.items():
            if code in errors or code in implied:
                continue
            if code in truth:
                assert said in ("present", "uncertain"), (code, said, report.text)
            else:
                assert said != "present", (code, report.text)


def test_errors_are_injected_at_about_the_configured_rate(reports):
    rate = np.mean([bool(r.errors) for _, r in reports])
    assert 0.08 < rate < 0.22
    kinds = {e["kind"] for _, r in reports for e in r.errors}
    assert kinds == {"miss", "overcall"}


def test_a_miss_is_not_asserted_present_and_an_overcall_is(reports):
    for truth, report in reports:
        for e in report.errors:
            if e["kind"] == "miss":
                assert e["trait"] in truth and report.assertions[e["trait"]] in ("absent", "not_mentioned")
            else:
                assert e["trait"] not in truth and report.assertions[e["trait"]] == "present"


def test_indications_never_assert(reports):
    bleed = [r for _, r in reports if "bleed" in r.indication.lower() or "hemorrhage" in r.indication.lower()]
    assert bleed, "no indication mentions a bleed"
    for truth, report in reports:
        if report in bleed and "intracranial_hemorrhage" not in truth and not report.errors:
            assert report.assertions["intracranial_hemorrhage"] != "present"
            assert report.indication not in re.split(r"(?i)\n\nfindings:", report.text)[-1]


def test_reports_have_the_five_sections_and_vary(reports):
    texts = [r.text for _, r in reports]
    for text in texts:
        heads = re.findall(r"^(CLINICAL HISTORY|INDICATION|History|TECHNIQUE|Technique|COMPARISON|Comparison|"
                           r"FINDINGS|Findings|IMPRESSION|Impression):", text, re.M)
        assert len(heads) == 5, text
    sdh = {s for t in texts for s in _sentences(t) if re.search(KEYWORDS["subdural_hemorrhage"], s)}
    assert len(sdh) >= 6, "too little paraphrase variety for subdural hemorrhage"
    assert any("SDH" in s for s in sdh) and any("subdural" in s for s in sdh)
    assert any(r.report_date >= dt.date(2019, 1, 1) for _, r in reports)


def test_same_stream_gives_the_same_report():
    visit = visit_for(9, 4)
    truth = {"subdural_hemorrhage": {"side": "left", "size_mm": 9}, "intracranial_hemorrhage": {}}
    a = write_report(stream(9, 4, "report"), visit, truth, error_rate=0.5, slice_mm=5.0)
    b = write_report(stream(9, 4, "report"), visit, truth, error_rate=0.5, slice_mm=5.0)
    assert a.text == b.text and a.assertions == b.assertions


def test_report_texts_for_benchmarks_are_deterministic_and_varied():
    from synth.reports import report_texts

    a, b = list(report_texts(30, seed=2)), list(report_texts(30, seed=2))
    assert a == b and len(set(a)) == 30
    assert list(report_texts(5, seed=3)) != a[:5]
