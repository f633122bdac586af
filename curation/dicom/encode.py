"""Writing a de-identified instance back: the received bytes of every untouched element, re-encoded changed ones.

De-identification changes a few dozen of a header's elements and never the pixel data; re-encoding the whole
data set with pydicom costs more than everything else in the pipeline together. So each top-level element's
byte span in the received stream is noted right after parsing, and the output is the new file meta followed,
in tag order, by the received bytes of unchanged elements and pydicom's encoding of changed ones. Streams we
cannot patch safely (deflated, no file meta, a changed encoding) are written with pydicom's dcmwrite.
"""

from io import BytesIO

from pydicom import dcmwrite
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element, write_file_meta_info
from pydicom.uid import UID

_LONG_HEADER_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
Spans = dict[int, tuple[int, int]]


def _tag_bytes(tag: int, little: bool) -> bytes:
    order = "little" if little else "big"
    return (tag >> 16).to_bytes(2, order) + (tag & 0xFFFF).to_bytes(2, order)


def element_spans(ds: Dataset, raw: bytes) -> Spans | None:
    """[start, end) of each top-level element in the received stream; None when patching is not safe.

    Runs right after parsing: raw elements carry their value offset, and the few pydicom converts while
    reading (the character set, undefined-length sequences) keep it as `file_tell`. An element ends where
    the next one starts; every start is checked against the tag bytes found there.
    """
    implicit, little = ds.original_encoding
    if implicit is None:
        return None
    starts = []
    for tag in sorted(ds.keys()):
        elem = ds.get_item(tag)
        value_tell = elem.value_tell if isinstance(elem, RawDataElement) else getattr(elem, "file_tell", None)
        if value_tell is None:
            return None
        header = 8 if implicit or elem.VR not in _LONG_HEADER_VRS else 12
        start = value_tell - header
        if start < 0 or raw[start : start + 4] != _tag_bytes(int(tag), little):
            return None
        starts.append((int(tag), start))
    if not starts:
        return {}
    ends = [start for _tag, start in starts[1:]] + [len(raw)]
    return {tag: (start, end) for (tag, start), end in zip(starts, ends, strict=True)}


def _encoded(ds: Dataset, tag: int, implicit: bool, little: bool) -> bytes:
    fp = DicomBytesIO()
    fp.is_implicit_VR, fp.is_little_endian = implicit, little
    write_data_element(fp, ds.get_item(tag), ds.get("SpecificCharacterSet", "ISO_IR 6"))
    return fp.getvalue()


def _meta(ds: Dataset) -> bytes:
    fp = DicomBytesIO()
    fp.is_implicit_VR, fp.is_little_endian = False, True
    fp.write(b"\x00" * 128 + b"DICM")
    write_file_meta_info(fp, ds.file_meta, enforce_standard=True)
    return fp.getvalue()


def encode(ds: Dataset, raw: bytes, spans: Spans | None, changed: set[int]) -> bytes:
    """The instance as a DICOM file: patched from `raw` where possible, else written by pydicom."""
    ts = UID(ds.file_meta.TransferSyntaxUID)
    implicit, little = ds.original_encoding
    patchable = (
        spans is not None and not ts.is_deflated and implicit is not None
        and (implicit, little) == (ts.is_implicit_VR, ts.is_little_endian)
    )
    if not patchable:
        buf = BytesIO()
        dcmwrite(buf, ds, enforce_file_format=True)
        return buf.getvalue()
    parts: list = [_meta(ds)]
    received = memoryview(raw)  # slices without copying; join copies each byte once
    for tag in sorted(ds.keys()):
        span = spans.get(int(tag))
        if span is None or int(tag) in changed:
            parts.append(_encoded(ds, tag, implicit, little))
        else:
            parts.append(received[span[0] : span[1]])
    return b"".join(parts)
