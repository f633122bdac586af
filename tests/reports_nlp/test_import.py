"""Report import: bad rows by line number, idempotent re-import, revisions, accession pseudonyms only."""

import json

import pytest
from django.core.management import call_command

from reports_nlp.accession import accession_pseudonym
from reports_nlp.models import Report
from reports_nlp.report_files import ReportFileError
from reports_nlp.services.report_import import report_import_file

from .conftest import REPORTS, csv_bytes, report_rows

pytestmark = pytest.mark.django_db


def test_bad_rows_are_reported_by_line_and_skipped_the_rest_import():
    good = report_rows()[:2]
    data = csv_bytes([
        good[0],
        {"accession_number": "", "report_date": "2024-01-02", "text": "No hemorrhage."},
        {"accession_number": "ACC-EMPTY", "report_date": "2024-01-02", "text": "   "},
        {"accession_number": "ACC-DATE", "report_date": "2024-13-45", "text": "No hemorrhage."},
        {"accession_number": "ACC-NODATE", "report_date": "", "text": "No hemorrhage."},
        good[1],
    ])
    # A multi-line report pushes later rows down; a row with Latin-1 bytes is a bad encoding.
    data = data.replace(b"No hemorrhage.\r\n", b"No\nhemorrhage.\r\n", 1)
    data += b"ACC-LATIN1,,2024-01-03,H\xe9matome sous-dural\r\n"
    result = report_import_file(data=data, name="mixed.csv")
    assert result.created == 2
    lines = dict(result.errors)
    assert lines[4] == "no accession_number"
    assert lines[6] == "empty text"
    assert "not a date" in lines[7]
    assert lines[8] == "no report_date"
    assert "bad encoding" in lines[11]
    assert Report.objects.count() == 2


def test_jsonl_rows_with_broken_json_and_bad_encoding():
    rows = [json.dumps(r).encode() for r in report_rows()[:2]]
    data = b"\n".join([rows[0], b"{not json", b'{"accession_number": "X", "text": "caf\xe9", "report_date": "2024-01-01"}',
                       b"", rows[1]])
    result = report_import_file(data=data, name="reports.jsonl")
    assert result.created == 2
    assert [line for line, _ in result.errors] == [2, 3]
    assert "not valid JSON" in result.errors[0][1] and "bad encoding" in result.errors[1][1]


def test_a_file_without_the_required_columns_is_refused_by_name():
    with pytest.raises(ReportFileError, match="bad.csv.*accession_number"):
        report_import_file(data=b"acc,text\n1,x\n", name="bad.csv")


def test_reimport_is_idempotent_and_a_changed_report_is_a_new_revision():
    data = csv_bytes(report_rows())
    first = report_import_file(data=data, name="a.csv")
    again = report_import_file(data=data, name="a.csv")
    assert (first.created, again.created, again.unchanged) == (len(REPORTS), 0, len(REPORTS))
    changed = report_rows({"ACC-ICH": REPORTS["ACC-ICH"] + "\nADDENDUM: Small subarachnoid hemorrhage too."})
    result = report_import_file(data=csv_bytes(changed), name="b.csv")
    assert (result.created, result.revised) == (0, 1)
    revisions = Report.objects.filter(accession_pseudonym=accession_pseudonym("ACC-ICH")).order_by("revision")
    assert [(r.revision, r.is_current) for r in revisions] == [(1, False), (2, True)]
    assert Report.objects.filter(is_current=True).count() == len(REPORTS)


def test_only_the_accession_pseudonym_is_stored_never_the_number():
    report_import_file(data=csv_bytes(report_rows()), name="a.csv")
    report = Report.objects.get(accession_pseudonym=accession_pseudonym("ACC-DSF"))
    stored = json.dumps(list(Report.objects.values()), default=str)
    assert "ACC-DSF" not in stored and "P-ACC-DSF" not in stored
    assert report.patient_pseudonym and report.patient_pseudonym != "P-ACC-DSF"


def test_import_reports_command_prints_counts_and_lines_without_report_text(tmp_path, capsys):
    path = tmp_path / "reports.csv"
    path.write_bytes(csv_bytes([*report_rows()[:1], {"accession_number": "ACC-X", "report_date": "bad",
                                                      "text": "Secret text of the report"}]))
    call_command("import_reports", str(path))
    out, err = capsys.readouterr()
    assert "1 new, 0 revised, 0 unchanged, 1 skipped" in out
    assert f"{path}:4: report_date is not a date" in err  # the first report spans lines 2-3
    assert "Secret text" not in out + err


def test_the_import_api_takes_a_file_or_rows_and_reports_bad_rows(api_for, tmp_path):
    api = api_for("curator")
    rows = [*report_rows()[:2], {"accession_number": "ACC-X", "report_date": "2024-01-01", "text": ""}]
    answer = api.post("/api/reports/import/", {"rows": rows}, format="json").json()
    assert (answer["created"], answer["skipped"], answer["errors"]) == (2, 1, [{"line": 3, "error": "empty text"}])
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in report_rows()))
    with path.open("rb") as fh:
        answer = api.post("/api/reports/import/", {"file": fh}, format="multipart").json()
    assert (answer["created"], answer["unchanged"]) == (len(REPORTS) - 2, 2)
    with (tmp_path / "bad.csv").open("wb") as fh:
        fh.write(b"acc,text\n1,x\n")
    with (tmp_path / "bad.csv").open("rb") as fh:
        refused = api.post("/api/reports/import/", {"file": fh}, format="multipart")
    assert refused.status_code == 400 and "accession_number" in refused.json()["detail"]
