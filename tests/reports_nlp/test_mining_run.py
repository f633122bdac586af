"""Mining runs: chunks through a real Celery worker, bulk results with evidence, resume after a partial run."""

import time

import pytest
from django.core.management import call_command

from reports_nlp.models import Finding, MiningChunk, MiningRun, Report, ReportVerdict
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_chunk_process, mining_run_create, mining_run_dispatch
from reports_nlp.services.mining_local import mining_run_process_locally

from .conftest import REPORTS, csv_bytes, report_rows, study_arrives


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)  # the default mapping set and roles: restored by tests/conftest.py
def test_a_run_goes_through_the_real_worker_in_chunks(celery_worker, api_for):
    from reports_nlp.services.report_import import report_import_file

    for acc in ("ACC-ICH", "ACC-DSF"):
        study_arrives(acc)
    report_import_file(data=csv_bytes(report_rows()), name="a.csv")
    started = api_for("curator").post("/api/reports/mining-runs/", {"chunk_size": 2}, format="json")
    assert started.status_code == 202, started.content
    run_id = started.json()["id"]
    deadline = time.monotonic() + 60
    status = started.json()
    while status["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.3)
        status = api_for("curator").get(f"/api/reports/mining-runs/{run_id}/").json()
    assert status["status"] == "done", (status, celery_worker["log"].read_text()[-2000:])
    assert (status["done"], status["total"], status["chunks_done"], status["chunks_total"]) == (5, 5, 3, 3)
    assert "reports_nlp.mine_chunk" in celery_worker["log"].read_text()
    ich = ReportVerdict.objects.get(run_id=run_id, trait_code="subdural_hemorrhage", verdict="present")
    assert (ich.verdict, ich.section) == ("present", "findings")
    assert "subdural" in Report.objects.get(pk=ich.report_id).text[ich.start:ich.end].lower()


@pytest.mark.django_db
def test_findings_carry_spans_sentences_sections_and_assertions(mined_run):
    neg = Report.objects.get(text__startswith="INDICATION: Evaluate")
    rows = {(f.trait_code, f.section, f.assertion) for f in Finding.objects.filter(run=mined_run, report=neg)}
    assert ("intracranial_hemorrhage", "indication", "uncertain") in rows
    assert ("midline_shift", "findings", "absent") in rows
    verdict = ReportVerdict.objects.get(run=mined_run, report=neg, trait_code="intracranial_hemorrhage")
    assert verdict.verdict == "absent"  # the indication decides nothing
    sentence = neg.text[verdict.sentence_start:verdict.sentence_end]
    assert sentence.startswith("No hemorrhage") and sentence.rstrip(".").endswith("midline shift")


@pytest.mark.django_db
def test_a_resumed_run_skips_done_chunks_and_finishes(imported_reports):
    run = mining_run_create(mapping_set=mapping_set_get(), chunk_size=2)
    chunks = list(run.chunks.order_by("first_report_id"))
    assert [c.report_count for c in chunks] == [2, 2, 1]
    mining_chunk_process(chunk_id=chunks[0].pk)  # then the worker "dies": the other chunks stay pending
    run.refresh_from_db()
    assert (run.done_reports, run.status) == (2, "pending")
    first_chunk_rows = set(Finding.objects.filter(run=run).values_list("id", flat=True))
    assert mining_chunk_process(chunk_id=chunks[0].pk) == 0  # a redelivered done chunk is a no-op
    done = []
    run = mining_run_process_locally(run=run, on_chunk=done.append)
    assert done == [2, 1]
    assert (run.status, run.done_reports, run.total_reports) == ("done", 5, 5)
    assert first_chunk_rows <= set(Finding.objects.filter(run=run).values_list("id", flat=True))
    assert not MiningChunk.objects.filter(run=run, done_at__isnull=True).exists()
    assert ReportVerdict.objects.filter(run=run).values("report_id", "trait_code").distinct().count() == \
        ReportVerdict.objects.filter(run=run).count()


@pytest.mark.django_db
def test_dispatch_of_a_done_run_finishes_without_work(imported_reports):
    run = mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get(), chunk_size=10))
    count = Finding.objects.filter(run=run).count()
    run = mining_run_dispatch(run=run)
    run.refresh_from_db()
    assert run.status == "done" and Finding.objects.filter(run=run).count() == count


@pytest.mark.django_db
def test_mine_reports_command_mines_locally_with_a_progress_bar(imported_reports, capsys):
    call_command("mine_reports", "--local", "--chunk-size", "2")
    out, err = capsys.readouterr()
    run = MiningRun.objects.get()
    assert f"mining run {run.pk}: done, 5/5 reports" in out
    assert "5/5" in err  # tqdm's bar
    assert ReportVerdict.objects.filter(run=run, trait_code="depressed_skull_fracture", verdict="present").exists()
    assert len(REPORTS) == run.total_reports
