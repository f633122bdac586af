"""pydicom's warnings about invalid header values reach the log without the values: they are often identifiers."""

import logging
import warnings

import pytest
from pydicom.uid import generate_uid

from core.log_safe import QuotedValuesLeftOut
from curation.dicom import pydicom_log
from curation.services.archive import ingest_paths

from .conftest import axial_series, write_series

pytestmark = pytest.mark.django_db

# An original UID with a component that starts with 0: invalid for UI, so pydicom warns when ingest reads it from a
# sequence item. Original UIDs identify the patient's images at the hospital; only pseudonyms leave the linkage table.
ORIGINAL_UID = "1.2.826.0.1.3680043.0123.4711"


def test_an_invalid_uid_is_warned_about_without_its_value(tmp_path, caplog, capfd):
    slices = axial_series(study_uid=generate_uid(), n=2)
    for ds in slices:
        ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID = ORIGINAL_UID
    paths = write_series(tmp_path / "series", slices)
    caplog.clear()
    capfd.readouterr()
    # pytest puts back the warning filters the app installed at start-up; install them again inside the test's own.
    with warnings.catch_warnings(record=True) as shown, caplog.at_level(logging.WARNING):
        pydicom_log.install()
        summary = ingest_paths(paths)
    out, err = capfd.readouterr()
    logged = "\n".join([caplog.text, out, err, *(str(w.message) for w in shown)])

    assert summary.accepted == 2
    assert "Invalid value for VR UI: (value left out)" in logged  # the warning itself is kept
    assert "0123.4711" not in logged


def test_the_curation_app_installs_it():
    assert any(isinstance(f, QuotedValuesLeftOut) for f in logging.getLogger("pydicom").filters)
