"""The demo's report step: the synthetic cohort's reports.csv is imported, linked to its studies and mined."""

import json

import pytest

from frontend.demo import STEPS, DemoContext, step_reports
from reports_nlp.models import MiningRun, Report, ReportVerdict
from synth.cohort import generate_cohort

from .conftest import study_arrives

pytestmark = pytest.mark.django_db


def test_the_demo_imports_the_cohort_reports_and_mines_them(tmp_path):
    cohort = tmp_path / "cohort"
    generate_cohort(cohort, studies=6, seed=7, size=32, slices=4, enrich={"intracranial_hemorrhage": 0.5},
                    overwrite=True)
    truth = [json.loads(line) for line in (cohort / "ground_truth.jsonl").read_text().splitlines()]
    studies = [study_arrives(record["accession_number"]) for record in truth[:4]]  # two still wait for images
    lines: list[str] = []
    ctx = DemoContext(data_dir=tmp_path, out=lines.append, state={"cohort_dir": cohort})
    step_reports(ctx)
    assert Report.objects.count() == 6
    assert Report.objects.filter(study__in=studies).count() == 4
    run = MiningRun.objects.get()
    assert (run.status, run.done_reports) == ("done", 6)
    assert lines[0] == "reports: 6 new, 0 revised, 0 unchanged, 0 skipped"
    assert any("recall" in line for line in lines)
    positives = {(r["accession_number"], t["code"]) for r in truth for t in r["traits"]}
    assert any(code == "intracranial_hemorrhage" for _, code in positives)
    assert ReportVerdict.objects.filter(run=run, trait_code="intracranial_hemorrhage", verdict="present").exists()
    step_reports(ctx)  # a second demo run re-imports nothing
    assert any(line == "reports: 0 new, 0 revised, 6 unchanged, 0 skipped" for line in lines)


def test_the_report_step_runs_after_the_cohort_and_ingest_steps():
    names = [step.__name__ for step in STEPS]
    assert names.index("step_reports") > names.index("step_cohort")
    if "step_ingest" in names:
        assert names.index("step_reports") > names.index("step_ingest")


@pytest.mark.django_db(transaction=True)
def test_the_demo_sends_reports_over_hl7_and_fhir_and_a_correction_changes_the_candidates(tmp_path):
    from frontend.demo_feeds import step_report_feeds
    from reports_nlp.models import QuarantinedMessage

    cohort = tmp_path / "cohort"
    generate_cohort(cohort, studies=5, seed=7, size=32, slices=4, enrich={"intracranial_hemorrhage": 0.6},
                    overwrite=True)
    truth = [json.loads(line) for line in (cohort / "ground_truth.jsonl").read_text().splitlines()]
    for record in truth:
        study_arrives(record["accession_number"])
    lines: list[str] = []
    ctx = DemoContext(data_dir=tmp_path, out=lines.append, state={"cohort_dir": cohort})
    step_reports(ctx)
    step_report_feeds(ctx)
    assert "ACKs AA AA AA AA AA AA AA" in lines[-5]
    correction = lines[-4]
    assert correction.startswith("corrected report (ACK AA)")
    before, after = correction.split(": candidates ")[1].split(" -> ")
    assert before != after
    assert after == "none" or "corrected" in after  # the correction's verdicts replace the final report's
    assert lines[-3].startswith("malformed message: ACK AE") and QuarantinedMessage.objects.count() == 1
    assert "FHIR Bundle with one DiagnosticReport: revised" in lines[-1] and "final" in lines[-1]
    assert Report.objects.filter(result_status="corrected", is_current=True).count() == 1


def test_the_feed_step_follows_the_report_step():
    names = [step.__name__ for step in STEPS]
    assert names.index("step_report_feeds") == names.index("step_reports") + 1
