"""What a reader may see of a report: a campaign with `show_mined_verdicts` shows the mined verdicts (trait,
assertion, section) on the reading page and in its API, and never a word of the report text."""

import re

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from annotation.services.worklist import worklist_next
from reports_nlp.accession import accession_pseudonym
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally
from reports_nlp.services.report_import import report_import_file
from tests.annotation.conftest import make_campaign, make_studies
from tests.conftest import PASSWORD

TEXT = ("Findings: Acute subdural hematoma along the left convexity with 4 mm midline shift. "
        "Impression: Zebrafinch contusion pattern, recommend follow-up.")
# Words of the report that no trait code, assertion or section name contains.
REPORT_WORDS = ("hematoma", "convexity", "Zebrafinch", "contusion", "4 mm", "follow-up", "ACC-77", "PAT-77")


def _mined_study():
    study = make_studies(1)[0]
    study.accession_pseudonym = accession_pseudonym("ACC-77")
    study.save(update_fields=["accession_pseudonym"])
    report_import_file(data=f'accession_number,patient_id,report_date,text\nACC-77,PAT-77,2024-01-02,"{TEXT}"\n'
                       .encode(), name="reports.csv")
    mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get()))
    return study


def _open_reading(taxonomy, readers, **fields):
    reader = readers(2)
    campaign = make_campaign(taxonomy, studies=[_mined_study()], readers=reader, **fields)
    assignment = worklist_next(reader=reader[0], campaign=campaign)
    web = Client()
    assert web.login(username=reader[0].username, password=PASSWORD)
    api = APIClient()
    api.force_authenticate(reader[0])
    page = web.get(reverse("reading-read", args=[assignment.pk])).content.decode()
    answer = api.get(reverse("annotation:assignment-detail", args=[assignment.pk]))
    assert answer.status_code == 200, answer.content
    return page, answer


def _assert_no_report_text(*texts: str) -> None:
    for text in texts:
        for word in REPORT_WORDS:
            assert word.lower() not in text.lower(), f"report text {word!r} reached the reader"


def test_the_reader_sees_the_mined_verdicts_and_no_report_text(taxonomy, readers):
    page, answer = _open_reading(taxonomy, readers, show_mined_verdicts=True)
    verdicts = answer.data["mined_verdicts"]
    assert {"trait": "midline_shift", "assertion": "present", "section": "findings"} in verdicts
    assert all(set(v) == {"trait", "assertion", "section"} for v in verdicts)
    assert re.search(r'data-verdict="intracranial_hemorrhage"|data-verdict="midline_shift"', page)
    _assert_no_report_text(page, answer.content.decode())


def test_a_blinded_campaign_shows_no_verdicts(taxonomy, readers):
    page, answer = _open_reading(taxonomy, readers)
    assert answer.data["mined_verdicts"] is None and answer.data["blinding"]["show_mined_verdicts"] is False
    assert "mined-verdicts" not in page
    _assert_no_report_text(page, answer.content.decode())
