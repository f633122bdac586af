"""The known report senders API (admins only) and the listener's check; a mined report through the real worker."""

import time

import pytest

from reports_nlp.models import Report, ReportSender
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.selectors.report_senders import sender_is_known
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally

from .conftest import study_arrives
from .feeds import PHI, message, register_synthetic_ris, send, start_listener, study_candidates

URL = "/api/reports/senders/"


@pytest.mark.django_db
def test_admin_registers_lists_changes_and_removes_a_sender(api_for):
    api = api_for("admin")
    created = api.post(URL, {"sending_application": "RIS", "sending_facility": "HOSP_A"}, format="json")
    assert created.status_code == 201, created.content
    sender = created.json()
    assert [row["id"] for row in api.get(URL).json()["results"]] == [sender["id"]]
    assert sender_is_known(sending_application="RIS", sending_facility="HOSP_A")
    again = api.post(URL, {"sending_application": "RIS", "sending_facility": "HOSP_A"}, format="json")
    assert again.status_code == 400 and "already exists" in str(again.json())
    changed = api.patch(f"{URL}{sender['id']}/", {"enabled": False}, format="json")
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert not sender_is_known(sending_application="RIS", sending_facility="HOSP_A")
    assert api.delete(f"{URL}{sender['id']}/").status_code == 204
    assert not ReportSender.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["curator", "radiologist", "trainer", None])
def test_only_admins_see_or_change_senders(api_for, role):
    api = api_for(role)
    assert api.get(URL).status_code in (401, 403)
    assert api.post(URL, {"sending_application": "RIS", "sending_facility": "X"}, format="json").status_code in (
        401, 403)
    assert not ReportSender.objects.exists()


@pytest.mark.django_db
def test_a_missing_field_is_named(api_for):
    answer = api_for("admin").post(URL, {"sending_application": "RIS"}, format="json")
    assert answer.status_code == 400 and "sending_facility" in answer.json()


@pytest.mark.django_db(transaction=True)
def test_the_listener_hands_mining_to_the_real_worker(celery_worker):
    register_synthetic_ris()
    study = study_arrives(PHI["accession_number"])
    mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get()))
    listener = start_listener()
    try:
        (reply,) = send(listener, message("M1"))
    finally:
        listener.stop()
    assert "MSA|AA|M1" in reply
    deadline = time.monotonic() + 60
    while not study_candidates(study.pk) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ("subdural_hemorrhage", "present", 1, "final") in study_candidates(study.pk), (
        celery_worker["log"].read_text()[-2000:])
    assert "reports_nlp.mine_report" in celery_worker["log"].read_text()
    assert Report.objects.get().is_current
