"""The per-instance pipeline: validate, de-identify, skip duplicates, store, describe (geometry and JSON).

Every ingest path (CLI, upload, STOW-RS, C-STORE) calls `process_instance` through the archive service;
series-level work (classification, ordering, metadata) happens when the service indexes a batch.
"""

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace

from django.core.files.storage import Storage
from pydicom.dataset import Dataset
from pydicom.pixels.utils import get_expected_length
from pydicom.uid import UID

from .classify import InstanceGeometry, instance_geometry
from .deidentify import Deidentified, deidentify, map_uid, raw_capable
from .encode import Spans, element_spans, encode_file
from .errors import InstanceRejected, StudyMismatch
from .header import PlainValues, text_encoding
from .metadata import PIXEL_DATA, instance_json
from .reader import read_instance
from .store import BackgroundStore, store_instance_file
from .validate import Values, parse, validate_dataset


@dataclass
class PreparedInstance:
    """What the index needs about one de-identified instance; `duplicate` ones were not stored again."""

    sop_uid: str
    series_uid: str
    study_uid: str
    duplicate: bool = False
    deid: Deidentified | None = None
    sop_class_uid: str = ""
    transfer_syntax: str = ""
    modality: str = ""
    series_number: int | None = None
    rows: int = 0
    columns: int = 0
    n_frames: int = 1
    study_date: dt.date | None = None
    study_time: str = ""
    storage_path: str = ""
    sha256: str = ""
    size: int = 0
    pixel_offset: int | None = None
    frame_length: int | None = None
    geometry: InstanceGeometry | None = None
    dicom_json: dict | None = None
    stored: Future | None = None  # (sha256, storage path) while a BackgroundStore writes the file

    def settle(self) -> None:
        """Wait for the file to be stored (raising what storing raised); fills sha256 and storage_path."""
        if self.stored is not None:
            self.sha256, self.storage_path = self.stored.result()
            self.stored = None


def _encode(ds: Dataset, name: str, raw: bytes, spans: Spans | None, deid: Deidentified) -> tuple[bytes, int | None]:
    try:
        return encode_file(ds, raw, spans, deid.changed, deid.parts)
    except Exception as exc:
        raise InstanceRejected("unwritable", f"{name}: cannot be written back after de-identification: {exc}") from exc


def _pixel_layout(ds: Dataset, values: Values, data: bytes, ts: UID, n_frames: int,
                  offset: int | None) -> tuple[int | None, int | None]:
    """Byte offset of native pixel data in the stored file and one frame's length, so frames are served by seek.

    `offset` is where the encoder put the pixel data value; when it does not know, the value is looked for
    at the end of the file.
    """
    if ts.is_compressed or ts.is_deflated or max(map(int, ds._dict)) != PIXEL_DATA or int(values.BitsAllocated) % 8:
        return None, None
    if offset is None:
        pixels = ds.PixelData
        offset = len(data) - len(pixels) - len(pixels) % 2
        if data[offset : offset + len(pixels)] != pixels:
            return None, None
    return offset, get_expected_length(values, unit="bytes") // n_frames


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    text = str(value or "")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _check_study(values: Values, target_study: str, *, key: str, name: str) -> None:
    study_uid = str(values.StudyInstanceUID).strip()
    if target_study in (study_uid, map_uid(study_uid, key=key)):
        return
    raise StudyMismatch(
        f"{name}: StudyInstanceUID (0020,000D) is not the study named in the request URL; the instance was "
        "not stored.",
        sop_uid=map_uid(str(values.SOPInstanceUID), key=key),
        sop_class_uid=str(values.SOPClassUID),
    )


def _parsed(raw: bytes, name: str) -> tuple[Dataset, Spans | None]:
    ds = parse(raw, name)
    return ds, element_spans(ds, raw)


def process_instance(
    raw: bytes,
    *,
    name: str,
    key: str,
    public_url: str,
    is_duplicate: Callable[[str, str, str], bool],
    storage: Storage | None = None,
    decode_compressed: bool = True,
    target_study: str | None = None,
    background: BackgroundStore | None = None,
) -> PreparedInstance:
    """Run one received instance through the pipeline; raises `InstanceRejected` with the reason.

    `target_study` (STOW-RS to /studies/{uid}: the sender's UID or the archive's) refuses an instance of
    another study before anything of it is stored. With `background`, the file is hashed and stored on its
    thread: call `settle()` on the result before using its sha256 or storage_path.
    """
    ds, spans = read_instance(raw) or _parsed(raw, name)
    from_raw = raw_capable(ds, spans)
    # On the raw path elements are read from their bytes; those de-identification removes are never decoded.
    values = PlainValues(ds, text_encoding(ds.get("SpecificCharacterSet"))) if from_raw else ds
    validate_dataset(ds, name=name, decode_compressed=decode_compressed, convert_all=not from_raw, values=values)
    if target_study:
        _check_study(values, target_study, key=key, name=name)
    deid = deidentify(ds, key=key, name=name, raw=raw if from_raw else None, spans=spans)
    # From here `values` reads the de-identified elements.
    prepared = PreparedInstance(str(values.SOPInstanceUID), str(values.SeriesInstanceUID),
                                str(values.StudyInstanceUID))
    if is_duplicate(prepared.study_uid, prepared.series_uid, prepared.sop_uid):
        prepared.duplicate = True
        return prepared
    ts = UID(ds.file_meta.TransferSyntaxUID)
    n_frames = _int(values.get("NumberOfFrames")) or 1
    uids = (prepared.study_uid, prepared.series_uid, prepared.sop_uid)
    prepared.dicom_json = instance_json(ds, public_url=public_url, n_frames=n_frames, described=deid.json, uids=uids)
    data, pixel_offset = _encode(ds, name, raw, spans, deid)
    prepared.deid = replace(deid, dataset=None, parts=None, json=None)  # a batch holds only identifiers
    prepared.sop_class_uid = str(values.SOPClassUID)
    prepared.transfer_syntax = str(ts)
    prepared.modality = str(values.get("Modality", "") or "")[:16]
    prepared.series_number = _int(values.get("SeriesNumber"))
    prepared.rows, prepared.columns, prepared.n_frames = int(values.Rows), int(values.Columns), n_frames
    prepared.study_date = _date(values.get("StudyDate"))
    prepared.study_time = str(values.get("StudyTime", "") or "")[:16]
    prepared.size = len(data)
    prepared.pixel_offset, prepared.frame_length = _pixel_layout(ds, values, data, ts, n_frames, pixel_offset)
    prepared.geometry = instance_geometry(values)
    if background is None:
        prepared.sha256, prepared.storage_path = store_instance_file(data, storage=storage)
    else:
        prepared.stored = background.submit(data)
    return prepared
