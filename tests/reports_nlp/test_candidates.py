"""Candidate ranking: rare and clinically significant traits first, with the reason; counts; quality."""

import pytest

from reports_nlp.selectors.candidates import candidate_ranking, candidate_trait_counts, study_priorities
from reports_nlp.selectors.quality import mapping_quality

pytestmark = pytest.mark.django_db


def test_candidates_rank_rare_high_significance_traits_first_with_the_reason(mined_run, imported_reports):
    rows = candidate_ranking(run=mined_run)
    traits = [r["trait"] for r in rows]
    # depressed skull fracture: high significance, 0.0167 %; white matter ischemia: low, 17 %.
    assert traits[0] == "depressed_skull_fracture"
    assert traits.index("intracranial_hemorrhage") < traits.index("white_matter_ischemia")
    assert traits.index("subarachnoid_hemorrhage") > traits.index("intracranial_hemorrhage")  # uncertain < present
    assert rows[0]["study_id"] == imported_reports["ACC-DSF"].pk
    assert "high significance" in rows[0]["reason"] and "0.0167%" in rows[0]["reason"]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_filters_by_trait_verdict_and_section(mined_run):
    uncertain = candidate_ranking(run=mined_run, verdicts=["uncertain"])
    assert {r["trait"] for r in uncertain} == {"intracranial_hemorrhage", "subarachnoid_hemorrhage"}
    impression = candidate_ranking(run=mined_run, traits=["white_matter_ischemia"], sections=["impression"])
    assert [r["trait"] for r in impression] == ["white_matter_ischemia"]
    # "Evaluate for bleed" is an indication: a finding there, but never a candidate.
    assert candidate_ranking(run=mined_run, sections=["indication"]) == []
    assert candidate_ranking(run=mined_run, traits=["glioblastoma"]) == []


def test_counts_per_trait_and_study_priorities(mined_run, imported_reports):
    counts = candidate_trait_counts(run=mined_run)
    assert counts["intracranial_hemorrhage"] == {"present": 1, "uncertain": 1}
    studies = study_priorities(run=mined_run)
    assert studies[0]["study_id"] == imported_reports["ACC-DSF"].pk
    assert imported_reports["ACC-NEG"].pk not in {s["study_id"] for s in studies}  # all negated
    ich = next(s for s in studies if s["study_id"] == imported_reports["ACC-ICH"].pk)
    assert {"intracranial_hemorrhage", "subdural_hemorrhage", "midline_shift"} <= set(ich["traits"])


def test_mapping_quality_per_trait_and_phrase_against_reference_labels(mined_run, imported_reports):
    s = {acc: study.pk for acc, study in imported_reports.items()}
    reference = {
        s["ACC-ICH"]: {"intracranial_hemorrhage": True, "midline_shift": True},
        s["ACC-NEG"]: {"intracranial_hemorrhage": False, "midline_shift": False},
        s["ACC-SIN"]: {"intracranial_hemorrhage": True},  # the report only hedged it: a miss
        s["ACC-WMI"]: {"intracranial_hemorrhage": False},
    }
    quality = mapping_quality(run=mined_run, reference=reference)
    ich = next(t for t in quality["traits"] if t["trait"] == "intracranial_hemorrhage")
    assert (ich["tp"], ich["fp"], ich["fn"], ich["precision"], ich["recall"]) == (1, 0, 1, 1.0, 0.5)
    shift = next(t for t in quality["traits"] if t["trait"] == "midline_shift")
    assert (shift["precision"], shift["recall"]) == (1.0, 1.0)
    phrases = {(p["trait"], p["phrase"]) for p in quality["phrases"]}
    assert any(t == "intracranial_hemorrhage" and "subdural" in p for t, p in phrases)


def test_study_trait_verdicts_for_later_layers(mined_run, imported_reports):
    from reports_nlp.selectors.mining import study_trait_verdicts

    verdicts = study_trait_verdicts(run=mined_run)
    neg = verdicts[imported_reports["ACC-NEG"].pk]
    assert neg["intracranial_hemorrhage"] == "absent" and neg["midline_shift"] == "absent"
    assert verdicts[imported_reports["ACC-SIN"].pk]["subarachnoid_hemorrhage"] == "uncertain"
    assert set(study_trait_verdicts(study_ids=[imported_reports["ACC-DSF"].pk])) == {imported_reports["ACC-DSF"].pk}


def test_mapping_quality_over_the_api_with_posted_reference(api_for, mined_run, imported_reports):
    s = {acc: study.pk for acc, study in imported_reports.items()}
    reference = {str(s["ACC-ICH"]): {"intracranial_hemorrhage": True}, str(s["ACC-NEG"]): {"intracranial_hemorrhage": False}}
    url = f"/api/reports/mining-runs/{mined_run.pk}/quality/"
    quality = api_for("curator").post(url, {"reference": reference}, format="json").json()
    assert quality["traits"] == [{"trait": "intracranial_hemorrhage", "tp": 1, "fp": 0, "fn": 0,
                                  "precision": 1.0, "recall": 1.0}]
    assert api_for("trainer").post(url, {"reference": reference}, format="json").status_code == 403
    bad = api_for("curator").post(url, {"reference": {"x": {"lacune": True}}}, format="json")
    assert bad.status_code == 400
