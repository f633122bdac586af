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
from dataclasses import dataclass, field
from functools import lru_cache

from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as annex_e
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

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


def _hmac(key: str, message: str) -> bytes:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()


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
    dataset: Dataset
    identity: Identity
    patient_pseudonym: str
    accession_pseudonym: str
    site_pseudonym: str
    date_shift_days: int
    station: str = ""  # scanner make and model: equipment, not a person or a place
    original_uids: dict[str, str] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)  # top-level tags whose value changed or was added


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
        if action == "U" or (action == "D" and elem.VR == "UI"):
            elem.value = self._map_uids(elem.value)
        elif elem.VR in ("DA", "DT") and tag != PATIENT_BIRTH_DATE:
            elem.value = self._map_values(elem.value, lambda v: _shift_date(v, self.days))
        elif action == "Z" or (action == "D" and elem.VR == "TM"):
            elem.value = elem.empty_value
        elif action == "D":
            elem.value = _dummy(elem.VR, elem.empty_value)
        else:
            return False
        return True

    def _map_uids(self, value):
        return self._map_values(value, lambda v: map_uid(str(v), key=self.key) if str(v).strip() else v)

    @staticmethod
    def _map_values(value, fn):
        if isinstance(value, MultiValue | list):
            return [fn(v) for v in value]
        return fn(value) if value not in (None, "") else value


def _dummy(vr: str, empty):
    if vr in _TEXT_VRS:
        return _DUMMY_TEXT
    return _DUMMY_BY_VR.get(vr, empty)


def _identity(ds: Dataset) -> Identity:
    return Identity(
        patient_id=str(ds.get("PatientID", "")).strip(),
        patient_name=str(ds.get("PatientName", "")).strip(),
        patient_birth_date=str(ds.get("PatientBirthDate", "")).strip(),
        accession_number=str(ds.get("AccessionNumber", "")).strip(),
        study_uid=str(ds.get("StudyInstanceUID", "")).strip(),
        institution=str(ds.get("InstitutionName", "")).strip(),
    )


def _mark(ds: Dataset) -> None:
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD
    items = []
    for value, meaning in METHOD_CODES:
        item = Dataset()
        item.CodeValue = value
        item.CodingSchemeDesignator = "DCM"
        item.CodeMeaning = meaning
        items.append(item)
    ds.DeidentificationMethodCodeSequence = Sequence(items)
    ds.LongitudinalTemporalInformationModified = "MODIFIED"


def _new_file_meta(ds: Dataset, transfer_syntax: str) -> FileMetaDataset:
    """A fresh meta header: the received one names the sender's AE title and implementation."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = transfer_syntax
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = "RADCURATE_1"
    return meta


def deidentify(ds: Dataset, *, key: str, name: str = "instance") -> Deidentified:
    """De-identify a validated dataset in place and return it with its original identifiers kept apart."""
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        raise InstanceRejected(
            "burned_in_annotation",
            f"{name}: BurnedInAnnotation (0028,0301) is YES; identifying text in the pixels cannot be removed.",
            tag="BurnedInAnnotation",
        )
    identity = _identity(ds)
    days = date_shift_days(identity.patient_id, key=key)
    station = " ".join(str(ds.get(k, "")).strip() for k in ("Manufacturer", "ManufacturerModelName")).strip()
    transfer_syntax = ds.file_meta.TransferSyntaxUID
    originals = {k: str(ds.get(k, "")) for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")}
    cleaner = _Cleaner(key, days)
    cleaner.clean(ds, top=True)
    patient = pseudonymize(identity.patient_id, key=key, kind="patient")
    accession = pseudonymize(identity.accession_number, key=key, kind="accession") if identity.accession_number else ""
    site = pseudonymize(identity.institution, key=key, kind="site") if identity.institution else ""
    ds.PatientID = patient
    ds.PatientName = patient
    ds.AccessionNumber = accession
    _mark(ds)
    ds.file_meta = _new_file_meta(ds, transfer_syntax)
    changed = cleaner.changed | {int(Tag(k)) for k in _SET_BY_US}
    return Deidentified(ds, identity, patient, accession, site, days, station[:64], originals, changed)
