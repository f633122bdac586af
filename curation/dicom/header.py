"""Plain values of top-level header elements: decode, encode and describe them as DICOM JSON without pydicom.

pydicom builds an object per element value (DSfloat, PersonName, UID, MultiValue) with validation; for a
CT header of ~90 elements that costs several times the parse itself, and the archive needs every value only
as text or numbers (to de-identify, to write back, to describe in JSON). This module handles the value
representations a CT header is made of, the way pydicom's own converters and `to_json_dict` read them; any
element it cannot handle exactly (sequences, binary blobs, ambiguous VRs, other character sets, odd values)
answers `None`, and the caller hands that element to pydicom.
"""

import struct

from pydicom.datadict import dictionary_has_tag, dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

# How pydicom decodes each text VR (pydicom.values): strip padding off the whole value, then split (AS, CS,
# DA, DT, TM, UI, IS, DS); split, then strip each value (SH, LO, UC; AE strips both ends); never split
# (ST, LT, UT).
_WHOLE_STRIPPED = {"AS", "CS", "DA", "DT", "TM", "UI", "IS", "DS"}
_EACH_STRIPPED = {"SH", "LO", "UC", "PN"}
_SINGLE = {"ST", "LT", "UT"}
TEXT_VRS = _WHOLE_STRIPPED | _EACH_STRIPPED | _SINGLE | {"AE"}
# Text VRs whose bytes follow SpecificCharacterSet; the others are always the default repertoire.
_CHARSET_VRS = {"SH", "LO", "UC", "PN", "ST", "LT", "UT"}
NUMBER_FORMATS = {"US": "H", "SS": "h", "UL": "L", "SL": "l", "FL": "f", "FD": "d", "UV": "Q", "SV": "q"}
SIMPLE_VRS = TEXT_VRS | set(NUMBER_FORMATS)
# Explicit VR elements of these VRs have a 4-byte length after two reserved bytes (PS3.5 7.1.2).
_LONG_HEADER_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
# SpecificCharacterSet values whose text this module decodes itself (single-byte default, Latin-1, UTF-8).
_CHARSETS = {"": "latin_1", "ISO_IR 6": "latin_1", "ISO_IR 100": "latin_1", "ISO_IR 192": "utf_8"}


def text_encoding(charset) -> str | None:
    """Python codec for text in a data set with this SpecificCharacterSet, or None when pydicom must decode it."""
    if isinstance(charset, bytes):
        charset = charset.decode("latin_1")
    if charset is None or isinstance(charset, str):
        return _CHARSETS.get((charset or "").strip())
    values = [str(v).strip() for v in charset]
    return _CHARSETS.get(values[0]) if len(values) == 1 else None


def decode(raw: RawDataElement, vr: str, encoding: str) -> list | None:
    """The element's values as pydicom would read them (text as str, binary numbers as int/float), or None."""
    data = raw.value
    if data is None:
        return []
    if vr in NUMBER_FORMATS:
        fmt = NUMBER_FORMATS[vr]
        size = struct.calcsize(fmt)
        if len(data) % size:
            return None
        return list(struct.unpack(f"{'<' if raw.is_little_endian else '>'}{len(data) // size}{fmt}", data))
    try:
        text = data.decode(encoding if vr in _CHARSET_VRS else "latin_1")
    except UnicodeDecodeError:
        return None
    return split_text(text, vr)


def split_text(text: str, vr: str) -> list[str]:
    if vr in _SINGLE:
        text = text.rstrip("\0 ")
        return [text] if text else []
    if vr in _WHOLE_STRIPPED:
        values = text.rstrip(" \0").split("\\")
    elif vr == "AE":
        values = [v.strip() for v in text.split("\\")]
    else:
        values = [v.rstrip("\0 ") for v in text.split("\\")]
    return [] if values == [""] else values


def to_json(vr: str, values: list) -> dict | None:
    """DICOM JSON (PS3.18 F.2) of one element, as pydicom's `to_json_dict` writes it, or None."""
    if not values:
        return {"vr": vr}
    if vr == "PN":
        if any(not v or "=" in v for v in values):
            return None  # ideographic/phonetic groups and empty names: pydicom's PersonName knows the rules
        return {"vr": vr, "Value": [{"Alphabetic": v} for v in values]}
    if vr in ("IS", "DS"):
        try:
            return {"vr": vr, "Value": [int(v) if vr == "IS" else float(v) for v in values]}
        except ValueError:
            return None
    return {"vr": vr, "Value": list(values)}


def _value_bytes(vr: str, values: list, encoding: str) -> bytes:
    if vr in NUMBER_FORMATS:
        return struct.pack(f"<{len(values)}{NUMBER_FORMATS[vr]}", *values)
    data = "\\".join(str(v) for v in values).encode(encoding if vr in _CHARSET_VRS else "latin_1")
    if len(data) % 2:
        data += b"\0" if vr == "UI" else b" "
    return data


def encode(tag: int, vr: str, values: list, *, implicit: bool, encoding: str) -> tuple[bytes, int] | None:
    """The element as little-endian bytes, and where its value starts in them; None when it does not fit."""
    value = _value_bytes(vr, values, encoding)
    head = struct.pack("<HH", tag >> 16, tag & 0xFFFF)
    if implicit:
        head += struct.pack("<L", len(value))
    elif vr in _LONG_HEADER_VRS:
        head += vr.encode() + b"\0\0" + struct.pack("<L", len(value))
    elif len(value) <= 0xFFFF:
        head += vr.encode() + struct.pack("<H", len(value))
    else:
        return None
    return head + value, len(head)


def raw_element(tag: int, vr: str, element: bytes, value_start: int, *, implicit: bool) -> RawDataElement:
    """A lazily converted pydicom element over new bytes, so the Dataset reads the de-identified value."""
    value = element[value_start:]
    return RawDataElement(tag, None if implicit else vr, len(value), value, 0, implicit, True)


_ABSENT = object()


class PlainValues:
    """Reading a data set's top-level values as `Dataset.get` and attribute access answer them, decoded from
    the raw bytes by `decode` (no pydicom value objects, no validation): text as str, US/SS/IS... as int,
    DS/FL/FD as float, several values as a list. What `decode` declines, and elements pydicom has converted
    already, are read through the Dataset.
    """

    def __init__(self, ds: Dataset, encoding: str):
        self._ds, self._encoding = ds, encoding

    def __contains__(self, keyword: str) -> bool:
        tag = tag_for_keyword(keyword)
        return tag is not None and tag in self._ds._dict

    def __getattr__(self, keyword: str):
        if keyword.startswith("_"):
            raise AttributeError(keyword)
        value = self.get(keyword, _ABSENT)
        if value is _ABSENT:
            raise AttributeError(keyword)
        return value

    def get(self, keyword: str, default=None):
        tag = tag_for_keyword(keyword)
        elem = self._ds._dict.get(tag) if tag is not None else None
        if elem is None:
            return default
        plain = self._plain(tag, elem)
        if plain is None:
            return self._ds.get(keyword, default)
        vr, values = plain
        if not values:
            return "" if vr in TEXT_VRS else None  # pydicom's empty values
        return values[0] if len(values) == 1 else values

    def _plain(self, tag: int, elem) -> tuple[str, list] | None:
        if not isinstance(elem, RawDataElement):
            return None
        vr = elem.VR or (dictionary_VR(tag) if dictionary_has_tag(tag) else None)
        values = decode(elem, vr, self._encoding) if vr in SIMPLE_VRS else None
        if values is None or vr not in ("IS", "DS"):
            return None if values is None else (vr, values)
        try:
            return vr, [int(v) if vr == "IS" else float(v) for v in values]
        except ValueError:
            return None  # pydicom decides what an odd number string means
