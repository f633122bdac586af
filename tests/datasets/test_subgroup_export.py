"""Subgroup metadata in an export is de-identified (site pseudonyms, scanner make and model, the scanner's slice
thickness, age bands; no institution name, address, age or birth date), and a report.json evaluated per subgroup of
that export carries no PHI."""

import json

import numpy as np
import pyarrow.parquet as pq
import pydicom
import pytest

from curation.dicom.age_band import BAND_LABELS
from curation.models import Study, Taxonomy
from datasets.locations import published_dir
from datasets.services.export import dataset_export_run
from datasets.services.versions import dataset_version_create
from synth.patients import SITES
from training.config import EvalConfig
from training.data import DatasetDir
from training.report import build_report
from training.subgroups import subgroup_columns

from .platform_cohort import phi_strings


@pytest.mark.django_db
def test_export_and_report_carry_subgroups_without_phi(cohort, tmp_path):
    version = dataset_version_create(name="heads", taxonomy=Taxonomy.objects.get(name="head-ct", version=1),
                                     campaign_ids=[cohort["campaign"].pk], image_size=(16, 16), chunk_studies=2,
                                     split_fractions=[0.34, 0.33, 0.33])
    dataset_export_run(version=version)
    root = published_dir(version)
    studies = pq.read_table(root / "studies.parquet").to_pandas()
    names = {s.name for s in SITES} | {s.address for s in SITES} | {s.code for s in SITES}
    assert studies["site"].str.len().min() > 0 and not set(studies["site"]) & names  # pseudonyms, not names
    makers = {s.manufacturer for s in SITES}
    assert all(any(v.startswith(m) for m in makers) for v in studies["scanner"])
    assert set(studies["slice_thickness_mm"]) <= {s.slice_mm for s in SITES}  # the scanner's, not the spacing
    bands = dict(Study.objects.values_list("study_uid", "age_band"))
    assert studies["age_band"].tolist() == [bands[s] for s in studies["study_id"]]
    assert set(studies["age_band"]) <= set(BAND_LABELS)  # every synthetic study has an age: never empty here
    dataset = DatasetDir(root)
    groups = subgroup_columns(dataset.studies)
    assert set(groups) == {"site", "scanner", "slice_thickness", "age_band"}
    n, codes = len(dataset.studies), list(dataset.traits.codes)
    rng = np.random.default_rng(0)
    splits = dataset.studies["split"].to_numpy(str)
    splits[splits == "train"] = "test"  # every study evaluated: the cohort is six studies
    report = build_report(codes=codes, high=dataset.traits.high, patients=dataset.studies["patient_id"].to_numpy(str),
                          splits=splits, probs=rng.random((n, len(codes))), labels=np.nan_to_num(dataset.labels),
                          cfg=EvalConfig(n_bootstrap=20, n_thresholds=5), groups=groups)
    assert {r["attribute"] for r in report["subgroups"]} == {"site", "scanner", "slice_thickness", "age_band"}
    tested = set(dataset.studies["age_band"][splits == "test"])
    assert {r["group"] for r in report["subgroups"] if r["attribute"] == "age_band"} == tested
    assert all(t["too_small"] for r in report["subgroups"] for t in r["traits"])  # six studies say nothing
    text = json.dumps(report)
    phi = phi_strings() | {s.name for s in SITES} | {s.address for s in SITES}
    assert len(phi) >= 12 and [s for s in phi if s in text] == []
    exported = _export_text(root)
    ages = _patient_ages(tmp_path / "cohort" / "dicom")
    assert ages and [s for s in phi | ages if s in exported] == []  # the exact age, in DICOM's spelling, nowhere


def _patient_ages(folder) -> set[str]:
    return {str(pydicom.dcmread(p, stop_before_pixels=True).PatientAge) for p in folder.rglob("*.dcm")}


def _export_text(root) -> str:
    """The export's text files and every value of its tables (parquet pages are compressed: read them)."""
    parts = [p.read_text() for p in root.rglob("*") if p.suffix in (".json", ".md", ".txt", ".csv")]
    parts += [pq.read_table(p).to_pandas().to_json() for p in root.glob("*.parquet")]
    return "\n".join(parts)
