"""Reading a received instance into the Dataset `dcmread` would make, and each top-level element's byte span.

pydicom reads every element through a generator that takes the stream a few bytes at a time; for a CT header
of ~90 elements that is most of the parse. Instances in the usual form (preamble and file meta, then explicit
or implicit VR little endian, native or encapsulated pixel data) have their data set read here in one pass
over the bytes (file meta included) into the same raw elements, noting where each element starts.
pydicom's own functions read every element of undefined length (sequences, encapsulated pixel data); any
other form (no preamble, deflated, big endian, group 0000, a VR that does not fit the transfer syntax, tags
out of order, a truncated value) is left to `dcmread` whole.
"""

import struct
from io import BytesIO

from pydicom.charset import convert_encodings, default_encoding
from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element, empty_value_for_VR
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.filereader import ENCODED_VR, read_sequence, read_undefined_length_value
from pydicom.tag import BaseTag, SequenceDelimiterTag
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32
from pydicom.values import convert_string

from .encode import Spans, element_start, spans_from_starts

_UNDEFINED = 0xFFFFFFFF
_CHARSET = 0x00080005
_IMPLICIT = struct.Struct("<HHL")
_EXPLICIT = struct.Struct("<HH2sH")
_LONG = struct.Struct("<L")
_VRS = {vr: vr.decode() for vr in ENCODED_VR}
_LONG_VRS = {vr for vr in _VRS.values() if vr in EXPLICIT_VR_LENGTH_32}


class _Unusual(Exception):
    """The stream is not in the form read here: `dcmread` reads it."""


def read_instance(raw: bytes) -> tuple[FileDataset, Spans | None] | None:
    """The instance as `dcmread(BytesIO(raw))` reads it, and its top-level element spans (None where
    `element_spans` finds none); None when the stream is not in the usual form (the caller then uses
    `dcmread`)."""
    if raw[128:132] != b"DICM":
        return None
    try:
        meta_elements, _, pos, _ = _elements(raw, 132, False, meta=True)
        file_meta = FileMetaDataset(meta_elements)
        file_meta.set_original_encoding(False, True, default_encoding)
        implicit = _implicit_vr(file_meta.get("TransferSyntaxUID"))
        _check_data_set_start(raw, pos, implicit)
        elements, starts, _, encoding = _elements(raw, pos, implicit)
        dataset = Dataset(elements)
        dataset.set_original_encoding(implicit, True, _character_set(elements, encoding))
        ds = FileDataset(BytesIO(raw), dataset, raw[:128], file_meta, implicit, True)
        ds.set_original_encoding(implicit, True, dataset._character_set)
    except Exception:  # _Unusual, or whatever pydicom's functions raise: dcmread reads it and says what is wrong
        return None
    return ds, _spans(ds, starts, raw, implicit)


def _spans(ds: FileDataset, starts: list[tuple[int, int]], raw: bytes, implicit: bool) -> Spans | None:
    """The spans, or None where `element_spans` would find none: an element pydicom converted while reading
    (the character set, an undefined-length sequence) must be found where it was read, with the header its
    VR now has (a character set received as UN is not)."""
    at = dict(starts)
    for tag, elem in ds._dict.items():
        if not isinstance(elem, RawDataElement) and element_start(elem, tag, raw, implicit, True) != at[tag]:
            return None
    return spans_from_starts(starts, len(raw))


def _implicit_vr(transfer_syntax) -> bool:
    """Implicit or explicit VR little endian, as dcmread decides from the meta; other streams are unusual."""
    if transfer_syntax is None:
        raise _Unusual
    ts = UID(transfer_syntax)
    if ts == ImplicitVRLittleEndian:
        return True
    if ts == ExplicitVRLittleEndian or (ts.is_transfer_syntax and ts.is_compressed and not ts.is_deflated
                                        and ts.is_little_endian and not ts.is_implicit_VR):
        return False
    raise _Unusual


def _check_data_set_start(raw: bytes, pos: int, implicit: bool) -> None:
    if len(raw) - pos < 8 or raw[pos : pos + 2] == b"\0\0":
        raise _Unusual  # empty, or a command set (group 0000)
    if implicit and 0x40 < raw[pos + 4] < 0x5B and 0x40 < raw[pos + 5] < 0x5B:
        raise _Unusual  # looks explicit: dcmread switches, with a warning


def _elements(raw: bytes, pos: int, implicit: bool, *, meta: bool = False) -> tuple[dict, list, int, object]:
    """The raw elements from `pos` on (the file meta group alone with `meta`), each element's (tag, start),
    where reading stopped, and the encoding the last SpecificCharacterSet set."""
    end = len(raw)
    elements: dict[BaseTag, RawDataElement | DataElement] = {}
    starts = []
    encoding = default_encoding
    last = -1
    unpack_short = (_IMPLICIT if implicit else _EXPLICIT).unpack_from
    while end - pos >= 8:  # one element per turn, as pydicom's data_element_generator reads it
        start = pos
        if implicit:
            group, elem, length = unpack_short(raw, pos)
            vr, pos = None, pos + 8
        else:
            group, elem, vr_bytes, length = unpack_short(raw, pos)
            if meta and group != 2:
                break
            vr = _VRS.get(vr_bytes)
            if vr is None:
                raise _Unusual  # an unknown VR, or a switch to implicit VR: dcmread guesses
            if vr in _LONG_VRS:
                (length,) = _LONG.unpack_from(raw, pos + 8)
                pos += 12
            else:
                pos += 8
        tag = group << 16 | elem
        if tag <= last or tag == 0xFFFEE00D:
            raise _Unusual  # out of tag order, or a delimiter
        if length == _UNDEFINED:
            element, pos = _undefined_length(raw, tag, vr, pos, implicit, encoding)
        else:
            if pos + length > end:
                raise _Unusual  # truncated
            value = raw[pos : pos + length] if length else empty_value_for_VR(vr, raw=True)
            element = RawDataElement(BaseTag(tag), vr, length, value, pos, implicit, True)
            pos += length
            if tag == _CHARSET:
                encoding = convert_encodings(convert_string(value or b"", True))
        elements[element.tag] = element
        starts.append((tag, start))
        last = tag
    return elements, starts, pos, encoding


def _undefined_length(raw: bytes, tag: int, vr: str | None, pos: int, implicit: bool,
                      encoding) -> tuple[RawDataElement | DataElement, int]:
    """An undefined-length element read by pydicom's functions, as its element generator reads it."""
    if implicit or vr == "UN":
        raise _Unusual  # dcmread looks the VR up or infers a sequence
    fp = BytesIO(raw)
    fp.seek(pos)
    if vr == "SQ":
        sequence = read_sequence(fp, implicit, True, _UNDEFINED, encoding)
        return DataElement(BaseTag(tag), vr, sequence, pos, is_undefined_length=True), fp.tell()
    value = read_undefined_length_value(fp, True, SequenceDelimiterTag, None)
    return RawDataElement(BaseTag(tag), vr, _UNDEFINED, value, pos, implicit, True), fp.tell()


def _character_set(elements: dict, encoding):
    """The data set's encoding as `read_dataset` works it out (from SpecificCharacterSet, else the default)."""
    if _CHARSET not in elements:
        return encoding
    return convert_encodings(convert_raw_data_element(elements[BaseTag(_CHARSET)]).value)
