"""Reports link to their study by accession pseudonym, whether the report or the images arrive first."""

import pytest

from reports_nlp.accession import accession_pseudonym
from reports_nlp.models import Report
from reports_nlp.services.report_import import report_import_file

from .conftest import REPORTS, csv_bytes, report_rows, study_arrives

pytestmark = pytest.mark.django_db


def _report(accession: str) -> Report:
    return Report.objects.get(accession_pseudonym=accession_pseudonym(accession), is_current=True)


def test_a_report_imported_after_its_study_links_at_import():
    study = study_arrives("ACC-ICH")
    report_import_file(data=csv_bytes(report_rows()), name="a.csv")
    assert _report("ACC-ICH").study == study
    assert _report("ACC-DSF").study is None


def test_a_waiting_report_links_when_its_study_is_ingested():
    report_import_file(data=csv_bytes(report_rows()), name="a.csv")
    assert _report("ACC-DSF").study is None
    study = study_arrives("ACC-DSF")
    assert _report("ACC-DSF").study == study
    assert Report.objects.filter(study__isnull=False).count() == 1


def test_a_new_revision_keeps_the_link():
    study = study_arrives("ACC-WMI")
    report_import_file(data=csv_bytes(report_rows()), name="a.csv")
    report_import_file(data=csv_bytes(report_rows({"ACC-WMI": REPORTS["ACC-WMI"] + " Addendum."})), name="b.csv")
    assert _report("ACC-WMI").revision == 2 and _report("ACC-WMI").study == study
