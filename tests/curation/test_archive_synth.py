"""The archive on the synthetic cohort: axial selection, slice order, and its broken files rejected by rule."""

import json

import pytest
from django.conf import settings

from curation.dicom.deidentify import map_uid
from curation.models import Rejection, Series, Study
from curation.selectors.archive import series_volume_hu, study_primary_axial
from curation.services.archive import ingest_paths
from synth.cohort import generate_cohort

pytestmark = pytest.mark.django_db

# What each kind of broken file the generator writes must be rejected as.
EXPECTED_RULES = {"truncated_pixel_data": {"pixel_length", "unreadable"}, "missing_required_tag": {"missing_tag"},
                  "not_dicom": {"not_dicom"}}
KINDS = {"localizer": "localizer", "axial": "axial", "sagittal": "reformat"}


@pytest.fixture
def cohort(tmp_path):
    out = tmp_path / "cohort"
    generate_cohort(out, studies=4, seed=5, size=32, slices=6, broken_fraction=1.0)
    truth = [json.loads(line) for line in (out / "ground_truth.jsonl").read_text().splitlines()]
    return out, truth


def test_cohort_is_classified_like_its_ground_truth(cohort):
    out, truth = cohort
    summary = ingest_paths([out / "dicom"], source="demo")
    n_valid = sum(s["instances"] for r in truth for s in r["series"])
    n_broken = sum(len(r["broken_files"]) for r in truth)
    assert (summary.accepted, summary.n_rejected) == (n_valid, n_broken)
    key = settings.RADCURATE_DEID_KEY
    for record in truth:
        study = Study.objects.get(study_uid=map_uid(record["study_instance_uid"], key=key))
        for series_truth in record["series"]:
            series = Series.objects.get(series_uid=map_uid(series_truth["series_instance_uid"], key=key))
            assert series.kind == KINDS[series_truth["kind"]], series_truth
            assert series.n_instances == series_truth["instances"]
        primary = study_primary_axial(study)
        assert primary.kind == "axial" and primary.qc_flags == {}
        z = [p[2] for p in primary.instances.order_by("slice_index").values_list("position", flat=True)]
        assert record["slice_order"] == "inferior_to_superior" and z == sorted(z) and len(set(z)) == len(z)
        assert series_volume_hu(primary).shape == (primary.n_instances, 32, 32)
        for broken in record["broken_files"]:
            rejection = Rejection.objects.get(name=str(out / broken["path"]))
            assert rejection.rule in EXPECTED_RULES[broken["kind"]], (broken, rejection.reason)
            if broken["tag"]:
                assert rejection.tag == broken["tag"] and broken["tag"] in rejection.reason
