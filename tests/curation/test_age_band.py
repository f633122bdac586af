"""The age band: read at ingest from PatientAge (or the birth date against the study date) before de-identification
removes them, kept on the study and shown by the archive API; the exact age and the birth date show nowhere."""

import datetime as dt
import importlib
import json
import logging

import pydicom
import pytest

from curation.dicom.age_band import age_band, band_of_years
from curation.models import IdentityLink, Patient, Study
from curation.services.archive import ingest_paths
from synth.cohort import generate_cohort


@pytest.mark.parametrize(("patient_age", "band"), [
    ("000D", "0-17"), ("020D", "0-17"), ("011W", "0-17"), ("018M", "0-17"), ("017Y", "0-17"), ("018Y", "18-39"),
    ("039Y", "18-39"), ("040Y", "40-64"), ("064Y", "40-64"), ("065Y", "65-79"), ("079Y", "65-79"), ("080Y", "80+"),
    ("104Y", "80+"),
])
def test_band_from_patient_age(patient_age, band):
    assert age_band(patient_age=patient_age) == band


@pytest.mark.parametrize(("birth", "study", "band"), [
    ("19600315", "20250314", "40-64"),  # the day before the 65th birthday
    ("19600315", "20250315", "65-79"),
    ("20070601", "20250531", "0-17"),
    ("20070601", "20250601", "18-39"),
    ("19400101", "20250101", "80+"),
])
def test_band_from_birth_date_against_study_date(birth, study, band):
    assert age_band(birth_date=birth, study_date=study) == band


def test_patient_age_comes_first_and_nonsense_gives_no_band():
    assert age_band(patient_age="070Y", birth_date="20000101", study_date="20250101") == "65-79"
    assert age_band(patient_age="abc", birth_date="2000", study_date="20250101") == ""
    assert age_band(patient_age="200Y") == ""
    assert age_band(birth_date="20300101", study_date="20250101") == ""  # born after the study
    assert age_band() == ""


@pytest.mark.django_db
def test_ingest_keeps_the_band_never_the_age_or_birth_date(tmp_path, api_for, caplog):
    out = tmp_path / "cohort"
    generate_cohort(out, studies=8, seed=13, size=32, slices=4, broken_fraction=0.0, sagittal_images=1)
    truth = [json.loads(line) for line in (out / "ground_truth.jsonl").read_text().splitlines()]
    caplog.set_level(logging.DEBUG)
    ingest_paths([out / "dicom"], source="cli")

    study_of = {link.original_study_uid: link.study for link in IdentityLink.objects.select_related("study")}
    for record in truth:
        assert study_of[record["study_instance_uid"]].age_band == band_of_years(record["age_days"] / 365.25)
    assert len({s.age_band for s in Study.objects.all()}) >= 2  # the cohort spans bands: the test can tell them apart

    ages, births = set(), set()
    for path in (out / "dicom").rglob("*.dcm"):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        ages.add(str(ds.PatientAge))
        births |= {str(ds.PatientBirthDate), f"{ds.PatientBirthDate[:4]}-{ds.PatientBirthDate[4:6]}-{ds.PatientBirthDate[6:]}"}
    api = api_for("trainer")
    listed = api.get("/api/archive/studies/").json()
    assert sorted(s["age_band"] for s in listed["results"]) == sorted(s.age_band for s in Study.objects.all())
    bodies = [api.get("/api/archive/studies/").content.decode()]
    bodies += [api.get(f"/api/archive/studies/{s.study_uid}/").content.decode() for s in Study.objects.all()]
    bodies += [api.get(f"/dicomweb/studies/{s.study_uid}/metadata").content.decode() for s in Study.objects.all()]
    for where, text in (("API", "\n".join(bodies)), ("logs", caplog.text)):
        assert [v for v in ages | births if v in text] == [], where


@pytest.mark.django_db
def test_studies_ingested_before_the_band_get_it_from_the_linkage_table():
    from django.apps import apps

    backfill = importlib.import_module("curation.migrations.0010_study_age_band_backfill").backfill_age_bands
    patient = Patient.objects.create(pseudonym="PBACKFILL")

    def study(uid, shifted, birth_date, shift=-400, band=""):
        s = Study.objects.create(study_uid=uid, patient=patient, study_date=shifted, age_band=band)
        IdentityLink.objects.create(study=s, original_study_uid=f"1.{uid}", original_patient_id="X",
                                    original_birth_date=birth_date, date_shift_days=shift)
        return s

    # originally 2021-04-18 (the stored date is 400 days earlier): 66 years after a 1955-03-15 birth
    old = study("2.25.1", dt.date(2020, 3, 14), "19550315")
    young = study("2.25.2", dt.date(2020, 3, 14), "20100101")
    unknown = study("2.25.3", dt.date(2020, 3, 14), "")
    kept = study("2.25.4", dt.date(2020, 3, 14), "19550315", band="80+")  # a band from ingest is left alone
    backfill(apps, None)
    assert [Study.objects.get(pk=s.pk).age_band for s in (old, young, unknown, kept)] == ["65-79", "0-17", "", "80+"]
