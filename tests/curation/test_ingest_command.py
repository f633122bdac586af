"""`manage.py ingest_dicom PATH` as users run it: with the progress bar on (the default), on a folder of real files."""

import io

import pytest
from django.core.management import call_command

from curation.models import Instance, Study

from .conftest import axial_series, write_series

pytestmark = pytest.mark.django_db


def test_ingest_dicom_with_its_progress_bar_ingests_a_folder(tmp_path):
    write_series(tmp_path / "study" / "axial", axial_series(study_uid="1.2.826.0.1.3680043.8.498.77", n=5))
    (tmp_path / "study" / "notes.txt").write_text("not DICOM")
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_dicom", str(tmp_path / "study"), stdout=out, stderr=err)
    assert "Ingest finished" in out.getvalue()
    assert "6/6" in err.getvalue()  # the bar reached the end: five slices and the rejected text file
    assert Instance.objects.count() == 5 and Study.objects.count() == 1


def test_ingest_dicom_without_progress(tmp_path):
    write_series(tmp_path / "axial", axial_series(study_uid="1.2.826.0.1.3680043.8.498.78", n=3))
    err = io.StringIO()
    call_command("ingest_dicom", str(tmp_path), "--no-progress", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == "" and Instance.objects.count() == 3
