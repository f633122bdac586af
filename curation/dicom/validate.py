"""Validation of one received instance: it parses, carries the tags the archive needs, and its pixels decode.

The paper's rule: "ensuring that they have valid headers and pixel data. Any data which contained corrupted
DICOM headers were excluded". Every failure raises `InstanceRejected` naming the file, the tag and the rule.
"""

from io import BytesIO

from pydicom import dcmread
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import get_decoder
from pydicom.pixels.utils import get_expected_length
from pydicom.tag import Tag
from pydicom.uid import (
    UID,
    CTImageStorage,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
    MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
    MultiFrameSingleBitSecondaryCaptureImageStorage,
    MultiFrameTrueColorSecondaryCaptureImageStorage,
    SecondaryCaptureImageStorage,
)

from . import header
from .errors import InstanceRejected

Values = Dataset | header.PlainValues
PIXEL_DATA = 0x7FE00010

# A head-CT archive: CT images, and secondary captures (scanner screenshots, dose pages) that come with them.
ACCEPTED_SOP_CLASSES = frozenset(
    {
        CTImageStorage,
        SecondaryCaptureImageStorage,
        MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
        MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
        MultiFrameSingleBitSecondaryCaptureImageStorage,
        MultiFrameTrueColorSecondaryCaptureImageStorage,
    }
)

REQUIRED_TAGS = (
    "SOPClassUID",
    "SOPInstanceUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "PatientID",
    "Rows",
    "Columns",
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "BitsAllocated",
    "BitsStored",
    "PixelRepresentation",
)
# Type 1 in the CT Image IOD: rescale (without it stored values are not Hounsfield units) and the Image Plane
# module (without it slices can be neither measured nor ordered).
REQUIRED_CT_TAGS = ("RescaleSlope", "RescaleIntercept", "PixelSpacing", "ImageOrientationPatient",
                    "ImagePositionPatient")


def tag_name(keyword: str) -> str:
    tag = Tag(keyword)
    return f"{keyword} ({tag.group:04X},{tag.element:04X})"


def parse(raw: bytes, name: str) -> Dataset:
    """Read an instance (lazily: pydicom converts element values on first access)."""
    try:
        return dcmread(BytesIO(raw))
    except InvalidDicomError:
        pass  # no preamble or meta: try again as a bare data set, as PACS exports sometimes are
    except Exception as exc:
        raise InstanceRejected("unreadable", f"{name}: not readable as DICOM ({type(exc).__name__}: {exc}).") from exc
    try:
        ds = dcmread(BytesIO(raw), force=True)
    except Exception as exc:
        raise InstanceRejected("unreadable", f"{name}: not readable as DICOM ({type(exc).__name__}: {exc}).") from exc
    if "SOPClassUID" not in ds:
        raise InstanceRejected("not_dicom", f"{name}: not a DICOM file (no preamble, no SOPClassUID).")
    return ds


def _convert_all(ds: Dataset, name: str) -> None:
    """Decode every element now (pydicom is lazy), so a corrupt header is found here and not downstream."""
    tag = None
    try:
        for elem in ds:
            tag = elem.tag
            if elem.VR == "SQ":
                for item in elem.value:
                    _convert_all(item, name)
    except InstanceRejected:
        raise
    except Exception as exc:
        where = f" at tag ({tag.group:04X},{tag.element:04X})" if tag is not None else ""
        raise InstanceRejected(
            "corrupt_header", f"{name}: corrupt header{where}: {type(exc).__name__}.", tag=str(tag or "")
        ) from exc


def _ensure_transfer_syntax(ds: Dataset) -> UID:
    """The transfer syntax from the meta header, or the encoding pydicom found when there was none."""
    if not getattr(ds, "file_meta", None):
        ds.file_meta = FileMetaDataset()
    ts = ds.file_meta.get("TransferSyntaxUID")
    if ts:
        return UID(ts)
    implicit, little = ds.original_encoding
    ts = ImplicitVRLittleEndian if implicit else (ExplicitVRLittleEndian if little else ExplicitVRBigEndian)
    ds.file_meta.TransferSyntaxUID = ts
    return ts


def _present(ds: Dataset, values: Values, keyword: str) -> bool:
    """Present with a value that is not blank; read from the raw bytes when the element is not decoded yet."""
    elem = ds.get_item(keyword)
    if isinstance(elem, RawDataElement) and elem.VR in header.TEXT_VRS and elem.value is not None:
        return bool(elem.value.strip(b" \0\t\r\n"))  # what pydicom's decoding and str.strip() leave
    value = values.get(keyword)
    return not (value is None or (isinstance(value, str) and not value.strip()))


def _check_required(ds: Dataset, values: Values, name: str) -> None:
    for keyword in REQUIRED_TAGS:
        if not _present(ds, values, keyword):
            raise InstanceRejected(
                "missing_tag", f"{name}: required attribute {tag_name(keyword)} is missing or empty.", tag=keyword
            )
    if values.get("SOPClassUID") == CTImageStorage:
        for keyword in REQUIRED_CT_TAGS:
            if not _present(ds, values, keyword):
                raise InstanceRejected(
                    "missing_tag", f"{name}: CT image without {tag_name(keyword)} (type 1 in the CT IOD).", tag=keyword
                )


def _check_sop_class(values: Values, name: str) -> None:
    sop_class = UID(str(values.get("SOPClassUID", "")))
    if sop_class not in ACCEPTED_SOP_CLASSES:
        label = sop_class.name if sop_class.is_valid else "an unknown SOP class"
        raise InstanceRejected(
            "unsupported_sop_class",
            f"{name}: {tag_name('SOPClassUID')} is {label}; the archive takes CT images and secondary captures.",
            tag="SOPClassUID",
        )


def _pixel_data_length(ds: Dataset) -> int:
    elem = ds.get_item(PIXEL_DATA)
    return len(elem.value) if isinstance(elem, RawDataElement) else len(ds.PixelData)  # raw: not copied


def _check_pixels(ds: Dataset, values: Values, ts: UID, name: str, decode_compressed: bool) -> None:
    if PIXEL_DATA not in ds._dict:
        raise InstanceRejected("missing_tag", f"{name}: no {tag_name('PixelData')}.", tag="PixelData")
    if not ts.is_compressed:
        expected = get_expected_length(values, unit="bytes")
        actual = _pixel_data_length(ds)
        if not expected <= actual <= expected + 1:
            raise InstanceRejected(
                "pixel_length",
                f"{name}: {tag_name('PixelData')} has {actual} bytes; Rows, Columns, SamplesPerPixel, "
                f"BitsAllocated and NumberOfFrames need {expected}.",
                tag="PixelData",
            )
        return
    try:
        decoder = get_decoder(ts)
    except NotImplementedError:
        decoder = None
    if decoder is None or not decoder.is_available:
        raise InstanceRejected(
            "undecodable", f"{name}: no installed decoder for transfer syntax {ts.name} ({ts}).", tag="PixelData"
        )
    if decode_compressed:
        try:
            for _frame, _meta in decoder.iter_array(ds):
                pass
        except Exception as exc:
            raise InstanceRejected(
                "undecodable", f"{name}: {tag_name('PixelData')} does not decode as {ts.name}: {exc}", tag="PixelData"
            ) from exc


def validate_dataset(ds: Dataset, *, name: str, decode_compressed: bool = True, convert_all: bool = True,
                     values: Values | None = None) -> Dataset:
    """Check a parsed instance; give it a file meta carrying its transfer syntax.

    `convert_all=False` leaves the decoding of the other elements to de-identification, which decodes what
    it keeps and catches a corrupt one there. `values` reads the elements checked here (the Dataset itself by
    default; `header.PlainValues` reads them without pydicom's conversion).
    """
    values = ds if values is None else values
    if convert_all:
        _convert_all(ds, name)
    _check_sop_class(values, name)
    _check_required(ds, values, name)
    ts = _ensure_transfer_syntax(ds)
    _check_pixels(ds, values, ts, name, decode_compressed)
    return ds


def validate(raw: bytes, *, name: str, decode_compressed: bool = True) -> Dataset:
    """Parse and check one instance; return the dataset (with a file meta carrying its transfer syntax)."""
    return validate_dataset(parse(raw, name), name=name, decode_compressed=decode_compressed)
