"""Fixtures for the archive tests: tiny CT series written with pydicom, with PHI in every place Annex E lists.

Matrices are 16x16 so a whole study ingests in milliseconds. Every identifying value carries a marker
(PHI_MARKERS) that the PHI tests search for in stored files, database rows and DICOMweb responses.
"""

import datetime as dt
import socket
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from tests.conftest import restore_migration_data

PATIENT_ID = "PHIMRN4711"
PATIENT_NAME = "PHIDOE^JANE"
BIRTH_DATE = "19470312"
ACCESSION = "PHIACC0815"
INSTITUTION = "PHI General Hospital"
STUDY_DATE = "20210405"
# Strings that must not survive de-identification anywhere outside the linkage table.
PHI_MARKERS = ("PHIMRN", "PHIDOE", "PHIACC", "PHI General", "PHIADDR", "PHIPHYS", "PHISTATION", "PHIOPER",
               "PHICOMMENT", "PHIPRIVATE", "PHISERIAL", "PHIPROTOCOL", "PHIDESC", "PHIREQ", "PHIOTHER",
               BIRTH_DATE, STUDY_DATE)


def corpus_files() -> list[Path]:
    """Every file of pydicom's test corpus and of the pydicom-data package: odd files of every kind."""
    pydicom_root = Path(pydicom.__file__).parent / "data" / "test_files"
    data_store_root = Path(get_testdata_file("693_UNCR.dcm")).parent  # the pydicom-data package
    files = [p for p in pydicom_root.rglob("*") if p.is_file()]
    return sorted(files) + sorted(p for p in data_store_root.iterdir() if p.is_file())


def frame_uid(study_uid: str) -> str:
    return study_uid[:58] + ".9"


def _code_item(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "99PHI", meaning
    return item


def _phi(ds: Dataset, *, patient_id: str, accession: str, referenced_uid: str) -> None:
    """Identifying attributes at the top level, in sequences, in private tags and in overlays."""
    ds.PatientName = PATIENT_NAME
    ds.PatientID = patient_id
    ds.PatientBirthDate = BIRTH_DATE
    ds.PatientSex = "F"
    ds.PatientAge = "074Y"
    ds.PatientAddress = "PHIADDR 1 Main Street"
    ds.PatientTelephoneNumbers = "PHIADDR 555 0100"
    ds.OtherPatientIDs = "PHIOTHER-ID"
    ds.PatientComments = "PHICOMMENT patient is anxious"
    ds.AccessionNumber = accession
    ds.InstitutionName = INSTITUTION
    ds.InstitutionAddress = "PHIADDR Hospital Road"
    ds.ReferringPhysicianName = "PHIPHYS^REF"
    ds.PerformingPhysicianName = "PHIPHYS^PERF"
    ds.OperatorsName = "PHIOPER^TECH"
    ds.StationName = "PHISTATION01"
    ds.DeviceSerialNumber = "PHISERIAL77"
    ds.ProtocolName = "PHIPROTOCOL head"
    ds.StudyDescription = "PHIDESC CT head"
    ds.SeriesDescription = "PHIDESC axial"
    ds.ImageComments = "PHICOMMENT slice"
    ds.StudyID = "PHIREQ1"
    ds.RequestingPhysician = "PHIPHYS^REQ"
    other = Dataset()
    other.PatientID = "PHIOTHER-MRN"
    other.IssuerOfPatientID = "PHIOTHER-ISSUER"
    ds.OtherPatientIDsSequence = Sequence([other])
    request = Dataset()
    request.AccessionNumber = accession
    request.RequestedProcedureID = "PHIREQ-PROC"
    request.RequestedProcedureDescription = "PHIDESC request"
    request.ScheduledProcedureStepID = "PHIREQ-SPS"
    ds.RequestAttributesSequence = Sequence([request])
    physician = Dataset()
    physician.PersonName = "PHIPHYS^NESTED"
    ds.ReferringPhysicianIdentificationSequence = Sequence([physician])
    ds.ProcedureCodeSequence = Sequence([_code_item("CTHEAD", "CT head without contrast")])  # not PHI: kept
    ref = Dataset()
    ref.ReferencedSOPClassUID = CTImageStorage
    ref.ReferencedSOPInstanceUID = referenced_uid
    ds.ReferencedImageSequence = Sequence([ref])
    block = ds.private_block(0x0009, "PHIPRIVATE CREATOR", create=True)
    block.add_new(0x01, "LO", "PHIPRIVATE patient PHIMRN4711")
    block.add_new(0x02, "SQ", Sequence([Dataset()]))
    block[0x02].value[0].PatientName = "PHIPRIVATE^NESTED"
    ds.add_new(0x60000010, "US", 16)
    ds.add_new(0x60000011, "US", 16)
    ds.add_new(0x60000022, "LO", "PHIDESC overlay")
    ds.add_new(0x60003000, "OW", b"\x00" * 32)


def ct_slice(
    *,
    study_uid: str,
    series_uid: str,
    sop_uid: str,
    z: float,
    number: int,
    patient_id: str = PATIENT_ID,
    accession: str = ACCESSION,
    study_date: str = STUDY_DATE,
    orientation=(1, 0, 0, 0, 1, 0),
    image_type=("ORIGINAL", "PRIMARY", "AXIAL"),
    series_number: int = 2,
    size: int = 16,
    phi: bool = True,
    referenced_uid: str | None = None,
) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    ds.file_meta.SourceApplicationEntityTitle = "PHISTATION01"
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = frame_uid(study_uid)
    ds.PatientID = patient_id
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study_date
    ds.AcquisitionDateTime = study_date + "101500"
    ds.StudyTime = "101010"
    ds.Modality = "CT"
    ds.Manufacturer = "ACME"
    ds.ManufacturerModelName = "Scan9"
    ds.ImageType = list(image_type)
    ds.SeriesNumber = series_number
    ds.InstanceNumber = number
    ds.ImagePositionPatient = [-4.0, -4.0, float(z)]
    ds.ImageOrientationPatient = [float(v) for v in orientation]
    ds.PixelSpacing = [0.5, 0.5]
    ds.SliceThickness = 5
    ds.RescaleIntercept = -1024
    ds.RescaleSlope = 1
    ds.WindowCenter, ds.WindowWidth = 40, 80
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    # Each slice's pixels encode its number, so slice order is checkable from the volume.
    ds.PixelData = np.full((size, size), 1024 + 10 * number, dtype=np.uint16).tobytes()
    if phi:
        _phi(ds, patient_id=patient_id, accession=accession, referenced_uid=referenced_uid or sop_uid)
    return ds


def write_series(folder: Path, datasets: list[Dataset]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, ds in enumerate(datasets):
        path = folder / f"slice_{n:03d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def axial_series(
    *, study_uid: str, series_uid: str | None = None, n: int = 5, spacing: float = 5.0, shuffle: bool = True, **kw
) -> list[Dataset]:
    """An axial series whose instance numbers run opposite to z and whose files come shuffled."""
    series_uid = series_uid or generate_uid()
    uids = [generate_uid() for _ in range(n)]
    slices = [
        ct_slice(study_uid=study_uid, series_uid=series_uid, sop_uid=uids[i], z=i * spacing, number=n - i,
                 referenced_uid=uids[0], **kw)
        for i in range(n)
    ]
    if shuffle:
        order = np.random.default_rng(n).permutation(n)
        slices = [slices[i] for i in order]
    return slices


@pytest.fixture
def phi_study(tmp_path) -> dict:
    """One study with PHI everywhere: an axial series, a localizer, a coronal reformat, files on disk."""
    study_uid = generate_uid()
    axial = axial_series(study_uid=study_uid, n=6)
    localizer = [
        ct_slice(study_uid=study_uid, series_uid=(loc_uid := generate_uid()), sop_uid=generate_uid(), z=0, number=1,
                 orientation=(0, 1, 0, 0, 0, -1), image_type=("ORIGINAL", "PRIMARY", "LOCALIZER"), series_number=1)
    ]
    coronal_uid = generate_uid()
    reformat = [
        ct_slice(study_uid=study_uid, series_uid=coronal_uid, sop_uid=generate_uid(), z=0, number=i + 1,
                 orientation=(1, 0, 0, 0, 0, -1), image_type=("DERIVED", "SECONDARY", "REFORMATTED"), series_number=3)
        for i in range(3)
    ]
    for i, ds in enumerate(reformat):
        ds.ImagePositionPatient = [-4.0, float(i * 2), 0.0]
    folder = tmp_path / "phi_study"
    files = (write_series(folder / "axial", axial) + write_series(folder / "localizer", localizer)
             + write_series(folder / "reformat", reformat))
    return {
        "folder": folder,
        "files": files,
        "study_uid": study_uid,
        "axial_uid": axial[0].SeriesInstanceUID,
        "localizer_uid": loc_uid,
        "reformat_uid": coronal_uid,
        "original_uids": [str(ds.SOPInstanceUID) for ds in axial + localizer + reformat]
        + [study_uid, axial[0].SeriesInstanceUID, loc_uid, coronal_uid, frame_uid(study_uid)],
    }


@pytest.fixture
def ct_series_files(tmp_path):
    """factory(n=..., **ct_slice kwargs) -> (paths, study_uid, series_uid) for an axial series on disk."""

    def factory(n: int = 5, *, name: str = "series", study_uid: str | None = None, **kw):
        study_uid = study_uid or generate_uid()
        slices = axial_series(study_uid=study_uid, n=n, **kw)
        return write_series(tmp_path / name, slices), study_uid, str(slices[0].SeriesInstanceUID)

    return factory


@pytest.fixture
def role_groups(transactional_db):
    """The migrations' data on a committed database (the shared autouse fixture already restores it)."""
    restore_migration_data()


@pytest.fixture
def worker_broker(celery_worker):
    """The real worker, with Celery's producer pool reopened on its broker.

    Celery opens its producer pool on first use, eager runs included, with the broker configured at that
    moment (the default AMQP URL when none is set); tasks sent later would go there, not to the worker.
    """
    from radcurate.celery import app

    app._after_fork()  # Celery's own reset of the connection and producer pools
    return celery_worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shifted(date_text: str, days: int) -> dt.date:
    return dt.datetime.strptime(date_text, "%Y%m%d").date() + dt.timedelta(days=days)
