"""The pure API the Django side calls: verdicts, the mine_text line, and mining with worker processes."""

import json
import multiprocessing

import pytest

from reports_nlp.pipeline import (
    MinedFinding,
    build_pipeline,
    findings_json,
    mine_many,
    mine_text_line,
    report_evidence,
    report_verdict,
)

ICH = "intracranial_hemorrhage"


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline()


def finding(trait: str, assertion: str, section: str) -> MinedFinding:
    return MinedFinding(trait, assertion, section, 0, 1, "x", "x.")


@pytest.mark.parametrize("findings, expected", [
    ([("absent", "findings"), ("present", "impression")], "present"),
    ([("absent", "findings"), ("uncertain", "impression")], "uncertain"),
    ([("historical", "findings"), ("absent", "impression")], "absent"),
    ([("historical", "findings")], "historical"),
    ([("present", "indication"), ("present", "comparison")], "not_mentioned"),
    ([("present", "body")], "present"),
    ([("uncertain", "indication"), ("absent", "findings")], "absent"),
])
def test_verdict_rule(findings, expected):
    assert report_verdict([finding(ICH, a, s) for a, s in findings]) == {ICH: expected}


def test_verdict_lists_unmentioned_traits():
    assert report_verdict([], traits=["hydrocephalus"]) == {"hydrocephalus": "not_mentioned"}


def test_evidence_keeps_the_deciding_findings(pipeline):
    text = "FINDINGS: No SAH. Small left SDH. IMPRESSION: Small left SDH."
    evidence = report_evidence(pipeline.mine(text))
    verdict, deciding = evidence[ICH]
    assert verdict == "present"
    assert [(f.section, f.text) for f in deciding] == [("findings", "SDH"), ("impression", "SDH")]
    assert evidence["subarachnoid_hemorrhage"][0] == "absent"


def test_report_verdict_end_to_end(pipeline):
    text = ("INDICATION: Fall, evaluate for bleed.\nFINDINGS: No intracranial hemorrhage. Mild atrophy. "
            "Possible small lacune.\nIMPRESSION: No acute intracranial abnormality.")
    verdict = report_verdict(pipeline.mine(text), traits=["hydrocephalus"])
    subtypes = ("epidural", "subdural", "subarachnoid", "intraventricular", "intraparenchymal")
    assert verdict == {
        ICH: "absent", "diffuse_volume_loss": "present", "lacune": "uncertain", "hydrocephalus": "not_mentioned",
        **{f"{s}_hemorrhage": "absent" for s in subtypes},  # no hemorrhage rules out every subtype
    }


def test_mine_text_line_format(pipeline):
    line = mine_text_line(pipeline, "Possible SDH.\n")
    assert json.loads(line) == {"findings": [
        {"trait": ICH, "assertion": "uncertain", "section": "body", "start": 9, "end": 12, "text": "SDH"},
        {"trait": "subdural_hemorrhage", "assertion": "uncertain", "section": "body", "start": 9, "end": 12,
         "text": "SDH"},
    ]}
    assert "\n" not in line
    assert findings_json(pipeline, "") == {"findings": []}


def test_non_text_input_is_named(pipeline):
    with pytest.raises(TypeError, match="report text must be a str, got NoneType"):
        pipeline.mine(None)


def test_mine_many_with_workers_matches_serial_and_keeps_order(pipeline):
    texts = ["No SDH.", "Possible SAH.", "", "History of stroke.", "Hydrocephalus."] * 8
    serial = [pipeline.rows(t) for t in texts]
    assert mine_many(pipeline, texts, processes=2, chunksize=3) == serial
    assert mine_many(pipeline, texts, processes=1) == serial


def _mine_in_daemon(pipeline, texts, queue) -> None:
    queue.put(mine_many(pipeline, texts, processes=2))


def test_mine_many_inside_a_daemonic_worker_runs_in_process(pipeline):
    # Celery's prefork workers are daemonic and may not start a pool of their own.
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    worker = ctx.Process(target=_mine_in_daemon, args=(pipeline, ["Possible SAH."], queue), daemon=True)
    worker.start()
    result = queue.get(timeout=20)
    worker.join(timeout=20)
    assert [r.assertion for r in result[0]] == ["uncertain", "uncertain"]


def test_mine_many_reports_a_bad_text_and_goes_on(pipeline):
    results = mine_many(pipeline, ["No SDH.", None, "Hydrocephalus."], processes=1)
    assert results[1] == "TypeError: report text must be a str, got NoneType"
    assert [r.trait for r in results[2]] == ["hydrocephalus"]


def test_rows_rebuild_findings(pipeline):
    text = "FINDINGS: Small left SDH; no IVH."
    rows = pipeline.rows(text)
    assert [MinedFinding.from_row(r, text) for r in rows] == pipeline.mine(text)
