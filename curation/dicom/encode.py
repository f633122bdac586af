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
from pydicom.tag import Tag
from pydicom.uid import UID

from . import header

_LONG_HEADER_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
Spans = dict[int, tuple[int, int]]
PIXEL_DATA = 0x7FE00010


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
    elements = ds._dict  # the stored elements, raw or converted (what get_item answers, without its lookups)
    for tag in sorted(map(int, elements)):  # as ints: BaseTag compares in Python
        start = element_start(elements[tag], tag, raw, implicit, little)
        if start is None:
            return None
        starts.append((tag, start))
    return spans_from_starts(starts, len(raw))


def element_start(elem, tag: int, raw: bytes, implicit: bool, little: bool) -> int | None:
    """Where a top-level element starts in the received stream, found from its value offset; None when the
    offset is unknown or the tag's bytes are not there."""
    value_tell = elem.value_tell if isinstance(elem, RawDataElement) else getattr(elem, "file_tell", None)
    if value_tell is None:
        return None
    header = 8 if implicit or elem.VR not in _LONG_HEADER_VRS else 12
    start = value_tell - header
    return start if start >= 0 and raw[start : start + 4] == _tag_bytes(tag, little) else None


def spans_from_starts(starts: list[tuple[int, int]], size: int) -> Spans:
    """Spans from (tag, start) pairs in tag order: an element ends where the next one starts."""
    ends = [start for _tag, start in starts[1:]] + [size] if starts else []
    return {tag: (start, end) for (tag, start), end in zip(starts, ends, strict=True)}


def _encoded(ds: Dataset, tag: int, implicit: bool, little: bool) -> bytes:
    fp = DicomBytesIO()
    fp.is_implicit_VR, fp.is_little_endian = implicit, little
    write_data_element(fp, ds.get_item(tag), ds.get("SpecificCharacterSet", "ISO_IR 6"))
    return fp.getvalue()


_META_KEYWORDS = ("MediaStorageSOPClassUID", "MediaStorageSOPInstanceUID", "TransferSyntaxUID",
                  "ImplementationClassUID", "ImplementationVersionName")
_META_TAGS = {int(Tag(k)): "SH" if k == "ImplementationVersionName" else "UI" for k in _META_KEYWORDS}  # tag: VR


def _meta(ds: Dataset) -> bytes:
    """Preamble and file meta; written here when it holds what `deidentify` puts there (pydicom's writer
    costs as much as the rest of the encoding)."""
    meta = ds.file_meta
    if set(map(int, meta._dict)) - {0x00020000, 0x00020001} != _META_TAGS.keys():
        fp = DicomBytesIO()
        fp.is_implicit_VR, fp.is_little_endian = False, True
        fp.write(b"\x00" * 128 + b"DICM")
        write_file_meta_info(fp, meta, enforce_standard=True)
        return fp.getvalue()
    elements = [b"\x02\x00\x01\x00OB\x00\x00\x02\x00\x00\x00\x00\x01"]  # FileMetaInformationVersion
    for tag, vr in _META_TAGS.items():
        elements.append(header.encode(tag, vr, [str(meta[tag].value)], implicit=False, encoding="latin_1")[0])
    body = b"".join(elements)
    group_length = b"\x02\x00\x00\x00UL\x04\x00" + len(body).to_bytes(4, "little")
    return b"\x00" * 128 + b"DICM" + group_length + body


def encode(ds: Dataset, raw: bytes, spans: Spans | None, changed: set[int],
           parts: dict[int, bytes | memoryview] | None = None) -> bytes:
    """The instance as a DICOM file: patched from `raw` where possible, else written by pydicom.

    `parts` are the output elements' bytes when de-identification already made them.
    """
    return encode_file(ds, raw, spans, changed, parts)[0]


def encode_file(ds: Dataset, raw: bytes, spans: Spans | None, changed: set[int],
                parts: dict[int, bytes | memoryview] | None = None) -> tuple[bytes, int | None]:
    """`encode`, and where the pixel data value starts in the file when patching knows it (else None)."""
    ts = UID(ds.file_meta.TransferSyntaxUID)
    implicit, little = ds.original_encoding
    patchable = (
        spans is not None and not ts.is_deflated and implicit is not None
        and (implicit, little) == (ts.is_implicit_VR, ts.is_little_endian)
    )
    if not patchable:
        buf = BytesIO()
        dcmwrite(buf, ds, enforce_file_format=True)
        return buf.getvalue(), None
    if parts is None:
        parts = _patched(ds, raw, spans, changed)
    out: list = [_meta(ds)]
    size, pixel_offset = len(out[0]), None
    for tag in sorted(parts):
        if tag == PIXEL_DATA:
            pixel_offset = size + (8 if implicit else 12)
        out.append(parts[tag])
        size += len(parts[tag])
    return b"".join(out), pixel_offset  # join copies each received byte once


def _patched(ds: Dataset, raw: bytes, spans: Spans, changed: set[int]) -> dict[int, bytes | memoryview]:
    implicit, little = ds.original_encoding
    received = memoryview(raw)  # slices without copying
    parts = {}
    for tag in ds.keys():
        span = spans.get(int(tag))
        if span is None or int(tag) in changed:
            parts[int(tag)] = _encoded(ds, tag, implicit, little)
        else:
            parts[int(tag)] = received[span[0] : span[1]]
    return parts
