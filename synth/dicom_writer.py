"""Write a synthetic study as DICOM CT Image Storage files: axial series, localizer, sagittal reformat.

Files carry what real scanners write (file meta, UIDs, geometry, rescale, int16 pixels) and
real-looking PHI, also inside sequences and a private block, so de-identification has work to do.
UIDs derive from (seed, study, series, instance); times are fixed, so output is byte-identical.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
from scipy.ndimage import zoom

from synth.geometry import FOV_MM, Geometry
from synth.patients import Visit
from synth.render import INTERCEPT

PRIVATE_CREATOR = "RADCURATE SYNTH"
CHARSET = "ISO_IR 192"
# Per-instance elements; everything else in a series is the same in every file of it.
VARYING = ("SOPInstanceUID", "InstanceNumber", "ImagePositionPatient", "SliceLocation", "PixelData")


def uid(seed: int, index: int, *parts) -> str:
    return generate_uid(entropy_srcs=["radcurate-synth", str(seed), str(index), *map(str, parts)])


@dataclass(frozen=True)
class StudyIds:
    seed: int
    index: int

    @property
    def study_uid(self) -> str:
        return uid(self.seed, self.index, "study")

    @property
    def frame_uid(self) -> str:
        return uid(self.seed, self.index, "frame")

    def series_uid(self, number: int) -> str:
        return uid(self.seed, self.index, "series", number)

    def instance_uid(self, series: int, number: int) -> str:
        return uid(self.seed, self.index, "instance", series, number)


def _da(d: dt.date) -> str:
    return f"{d:%Y%m%d}"


def _patient_module(ds: Dataset, visit: Visit) -> None:
    p = visit.patient
    ds.PatientName = p.dicom_name
    ds.PatientID = p.patient_id
    ds.IssuerOfPatientID = visit.site.code
    ds.PatientBirthDate = _da(p.birth_date)
    ds.PatientSex = p.sex
    ds.PatientAge = visit.dicom_age
    ds.PatientAddress = p.address
    ds.PatientTelephoneNumbers = p.phone
    other = Dataset()
    other.PatientID = p.other_id
    other.IssuerOfPatientID = "REGIONAL-HIE"
    other.TypeOfPatientID = "TEXT"
    ds.OtherPatientIDsSequence = Sequence([other])


def _study_module(ds: Dataset, visit: Visit, ids: StudyIds) -> None:
    d = _da(visit.study_date)
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = ds.InstanceCreationDate = d
    ds.StudyTime = ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = ds.InstanceCreationTime = visit.study_time
    ds.AccessionNumber = visit.accession_number
    ds.StudyInstanceUID = ids.study_uid
    ds.StudyID = visit.accession_number[-6:]
    ds.StudyDescription = "CT HEAD WO CONTRAST"
    ds.ReferringPhysicianName = visit.referring
    ds.RequestingPhysician = visit.referring
    ds.PerformingPhysicianName = visit.reader
    ds.OperatorsName = f"{visit.patient.family[:1]}TECH^{visit.site.code}"
    request = Dataset()
    request.RequestedProcedureID = f"RP{visit.accession_number}"
    request.ScheduledProcedureStepID = f"SPS{visit.accession_number}"
    request.RequestedProcedureDescription = "CT HEAD WITHOUT CONTRAST"
    request.AccessionNumber = visit.accession_number
    ds.RequestAttributesSequence = Sequence([request])
    ds.InstitutionName = visit.site.name
    ds.InstitutionAddress = visit.site.address
    ds.StationName = visit.site.station
    ds.Manufacturer = visit.site.manufacturer
    ds.ManufacturerModelName = visit.site.model
    ds.SoftwareVersions = "synth-1"
    block = ds.private_block(0x0011, PRIVATE_CREATOR, create=True)
    block.add_new(0x01, "LO", f"{visit.patient.given} {visit.patient.family}")  # PHI in a private tag, as vendors do
    block.add_new(0x02, "LO", visit.patient.patient_id)


def _image_module(ds: Dataset, site_kvp: int, kernel: str) -> None:
    ds.Modality = "CT"
    ds.SOPClassUID = CTImageStorage
    ds.BodyPartExamined = "HEAD"
    ds.PatientPosition = "HFS"
    ds.KVP = site_kvp
    ds.ConvolutionKernel = kernel
    ds.GantryDetectorTilt = 0
    ds.ReconstructionDiameter = f"{FOV_MM:g}"
    ds.DataCollectionDiameter = "500"
    ds.XRayTubeCurrent = 250
    ds.ExposureTime = 1000
    ds.RotationDirection = "CW"
    ds.TableHeight = "160"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.RescaleIntercept = INTERCEPT
    ds.RescaleSlope = 1
    ds.RescaleType = "HU"
    ds.PositionReferenceIndicator = ""
    ds.SpecificCharacterSet = CHARSET


class SeriesWriter:
    """Writes the instances of one series from a shared template (cheap: no per-file deep copies)."""

    def __init__(self, visit: Visit, ids: StudyIds, number: int, description: str, image_type: list[str]):
        self.ids, self.number = ids, number
        ds = Dataset()
        _image_module(ds, visit.site.kvp, visit.site.kernel)
        _patient_module(ds, visit)
        _study_module(ds, visit, ids)
        ds.ImageType = image_type
        ds.SeriesInstanceUID = ids.series_uid(number)
        ds.FrameOfReferenceUID = ids.frame_uid
        ds.SeriesNumber = number
        ds.AcquisitionNumber = 1
        ds.SeriesDescription = description
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        self.ds = ds

    def instance(self, number: int, pixels: np.ndarray, position, orientation, spacing, thickness,
                 window=(40, 80), slice_location=None) -> Dataset:
        ds = self.ds
        sop = self.ids.instance_uid(self.number, number)
        ds.SOPInstanceUID = sop
        ds.file_meta.MediaStorageSOPInstanceUID = sop
        ds.InstanceNumber = number
        ds.ImagePositionPatient = [f"{v:.3f}" for v in position]
        ds.ImageOrientationPatient = [f"{v:g}" for v in orientation]
        ds.PixelSpacing = [f"{v:.6g}" for v in spacing]
        ds.SliceThickness = f"{thickness:.6g}"
        if slice_location is not None:
            ds.SliceLocation = f"{slice_location:.3f}"
        ds.WindowCenter, ds.WindowWidth = str(window[0]), str(window[1])
        ds.Rows, ds.Columns = pixels.shape
        ds.add_new(0x7FE00010, "OW", np.ascontiguousarray(pixels, dtype="<i2").tobytes())  # explicit VR: no guessing
        return ds

    def write(self, path: Path, ds: Dataset) -> Path:
        path.write_bytes(self._encode(ds))
        return path

    def _encode(self, ds: Dataset) -> bytes:
        """Encode with pydicom, but the series' constant elements only once.

        dcmwrite re-encodes ~100 identical elements per file; a series shares them, so they are
        encoded once into byte runs and each file only encodes its own varying elements.
        """
        varying = {ds.data_element(k).tag for k in VARYING if k in ds}
        if getattr(self, "_layout", None) is None or self._layout[0] != varying:
            self._layout = (varying, self._constant_runs(ds, varying))
        body = [item if isinstance(item, bytes) else _encode_elements(ds, item) for item in self._layout[1]]
        meta = DicomBytesIO()
        write_file_meta_info(meta, ds.file_meta, enforce_standard=True)
        return b"\0" * 128 + b"DICM" + meta.getvalue() + b"".join(body)

    @staticmethod
    def _constant_runs(ds: Dataset, varying: set) -> list:
        """Alternating runs: encoded bytes for constant tags, tag lists for the varying ones."""
        layout: list = []
        for tag in sorted(ds.keys()):
            kind = list if tag in varying else tuple
            if layout and isinstance(layout[-1], kind):
                layout[-1] = layout[-1] + kind([tag])
            else:
                layout.append(kind([tag]))
        return [_encode_elements(ds, run) if isinstance(run, tuple) else run for run in layout]


def _encode_elements(ds: Dataset, tags) -> bytes:
    sub = Dataset()
    for tag in tags:
        sub.add(ds[tag])
    fp = DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, False
    write_dataset(fp, sub, parent_encoding=CHARSET)
    return fp.getvalue()


@dataclass(frozen=True)
class SeriesFiles:
    folder: str
    kind: str  # axial, localizer, sagittal
    files: list[Path]


def _table_z(ids: StudyIds) -> float:
    """Scanner table position of the field origin: studies differ, as on real scanners."""
    return float(-40.0 - (int(uid(ids.seed, ids.index, "table").rsplit(".", 1)[-1][-4:]) % 800) / 10.0)


def write_axial(root: Path, stored: np.ndarray, geom: Geometry, visit: Visit, ids: StudyIds) -> SeriesFiles:
    folder = root / "SE002_axial"
    folder.mkdir(parents=True, exist_ok=True)
    # Slices are reconstructed at the site's thickness and spaced by the cohort's geometry (gapped when thinner)
    thickness = visit.site.slice_mm
    w = SeriesWriter(visit, ids, 2, f"AXIAL {thickness:g}MM BRAIN", ["ORIGINAL", "PRIMARY", "AXIAL"])
    w.ds.SpacingBetweenSlices = f"{geom.slice_mm:.6g}"
    xy0, z0 = float(geom.xy_mm()[0]), _table_z(ids)
    files = []
    for k, z in enumerate(geom.z_mm()):
        ds = w.instance(k + 1, stored[k], (xy0, xy0, z0 + z), (1, 0, 0, 0, 1, 0), (geom.pixel_mm, geom.pixel_mm),
                        thickness, slice_location=z0 + z)
        files.append(w.write(folder / f"IM{k + 1:04d}.dcm", ds))
    return SeriesFiles(folder.name, "axial", files)


def write_localizer(root: Path, stored: np.ndarray, geom: Geometry, visit: Visit, ids: StudyIds) -> SeriesFiles:
    """A lateral scout: the volume's attenuation summed across the head, superior at the top."""
    folder = root / "SE001_localizer"
    folder.mkdir(parents=True, exist_ok=True)
    mu = np.clip(stored.astype(np.float32) + INTERCEPT + 1000.0, 0, None).mean(axis=2)  # (S, N): z by y
    img = zoom(mu[::-1], (geom.size / geom.slices, 1.0), order=1)
    img = np.clip(img * 1.5 - 1000.0, -1024, 3071) - INTERCEPT
    w = SeriesWriter(visit, ids, 1, "SCOUT LATERAL", ["ORIGINAL", "PRIMARY", "LOCALIZER"])
    row_mm = geom.slices * geom.slice_mm / img.shape[0]
    xy0, z0 = float(geom.xy_mm()[0]), _table_z(ids)
    top = z0 + float(geom.z_mm()[-1])
    ds = w.instance(1, img.astype(np.int16), (0.0, xy0, top), (0, 1, 0, 0, 0, -1), (row_mm, geom.pixel_mm), 1.0,
                    window=(300, 2000))
    return SeriesFiles(folder.name, "localizer", [w.write(folder / "IM0001.dcm", ds)])


def write_sagittal(root: Path, stored: np.ndarray, geom: Geometry, visit: Visit, ids: StudyIds,
                   count: int = 3) -> SeriesFiles:
    """Sagittal reformat images near the midline, rebuilt from the axial slices (DERIVED)."""
    folder = root / "SE003_sagittal"
    folder.mkdir(parents=True, exist_ok=True)
    w = SeriesWriter(visit, ids, 3, "SAG REFORMAT", ["DERIVED", "SECONDARY", "REFORMATTED"])
    xy, z0 = geom.xy_mm(), _table_z(ids)
    top = z0 + float(geom.z_mm()[-1])
    files = []
    cols = np.linspace(geom.size * 0.45, geom.size * 0.55, count).astype(int) if count > 1 else [geom.size // 2]
    for k, col in enumerate(cols):
        img = stored[::-1, :, col]
        ds = w.instance(k + 1, img, (float(xy[col]), float(xy[0]), top), (0, 1, 0, 0, 0, -1),
                        (geom.slice_mm, geom.pixel_mm), geom.pixel_mm)
        files.append(w.write(folder / f"IM{k + 1:04d}.dcm", ds))
    return SeriesFiles(folder.name, "sagittal", files)
