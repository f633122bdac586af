"""A tiny synthetic cohort on disk: layout, DICOM validity (pydicom and dcmtk), broken files, determinism."""

import csv
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from django.core.management import CommandError, call_command
from pydicom.data import get_testdata_file
from pydicom.errors import InvalidDicomError
from pydicom.uid import CTImageStorage

from synth.cohort import generate_cohort
from synth.render import INTERCEPT
from synth.study import CohortParams, synthesize_study

ARGS = dict(studies=6, seed=21, size=64, slices=12, broken_fraction=1.0, report_error_rate=0.3,
            enrich={"intracranial_hemorrhage": 0.5})
IMAGE_TYPES = {"axial": ["ORIGINAL", "PRIMARY", "AXIAL"], "localizer": ["ORIGINAL", "PRIMARY", "LOCALIZER"],
               "sagittal": ["DERIVED", "SECONDARY", "REFORMATTED"]}
DCMDUMP = shutil.which("dcmdump")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "cohort"
    manifest = generate_cohort(out, **ARGS)
    truth = [json.loads(line) for line in (out / "ground_truth.jsonl").read_text().splitlines()]
    return out, manifest, truth


def _broken(truth):
    return {b["path"]: b for r in truth for b in r["broken_files"]}


def _valid_files(out, truth):
    broken = _broken(truth)
    return [p for p in sorted((out / "dicom").rglob("*.dcm")) if p.relative_to(out).as_posix() not in broken]


def test_layout_and_report_tables(cohort):
    out, manifest, truth = cohort
    assert len(truth) == ARGS["studies"] == manifest["counts"]["studies"]
    with (out / "reports.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["accession_number", "patient_id", "report_date", "text"]
    jsonl = [json.loads(line) for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == jsonl
    assert [r["accession_number"] for r in rows] == [t["accession_number"] for t in truth]
    assert all("FINDINGS" in r["text"].upper() and "IMPRESSION" in r["text"].upper() for r in rows)
    for record in truth:
        folder = out / "dicom" / record["study_folder"]
        assert {s["folder"] for s in record["series"]} <= {p.name for p in folder.iterdir()}
        for t in record["traits"]:
            assert t["visible"] and 0 <= t["slices"][0] <= t["slices"][1] < ARGS["slices"]


def test_every_valid_file_reads_with_pydicom_as_ct(cohort):
    out, _, truth = cohort
    by_study = {t["study_folder"]: t for t in truth}
    for path in _valid_files(out, truth):
        ds = pydicom.dcmread(path)
        record = by_study[path.parts[-3]]
        kind = next(s["kind"] for s in record["series"] if s["folder"] == path.parent.name)
        assert ds.SOPClassUID == CTImageStorage and ds.Modality == "CT"
        assert list(ds.ImageType) == IMAGE_TYPES[kind]
        assert ds.StudyInstanceUID == record["study_instance_uid"]
        assert ds.AccessionNumber == record["accession_number"] and ds.PatientID == record["patient_id"]
        pixels = ds.pixel_array
        assert pixels.dtype == np.int16 and pixels.shape == (ds.Rows, ds.Columns)
        assert float(ds.RescaleIntercept) == INTERCEPT and float(ds.RescaleSlope) == 1


def test_axial_series_geometry_runs_inferior_to_superior(cohort):
    out, _, truth = cohort
    folder = out / "dicom" / truth[0]["study_folder"] / "SE002_axial"
    files = [pydicom.dcmread(p) for p in sorted(folder.glob("IM000*.dcm")) + sorted(folder.glob("IM001*.dcm"))]
    files.sort(key=lambda d: int(d.InstanceNumber))
    z = [float(d.ImagePositionPatient[2]) for d in files]
    assert len(z) == ARGS["slices"] and np.all(np.diff(z) > 0)
    assert np.allclose(np.diff(z), float(files[0].SpacingBetweenSlices))  # the thickness is the site's
    assert [float(v) for v in files[0].ImageOrientationPatient] == [1, 0, 0, 0, 1, 0]


def test_pixels_on_disk_are_the_rendered_volume(cohort):
    out, _, truth = cohort
    params = CohortParams(seed=ARGS["seed"], size=ARGS["size"], slices=ARGS["slices"], enrich=ARGS["enrich"])
    study = synthesize_study(params, 1)
    folder = out / "dicom" / truth[1]["study_folder"] / "SE002_axial"
    for k in range(ARGS["slices"]):
        assert np.array_equal(pydicom.dcmread(folder / f"IM{k + 1:04d}.dcm").pixel_array, study.volume.stored[k])


def test_phi_sits_in_headers_and_sequences(cohort):
    out, _, truth = cohort
    ds = pydicom.dcmread(_valid_files(out, truth)[0])
    assert str(ds.PatientName) and ds.PatientBirthDate and ds.ReferringPhysicianName
    assert ds.OtherPatientIDsSequence[0].PatientID.startswith("MRN-")
    assert ds.RequestAttributesSequence[0].AccessionNumber == ds.AccessionNumber
    assert ds.get_private_item(0x0011, 0x01, "RADCURATE SYNTH").value


def test_files_carry_what_a_real_scanner_ct_carries(cohort):
    out, _, truth = cohort
    real = pydicom.dcmread(get_testdata_file("693_UNCR.dcm"))
    ours = pydicom.dcmread(out / "dicom" / truth[0]["study_folder"] / "SE002_axial" / "IM0006.dcm")
    required = ["SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID",
                "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "SliceThickness", "KVP",
                "RescaleIntercept", "RescaleSlope", "RescaleType", "BitsAllocated", "BitsStored", "HighBit",
                "PixelRepresentation", "PhotometricInterpretation", "SamplesPerPixel", "ConvolutionKernel",
                "StudyDate", "StudyTime", "AccessionNumber", "PatientID", "PatientName", "PatientBirthDate",
                "PatientSex", "ReferringPhysicianName", "ReconstructionDiameter", "SpacingBetweenSlices"]
    assert [k for k in required if k in real and k not in ours] == []

    def brain_median(ds):
        hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        return float(np.median(hu[(hu > 0) & (hu < 100)]))

    assert abs(brain_median(ours) - brain_median(real)) < 12


def test_dcmtk_reads_valid_files_and_rejects_broken_ones(cohort):
    assert DCMDUMP, "dcmtk's dcmdump is required (apt-get install dcmtk; .ci/run installs it)"
    out, _, truth = cohort
    for path in _valid_files(out, truth)[::5]:
        run = subprocess.run([DCMDUMP, "-q", str(path)], capture_output=True, text=True)
        assert run.returncode == 0 and "PatientName" in run.stdout, run.stderr
    for rel, b in _broken(truth).items():
        run = subprocess.run([DCMDUMP, "-q", str(out / rel)], capture_output=True, text=True)
        if b["kind"] == "missing_required_tag":
            assert run.returncode == 0 and b["tag"] not in run.stdout
        else:
            assert run.returncode != 0


def test_broken_files_really_are_broken(cohort):
    out, _, truth = cohort
    broken = _broken(truth)
    assert {b["kind"] for b in broken.values()} == {"truncated_pixel_data", "missing_required_tag", "not_dicom"}
    for rel, b in broken.items():
        path = out / rel
        if b["kind"] == "not_dicom":
            with pytest.raises(InvalidDicomError):
                pydicom.dcmread(path)
        elif b["kind"] == "truncated_pixel_data":
            ds = pydicom.dcmread(path)
            assert len(ds.PixelData) < ds.Rows * ds.Columns * 2
        else:
            assert b["tag"] not in pydicom.dcmread(path)


def test_manifest_checksums_and_counts(cohort):
    out, manifest, truth = cohort
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == files
    for rel, digest in list(manifest["files"].items())[::7]:
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    for code, n in manifest["counts"]["traits"].items():
        assert n == sum(any(t["code"] == code for t in r["traits"]) for r in truth)
    assert manifest["seed"] == ARGS["seed"] and manifest["parameters"]["size"] == ARGS["size"]


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(cohort, tmp_path):
    _, manifest, _ = cohort
    again = generate_cohort(tmp_path / "again", **ARGS)
    assert again["files"] == manifest["files"]
    other = generate_cohort(tmp_path / "other", **{**ARGS, "seed": ARGS["seed"] + 1, "studies": 2})
    assert other["files"]["dicom/ST00000/SE002_axial/IM0006.dcm"] != manifest["files"]["dicom/ST00000/SE002_axial/IM0006.dcm"]


def test_studies_do_not_depend_on_generation_order_or_workers(cohort, tmp_path):
    _, manifest, _ = cohort
    parallel = generate_cohort(tmp_path / "parallel", **{**ARGS, "studies": 3}, workers=2)
    for rel, digest in parallel["files"].items():
        if rel.startswith("dicom/"):
            assert manifest["files"][rel] == digest


def test_refuses_to_mix_with_an_existing_cohort(cohort):
    out, _, _ = cohort
    with pytest.raises(FileExistsError, match="already holds a cohort"):
        generate_cohort(out, **ARGS)


def test_command_writes_cohort_and_preview(tmp_path):
    out, png = tmp_path / "c", tmp_path / "preview.png"
    call_command("synth_cohort", "--studies", "2", "--seed", "4", "--out", str(out), "--size", "48", "--slices", "8",
                 "--enrich", "subdural_hemorrhage=1", "--preview", str(png), verbosity=0)
    truth = [json.loads(line) for line in (out / "ground_truth.jsonl").read_text().splitlines()]
    assert all(any(t["code"] == "subdural_hemorrhage" for t in r["traits"]) for r in truth)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "manifest.json").read_text())["parameters"]["enrich"] == {"subdural_hemorrhage": 1.0}


def test_command_names_a_bad_enrich_item(tmp_path):
    with pytest.raises(CommandError, match="not_a_trait"):
        call_command("synth_cohort", "--studies", "1", "--out", str(tmp_path / "x"), "--enrich", "not_a_trait=0.5",
                     verbosity=0)
    assert not Path(tmp_path / "x" / "manifest.json").exists()
