"""Report text is PHI: only curators and admins read it through any API; other roles are refused."""

import pytest

from reports_nlp.models import Report

pytestmark = pytest.mark.django_db

SECRET = "Depressed skull fracture"


def _phi_urls(run, report) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", "/api/reports/", None),
        ("get", f"/api/reports/{report.pk}/", None),
        ("get", f"/api/reports/mining-runs/{run.pk}/reports/{report.pk}/findings/", None),
        ("get", f"/api/reports/candidates/?run={run.pk}", None),
        ("get", "/api/reports/candidates/studies/", None),
        ("post", "/api/reports/mapping-sets/1/preview/", {"trait": "fracture", "phrase": "skull fracture"}),
        ("post", "/api/reports/mine-text/", {"texts": ["No hemorrhage."]}),
        ("post", "/api/reports/import/", {"rows": []}),
    ]


def _report():
    return Report.objects.get(text__contains=SECRET)


@pytest.mark.parametrize("role", ["radiologist", "trainer", None])
def test_other_roles_never_read_report_text(api_for, mined_run, role):
    for method, url, body in _phi_urls(mined_run, _report()):
        response = getattr(api_for(role), method)(url, body, format="json")
        assert response.status_code in (401, 403), (role, url, response.status_code)
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_curators_and_admins_read_report_text_findings_and_evidence(api_for, mined_run, role):
    api = api_for(role)
    report = _report()
    detail = api.get(f"/api/reports/{report.pk}/").json()
    assert SECRET in detail["text"] and detail["revisions"][0]["revision"] == 1
    findings = api.get(f"/api/reports/mining-runs/{mined_run.pk}/reports/{report.pk}/findings/").json()
    assert any(v["trait"] == "depressed_skull_fracture" and v["verdict"] == "present" for v in findings["verdicts"])
    candidates = api.get(f"/api/reports/candidates/?run={mined_run.pk}&trait=depressed_skull_fracture").json()
    evidence = candidates["results"][0]["evidence"]
    assert evidence["match"].lower() == "depressed skull fracture"


def test_report_text_never_reaches_the_logs(api_for, caplog, tmp_path):
    from .conftest import csv_bytes, report_rows

    caplog.set_level("DEBUG")
    upload = tmp_path / "reports.csv"
    upload.write_bytes(csv_bytes(report_rows()))
    with upload.open("rb") as fh:
        assert api_for("curator").post("/api/reports/import/", {"file": fh}, format="multipart").status_code == 200
    assert SECRET not in caplog.text and "ACC-DSF" not in caplog.text


def test_mapping_sets_are_readable_by_every_role_but_only_curators_change_them(api_for):
    assert api_for("radiologist").get("/api/reports/mapping-sets/1/").status_code == 200
    assert api_for("trainer").post("/api/reports/mapping-sets/1/clone/", {}, format="json").status_code == 403
