"""FHIR R4 DiagnosticReports: POSTed (single and in a Bundle) and from files, with revisions and malformed input."""

import json

import pytest
from django.core.management import CommandError, call_command

from reports_nlp.models import QuarantinedMessage, Report
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally
from synth import hl7_feed

from .conftest import study_arrives
from .feeds import DATE, NO_SDH_TEXT, PHI, SDH_TEXT, study_candidates

SDH = "subdural_hemorrhage"
URL = "/api/reports/fhir/"


def resource(resource_id: str, text: str = SDH_TEXT, status: str = "final", **fields) -> dict:
    values = {"accession_number": PHI["accession_number"], "patient_id": PHI["patient_id"], **fields}
    return hl7_feed.diagnostic_report(report_date=DATE, text=text, status=status, resource_id=resource_id, **values)


@pytest.fixture
def post(api_for, django_capture_on_commit_callbacks):
    """POST as a role, running what the import queued for after its commit (the mining of the new revision)."""

    def send(body, role="curator", content_type=None):
        with django_capture_on_commit_callbacks(execute=True):
            if content_type:  # the body as sent, under a media type of its own
                return api_for(role).generic("POST", URL, json.dumps(body), content_type=content_type)
            return api_for(role).post(URL, body, format="json")

    return send


@pytest.fixture
def study(db):
    study = study_arrives(PHI["accession_number"])
    mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get()))
    return study


def test_a_posted_diagnostic_report_reaches_its_study_candidates(post, study):
    answer = post(resource("dr-1"))
    assert answer.status_code == 200, answer.content
    assert answer.json()["results"][0] | {"report_id": None} == {
        "control_id": "dr-1", "ack_code": "AA", "kind": "created", "report_id": None, "detail": ""}
    assert (SDH, "present", 1, "final") in study_candidates(study.pk)


def test_fhir_json_media_type_and_a_bundle_with_a_correction(post, study):
    body = hl7_feed.bundle([resource("dr-1", status="preliminary"), resource("dr-2"),
                            resource("dr-3", text=NO_SDH_TEXT, status="corrected", in_conclusion=True)])
    answer = post(body, content_type="application/fhir+json")
    assert answer.status_code == 200, answer.content
    assert [r["kind"] for r in answer.json()["results"]] == ["created", "revised", "revised"]
    assert study_candidates(study.pk) == []
    current = Report.objects.get(is_current=True)
    assert (current.revision, current.result_status, current.text) == (3, "corrected", NO_SDH_TEXT)


def test_an_addendum_is_appended_to_the_current_report(post, study):
    post(resource("dr-1", text=NO_SDH_TEXT))
    assert study_candidates(study.pk) == []
    post(resource("dr-2", text="Small acute subdural hematoma on review.",
                                          status="addendum"))
    current = Report.objects.get(is_current=True)
    assert current.result_status == "addendum"
    assert current.text.startswith(NO_SDH_TEXT) and "ADDENDUM:" in current.text
    assert (SDH, "present", 2, "addendum") in study_candidates(study.pk)


def test_a_duplicate_resource_is_imported_once(post, study):
    for _ in range(2):
        answer = post(resource("dr-1"))
    assert answer.json()["results"][0]["kind"] == "duplicate"
    assert Report.objects.count() == 1


@pytest.mark.parametrize(("body", "kind", "where"), [
    ({"resourceType": "Patient", "id": "x"}, "not-diagnostic-report", "resourceType"),
    ({**resource("dr-1"), "effectiveDateTime": "not a date"}, "invalid-fhir", "effectiveDateTime"),
    ({k: v for k, v in resource("dr-1").items() if k != "code"}, "invalid-fhir", "code"),
    ({**resource("dr-1"), "identifier": []}, "no-accession", "identifier"),
    ({**resource("dr-1"), "status": "unknown"}, "bad-status", "status"),
    ([1, 2], "invalid-fhir", "JSON object"),
])
def test_a_malformed_resource_says_what_and_where_and_is_quarantined(post, study, body, kind, where):
    answer = post(body)
    assert answer.status_code == 400
    (result,) = answer.json()["results"]
    assert result["kind"] == kind and where in result["detail"]
    assert PHI["patient_id"] not in answer.content.decode()
    assert QuarantinedMessage.objects.get().error_kind == kind
    assert not Report.objects.exists()


def test_one_bad_entry_of_a_bundle_leaves_the_others_imported(post, study):
    body = hl7_feed.bundle([resource("dr-1"), {**resource("dr-2"), "status": "unknown"}])
    answer = post(body)
    assert answer.status_code == 200
    assert [r["ack_code"] for r in answer.json()["results"]] == ["AA", "AE"]
    assert Report.objects.count() == 1 and QuarantinedMessage.objects.count() == 1


@pytest.mark.parametrize("role", ["radiologist", "trainer", None])
def test_only_curators_and_admins_post_reports(post, study, role):
    assert post(resource("dr-1"), role=role).status_code in (401, 403)
    assert not Report.objects.exists()


def test_files_import_with_the_command(study, tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(resource("dr-1", status="preliminary")))
    (tmp_path / "bundle.json").write_text(json.dumps(hl7_feed.bundle([resource("dr-2")])))
    call_command("import_fhir_reports", str(tmp_path / "one.json"), str(tmp_path / "bundle.json"))
    assert list(Report.objects.order_by("revision").values_list("result_status", "is_current")) == [
        ("preliminary", False), ("final", True)]
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(CommandError, match="1 resource"):
        call_command("import_fhir_reports", str(tmp_path / "bad.json"))
