"""De-identification by the DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile.

The attribute table comes from dicom-anonymizer's encoding of Annex E (a maintained transcription of the
standard's table, so we do not retype 600 tags); the actions are ours, because the archive needs them keyed:
UIDs map through an HMAC into 2.25.<int> (the same everywhere, so references still match), patient ids and
accession numbers become keyed pseudonyms (reports arriving later with the original accession still link),
and dates shift by a per-patient offset (intervals kept: Retain Longitudinal Temporal Information with
Modified Dates option). Private tags, overlays and curves are removed at every depth.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as annex_e
from pydicom import config
from pydicom.datadict import dictionary_has_tag, dictionary_VR
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

from . import header
from .age_band import age_band
from .encode import PIXEL_DATA, Spans
from .errors import InstanceRejected

ANNEX_E_TABLE = "dicomfields_2026c"
METHOD = "RadCurate: PS3.15 Annex E basic, HMAC UIDs, shifted dates"
# CID 7050 codes for what was done.
METHOD_CODES = (
    ("113100", "Basic Application Confidentiality Profile"),
    ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
)

# Where the standard allows a choice (X/Z, X/D, Z/D, X/Z/D) we keep the attribute present but empty ("Z"),
# which conforms whether the attribute is type 2 or 3 in the IOD; "U*" keeps a sequence and maps its UIDs.
_CATEGORY_ACTIONS = (
    ("X_TAGS", "X"),
    ("Z_TAGS", "Z"),
    ("D_TAGS", "D"),
    ("U_TAGS", "U"),
    ("Z_D_TAGS", "Z"),
    ("X_Z_TAGS", "Z"),
    ("X_D_TAGS", "D"),
    ("X_Z_D_TAGS", "Z"),
    ("X_Z_U_STAR_TAGS", "U*"),
)


def _build_actions() -> dict[int, str]:
    actions: dict[int, str] = {}
    for category, action in _CATEGORY_ACTIONS:
        for entry in getattr(annex_e, category):
            if len(entry) == 2:  # 4-tuples are the repeating 50xx/60xx groups, which we drop whole
                actions[int(Tag(entry))] = action
    return actions


ACTIONS = _build_actions()
PATIENT_BIRTH_DATE = Tag("PatientBirthDate")
_DUMMY_TEXT = "ANONYMIZED"
_DUMMY_BY_VR = {"IS": "0", "DS": "0", "AS": "000Y", "TM": "000000", "US": 0, "SS": 0, "UL": 0, "SL": 0,
                "FL": 0.0, "FD": 0.0, "UV": 0, "SV": 0}
_TEXT_VRS = {"AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UT", "UR"}
_REMOVED_GROUPS = (0x5000, 0x6000)  # curves, overlays (and their repeating groups)
_SET_BY_US = ("PatientID", "PatientName", "AccessionNumber", "PatientIdentityRemoved", "DeidentificationMethod",
              "DeidentificationMethodCodeSequence", "LongitudinalTemporalInformationModified")
_SET_BY_US_TAGS = frozenset(int(Tag(k)) for k in _SET_BY_US)


def _hmac(key: str, message: str) -> bytes:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=4096)  # a series repeats its patient, accession and site in every slice
def pseudonymize(value: str, *, key: str, kind: str) -> str:
    """A keyed, stable pseudonym (16 characters, fits SH) for an identifier such as a patient id or accession.

    The same value, key and kind always give the same pseudonym; `kind` keeps kinds apart ("patient",
    "accession", "site"), so an accession that equals some patient id does not share its pseudonym.
    """
    digest = _hmac(key, f"{kind}:{str(value).strip()}")
    return kind[:1].upper() + base64.b32encode(digest).decode()[:15]


@lru_cache(maxsize=65536)
def map_uid(uid: str, *, key: str) -> str:
    """The archive's UID for an original UID: 2.25 form of 128 bits of HMAC, so it is stable and unlinkable."""
    return "2.25." + str(int.from_bytes(_hmac(key, f"uid:{uid.strip()}")[:16], "big"))


@lru_cache(maxsize=4096)
def date_shift_days(patient_id: str, *, key: str) -> int:
    """Per-patient shift, 1 to 10 years back, the same for every study of that patient."""
    return -(365 + int.from_bytes(_hmac(key, f"dateshift:{patient_id.strip()}")[:4], "big") % 3286)


def _shift_date(value: str, days: int) -> str:
    text = str(value).strip().replace(".", "") if value else ""
    if len(text) < 8:
        return ""  # partial or missing dates cannot be shifted consistently: blank them
    try:
        shifted = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])) + dt.timedelta(days=days)
    except ValueError:
        return ""
    return shifted.strftime("%Y%m%d") + text[8:]


@dataclass
class Identity:
    """Original identifiers of one instance: only the linkage table (admins) ever stores these."""

    patient_id: str
    patient_name: str
    patient_birth_date: str
    accession_number: str
    study_uid: str
    institution: str


@dataclass
class Deidentified:
    dataset: Dataset | None  # None once only the identifiers are kept (a batch waiting for the index)
    identity: Identity
    patient_pseudonym: str
    accession_pseudonym: str
    site_pseudonym: str
    date_shift_days: int
    station: str = ""  # scanner make and model: equipment, not a person or a place
    age_band: str = ""  # the patient's age band at the study ("40-64"): never the age or the birth date
    original_uids: dict[str, str] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)  # top-level tags whose value changed or was added
    parts: dict[int, bytes | memoryview] | None = None  # each output element's bytes, when de-identified raw
    json: dict[str, dict] | None = None  # and its DICOM JSON (pixel data left to the caller)


class _Cleaner:
    """Applies the profile's actions; notes which top-level elements it changed (the encoder re-encodes those)."""

    def __init__(self, key: str, days: int):
        self.key = key
        self.days = days
        self.changed: set[int] = set()

    def clean(self, ds: Dataset, *, top: bool = False) -> bool:
        any_change = False
        for tag in list(ds.keys()):
            if tag.is_private or (tag.group & 0xFF00) in _REMOVED_GROUPS:
                del ds[tag]
                any_change = True
                continue
            if self._apply(ds, tag, ACTIONS.get(int(tag))):
                any_change = True
                if top:
                    self.changed.add(int(tag))
        return any_change

    def _apply(self, ds: Dataset, tag: BaseTag, action: str | None) -> bool:
        if action == "X":
            del ds[tag]
            return True
        elem = ds[tag]
        if elem.VR == "SQ":
            if action in ("Z", "D"):
                elem.value = Sequence()
                return True
            return any([self.clean(item) for item in elem.value])
        new = self.new_values(elem.VR, int(tag), action, lambda: _listed(elem.value))
        if new is None:
            return False
        elem.value = new[0] if len(new) == 1 else (new or elem.empty_value)
        return True

    def new_values(self, vr: str, tag: int, action: str | None, values: Callable[[], list]) -> list | None:
        """The profile's new values for a non-sequence element, or None when it keeps its value."""
        rule = _rule(vr, tag, action)
        if rule is None:
            return None
        if rule == "uid":
            return [map_uid(str(v), key=self.key) if str(v).strip() else v for v in values()]
        if rule == "shift":
            return [_shift_date(v, self.days) for v in values()]
        if rule == "empty":
            return []
        dummy = _dummy(vr, None)
        return [] if dummy is None else [dummy]


def _rule(vr: str, tag: int, action: str | None) -> str | None:
    """What the profile does to a non-sequence element: map UIDs, shift dates, empty it, dummy it, or nothing.

    Every date and date-time is shifted, whatever the table says, so intervals survive (the option we claim);
    the birth date is the exception the table blanks.
    """
    if action == "U" or (action == "D" and vr == "UI"):
        return "uid"
    if vr in ("DA", "DT") and tag != PATIENT_BIRTH_DATE:
        return "shift"
    if action == "Z" or (action == "D" and vr == "TM"):
        return "empty"
    if action == "D":
        return "dummy"
    return None


def _listed(value) -> list:
    if isinstance(value, MultiValue | list | tuple):
        return list(value)
    return [] if value in (None, "", b"") else [value]


def _dummy(vr: str, empty):
    if vr in _TEXT_VRS:
        return _DUMMY_TEXT
    return _DUMMY_BY_VR.get(vr, empty)


def _text(ds: Dataset, keyword: str, encoding: str | None) -> str:
    """An original single value as stripped text; from the raw bytes when `header` can decode them."""
    elem = ds._dict.get(_TAG_OF[keyword])
    if encoding is not None and isinstance(elem, RawDataElement) and elem.VR in header.TEXT_VRS:
        values = header.decode(elem, elem.VR, encoding)
        if values is not None and len(values) <= 1:
            return values[0].strip() if values else ""
    return str(ds.get(keyword, "")).strip()


_TAG_OF = {k: int(Tag(k)) for k in (
    "PatientID", "PatientName", "PatientBirthDate", "AccessionNumber", "StudyInstanceUID", "SeriesInstanceUID",
    "SOPInstanceUID", "InstitutionName", "Manufacturer", "ManufacturerModelName", "PatientAge", "StudyDate",
    *_SET_BY_US,
    "MediaStorageSOPClassUID", "MediaStorageSOPInstanceUID", "TransferSyntaxUID", "ImplementationClassUID",
    "ImplementationVersionName")}


def _identity(ds: Dataset, encoding: str | None = None) -> Identity:
    def text(keyword):
        return _text(ds, keyword, encoding)

    return Identity(
        patient_id=text("PatientID"),
        patient_name=text("PatientName"),
        patient_birth_date=text("PatientBirthDate"),
        accession_number=text("AccessionNumber"),
        study_uid=text("StudyInstanceUID"),
        institution=text("InstitutionName"),
    )


def _mark(ds: Dataset) -> None:
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD
    _mark_codes(ds)
    ds.LongitudinalTemporalInformationModified = "MODIFIED"


def _mark_codes(ds: Dataset) -> None:
    items = []
    for value, meaning in METHOD_CODES:
        item = Dataset()
        item.CodeValue = value
        item.CodingSchemeDesignator = "DCM"
        item.CodeMeaning = meaning
        items.append(item)
    ds.DeidentificationMethodCodeSequence = Sequence(items)


def _new_file_meta(ds: Dataset | header.PlainValues, transfer_syntax: str) -> FileMetaDataset:
    """A fresh meta header: the received one names the sender's AE title and implementation."""
    meta = FileMetaDataset()
    values = (
        ("MediaStorageSOPClassUID", "UI", ds.SOPClassUID),
        ("MediaStorageSOPInstanceUID", "UI", ds.SOPInstanceUID),
        ("TransferSyntaxUID", "UI", transfer_syntax),
        ("ImplementationClassUID", "UI", PYDICOM_IMPLEMENTATION_UID),
        ("ImplementationVersionName", "SH", "RADCURATE_1"),
    )
    # Our own values or ones read (and checked) already: validating them again cost as much as the rest of the
    # header's de-identification.
    for keyword, vr, value in values:
        tag = _TAG_OF[keyword]
        meta[tag] = DataElement(tag, vr, value, validation_mode=config.IGNORE)
    return meta


def _check_burned_in(ds: Dataset, name: str) -> None:
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        raise InstanceRejected(
            "burned_in_annotation",
            f"{name}: BurnedInAnnotation (0028,0301) is YES; identifying text in the pixels cannot be removed.",
            tag="BurnedInAnnotation",
        )


def raw_capable(ds: Dataset, spans: Spans | None) -> bool:
    """Whether `deidentify` can work from the received bytes (little endian, spans known, a text encoding
    `header` decodes); then validation need not convert elements that de-identification removes."""
    return (spans is not None and ds.original_encoding[1] is True
            and header.text_encoding(ds.get("SpecificCharacterSet")) is not None)


def deidentify(ds: Dataset, *, key: str, name: str = "instance", raw: bytes | None = None,
               spans: Spans | None = None) -> Deidentified:
    """De-identify a validated dataset in place and return it with its original identifiers kept apart.

    With the received bytes and their element spans (little endian, a character set `header` decodes),
    the top level is de-identified element by element from the raw values, and the result carries each
    output element's bytes and DICOM JSON; otherwise pydicom converts and cleans the whole data set.
    """
    _check_burned_in(ds, name)
    from_raw = raw is not None and raw_capable(ds, spans)
    encoding = header.text_encoding(ds.get("SpecificCharacterSet")) if from_raw else None
    identity = _identity(ds, encoding)
    days = date_shift_days(identity.patient_id, key=key)
    station = " ".join(_text(ds, k, encoding) for k in ("Manufacturer", "ManufacturerModelName")).strip()
    band = age_band(patient_age=_text(ds, "PatientAge", encoding), birth_date=identity.patient_birth_date,
                    study_date=_text(ds, "StudyDate", encoding))  # before cleaning removes the age and shifts dates
    transfer_syntax = ds.file_meta.TransferSyntaxUID
    originals = {k: _text(ds, k, encoding) for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")}
    patient = pseudonymize(identity.patient_id, key=key, kind="patient")
    accession = pseudonymize(identity.accession_number, key=key, kind="accession") if identity.accession_number else ""
    site = pseudonymize(identity.institution, key=key, kind="site") if identity.institution else ""
    ours = {"PatientID": patient, "PatientName": patient, "AccessionNumber": accession}
    if from_raw:
        cleaner = _HeaderCleaner(key, days, ds, raw, spans, encoding, name)
        cleaner.clean_top(ours)
    else:
        cleaner = _Cleaner(key, days)
        cleaner.clean(ds, top=True)
        for keyword, value in ours.items():
            setattr(ds, keyword, value)
        _mark(ds)
    ds.file_meta = _new_file_meta(header.PlainValues(ds, encoding) if from_raw else ds, transfer_syntax)
    changed = cleaner.changed | _SET_BY_US_TAGS
    result = Deidentified(ds, identity, patient, accession, site, days, station[:64], band, originals, changed)
    if isinstance(cleaner, _HeaderCleaner):
        result.parts, result.json = cleaner.parts, cleaner.json
    return result


_MARKS = {"PatientIdentityRemoved": "YES", "DeidentificationMethod": METHOD,
          "LongitudinalTemporalInformationModified": "MODIFIED"}
_CODE_SEQUENCE = int(Tag("DeidentificationMethodCodeSequence"))


# An element's outcome: (VR, its new bytes or None when kept as received, where its value starts in them, its
# DICOM JSON key and value). Shared between instances: never changed once made.
_Outcome = tuple[str, bytes | None, int, str, dict]
_REMEMBER_BYTES = 512  # longer elements (pixel data, long texts) cost more to key than to redo
_REMEMBER_LIMIT = 20_000
_remembered: dict[tuple, _Outcome | None] = {}


def _remember(key: tuple | None, outcome: _Outcome | None) -> None:
    if key is None or outcome is None:
        return
    if len(_remembered) >= _REMEMBER_LIMIT:
        _remembered.clear()  # per-slice values (SOP UIDs, positions) fill it; one series' misses refill it
    _remembered[key] = outcome


class _HeaderCleaner(_Cleaner):
    """The profile over the top level's raw values: elements `header` handles never become pydicom objects.

    Removed elements are never decoded. Kept ones are decoded once to plain values, changed in plain values,
    written back as bytes (and as raw elements into the Dataset, which converts them only if asked), and
    described as DICOM JSON from the same values. Sequences and anything `header` declines go through
    pydicom and the base class, as before.
    """

    def __init__(self, key: str, days: int, ds: Dataset, raw: bytes, spans: Spans, encoding: str, name: str):
        super().__init__(key, days)
        self.ds, self.spans, self.encoding, self.name = ds, spans, encoding, name
        self.received = memoryview(raw)
        self.implicit = bool(ds.original_encoding[0])
        self.parts: dict[int, bytes | memoryview] = {}  # output bytes of each top-level element
        self.json: dict[str, dict] = {}
        self.context = (key, days, self.implicit, encoding)  # what an element's outcome depends on besides its bytes

    def clean_top(self, ours: dict[str, str]) -> None:
        elements = self.ds._dict
        for t in sorted(map(int, elements)):  # plain ints: BaseTag compares in Python
            group, action = t >> 16, ACTIONS.get(t)
            if group & 1 or (group & 0xFF00) in _REMOVED_GROUPS or action == "X":
                del elements[t]  # private tags, overlays, curves and "X": never decoded
            elif t == PIXEL_DATA and action is None:
                self.parts[t] = self._received(t)  # no rule touches it, and it has no JSON here
            elif (outcome := self._plain(t, action, piece := self._received(t))) is not None:
                self._take(t, outcome, piece)
            else:
                self._through_pydicom(BaseTag(t), action)
        for keyword, value in {**ours, **_MARKS}.items():
            t = _TAG_OF[keyword]
            if (outcome := self._written(t, dictionary_VR(t), [value] if value else [])) is not None:
                self._take(t, outcome, None)
        self._put_code_sequence()

    def _plain(self, tag: int, action: str | None, piece: memoryview) -> _Outcome | None:
        """What the profile makes of one element, from its plain values; None when `header` cannot handle it.

        The outcome depends only on the element's received bytes (`piece`) and the context, and a series
        repeats most of its header in every slice: outcomes are remembered by those bytes.
        """
        key = (self.context, tag, bytes(piece)) if len(piece) <= _REMEMBER_BYTES else None
        outcome = _remembered.get(key)
        if outcome is None:
            outcome = self._plain_outcome(tag, action)
            _remember(key, outcome)
        return outcome

    def _plain_outcome(self, tag: int, action: str | None) -> _Outcome | None:
        elem = self.ds._dict[tag]
        vr = elem.VR or (dictionary_VR(tag) if dictionary_has_tag(tag) else None)
        if vr not in header.SIMPLE_VRS:
            return None
        if isinstance(elem, RawDataElement):
            values = header.decode(elem, vr, self.encoding)
        else:  # converted while validating: its value is already there
            values = [str(v) if vr in header.TEXT_VRS else v for v in _listed(elem.value)]
        if values is None:
            return None
        new = self.new_values(vr, tag, action, lambda: values)
        if new is None or new == values:
            described = header.to_json(vr, values)
            return None if described is None else (vr, None, 0, f"{tag:08X}", described)
        return self._written(tag, vr, new)

    def _written(self, tag: int, vr: str, values: list) -> _Outcome | None:
        """The element with new values: its bytes, where its value starts in them, and its JSON."""
        key = (self.context, tag, vr, tuple(values))
        outcome = _remembered.get(key)
        if outcome is None:
            encoded = header.encode(tag, vr, values, implicit=self.implicit, encoding=self.encoding)
            described = header.to_json(vr, values)
            outcome = None if encoded is None or described is None else (vr, *encoded, f"{tag:08X}", described)
            _remember(key, outcome)
        return outcome

    def _take(self, tag: int, outcome: _Outcome, piece: memoryview | None) -> None:
        vr, element, value_start, json_key, described = outcome
        if element is None:  # kept as received
            self.parts[tag] = piece
        else:
            self.ds._dict[BaseTag(tag)] = header.raw_element(tag, vr, element, value_start, implicit=self.implicit)
            self.parts[tag] = element
            self.changed.add(tag)
        self.json[json_key] = described

    def _received(self, tag: int) -> memoryview:
        start, end = self.spans[tag]
        return self.received[start:end]

    def _through_pydicom(self, tag: BaseTag, action: str | None) -> None:
        t = int(tag)
        try:
            changed = self._apply(self.ds, tag, action)
            elem = self.ds[tag]
            if changed:
                self.changed.add(t)
                self.parts[t] = _written(elem, self.implicit)
            else:
                self.parts[t] = self._received(t)
            if t != PIXEL_DATA:
                with config.strict_reading():
                    self.json[f"{t:08X}"] = elem.to_json_dict(None, 1024)
        except InstanceRejected:
            raise
        except Exception as exc:
            if t in self.json or t in self.parts:  # only its JSON failed: pydicom's to_json_dict leaves it out
                return
            raise InstanceRejected(
                "corrupt_header", f"{self.name}: corrupt header at tag ({tag.group:04X},{tag.element:04X}): "
                f"{type(exc).__name__}.", tag=str(tag)
            ) from exc

    def _put_code_sequence(self) -> None:
        element, value_start, described = _code_sequence(self.implicit)
        self.ds._dict[BaseTag(_CODE_SEQUENCE)] = header.raw_element(
            _CODE_SEQUENCE, "SQ", element, value_start, implicit=self.implicit
        )
        self.parts[_CODE_SEQUENCE] = element
        self.json[f"{_CODE_SEQUENCE:08X}"] = json.loads(described)
        self.changed.add(_CODE_SEQUENCE)


@lru_cache(maxsize=2)
def _code_sequence(implicit: bool) -> tuple[bytes, int, str]:
    """DeidentificationMethodCodeSequence is the same in every instance: encoded and described once."""
    ds = Dataset()
    _mark_codes(ds)
    elem = ds[_CODE_SEQUENCE]
    element = _written(elem, implicit)
    return element, 8 if implicit else 12, json.dumps(elem.to_json_dict(None, 1024))


def _written(elem, implicit: bool) -> bytes:
    fp = DicomBytesIO()
    fp.is_implicit_VR, fp.is_little_endian = implicit, True
    write_data_element(fp, elem)
    return fp.getvalue()
