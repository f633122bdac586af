"""`manage.py mine_text`: one JSON object per stdin line, no database writes; and its REST twin."""

import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_mine_text_prints_one_json_per_line_and_writes_nothing(monkeypatch):
    lines = ["No acute intracranial hemorrhage.\n", "\n", "FINDINGS: Large left subdural hematoma; no hydrocephalus.\n"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(lines)))
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("mine_text", "--mapping-set", "1", stdout=out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == 3
    assert {"trait": "intracranial_hemorrhage", "assertion": "absent", "section": "body", "start": 9, "end": 32,
            "text": "intracranial hemorrhage"} in results[0]["findings"]
    assert {f["assertion"] for f in results[0]["findings"]} == {"absent"}
    assert results[1] == {"findings": []}
    third = {(f["trait"], f["assertion"], f["section"]) for f in results[2]["findings"]}
    assert ("subdural_hemorrhage", "present", "findings") in third and ("hydrocephalus", "absent", "findings") in third
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_mine_text_refuses_an_unknown_mapping_set():
    with pytest.raises(CommandError, match="No mapping set v99"):
        call_command("mine_text", "--mapping-set", "99")


def test_the_mine_text_api_gives_the_same_shape(api_for):
    response = api_for("curator").post("/api/reports/mine-text/", {"texts": ["Possible small SAH."]}, format="json")
    findings = response.json()["results"][0]["findings"]
    assert {(f["trait"], f["assertion"]) for f in findings} == {
        ("intracranial_hemorrhage", "uncertain"), ("subarachnoid_hemorrhage", "uncertain")}
