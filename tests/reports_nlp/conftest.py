"""Fixtures for the reports_nlp app tests: report files, studies arriving in the archive, a mined run."""

import csv
import io
import itertools

import pytest

from curation.models import Patient, Study
from curation.signals import study_ingested
from reports_nlp.accession import accession_pseudonym
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally
from reports_nlp.services.report_import import report_import_file

_uids = itertools.count(1)

REPORTS = {
    "ACC-ICH": "FINDINGS: Acute subdural hematoma along the left convexity with 4 mm midline shift.\n"
               "IMPRESSION: Acute subdural hematoma.",
    "ACC-DSF": "FINDINGS: Depressed skull fracture of the right parietal bone.\nIMPRESSION: Depressed skull fracture.",
    "ACC-WMI": "FINDINGS: Mild small vessel ischemic change. No acute intracranial hemorrhage.\n"
               "IMPRESSION: Chronic small vessel ischemic change.",
    "ACC-NEG": "INDICATION: Evaluate for bleed.\nFINDINGS: No hemorrhage, mass effect, or midline shift.\n"
               "IMPRESSION: No acute intracranial abnormality.",
    "ACC-SIN": "FINDINGS: Mucosal thickening in the maxillary sinus. Possible small subarachnoid hemorrhage.\n"
               "IMPRESSION: Sinus disease. Possible SAH.",
}


def csv_bytes(rows: list[dict], columns=("accession_number", "patient_id", "report_date", "text")) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def report_rows(texts: dict[str, str] = REPORTS, date: str = "2024-03-01") -> list[dict]:
    return [{"accession_number": acc, "patient_id": f"P-{acc}", "report_date": date, "text": text}
            for acc, text in texts.items()]


def study_arrives(accession_number: str) -> Study:
    """A study enters the archive as ingest makes it: a row, then the `study_ingested` signal."""
    n = next(_uids)
    patient = Patient.objects.create(pseudonym=f"PAT{n:06d}")
    study = Study.objects.create(
        study_uid=f"2.25.{n}", patient=patient, accession_pseudonym=accession_pseudonym(accession_number),
    )
    study_ingested.send(sender=Study, study=study)
    return study


@pytest.fixture
def imported_reports(db):
    """The sample reports imported, each with its study in the archive."""
    studies = {acc: study_arrives(acc) for acc in REPORTS}
    report_import_file(data=csv_bytes(report_rows()), name="sample.csv")
    return studies


@pytest.fixture
def mined_run(imported_reports):
    run = mining_run_create(mapping_set=mapping_set_get(), chunk_size=2)
    return mining_run_process_locally(run=run)
