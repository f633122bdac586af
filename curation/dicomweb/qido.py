"""QIDO-RS (PS3.18 10.6): query keys to archive querysets, and results as DICOM JSON with computed attributes.

Matching follows PS3.4 C.2.2.2: single value, UID list (comma or backslash separated), wildcard (* and ?),
date range (a-b, -b, a-), and fuzzy matching for person names (case-insensitive, any component prefix).
Attributes are matched on the index (never on files); `includefield` adds attributes from a stored
instance's DICOM JSON.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from pydicom.datadict import keyword_for_tag, tag_for_keyword
from rest_framework.exceptions import ValidationError

from core.params import int_param
from curation.dicom.metadata import attribute, retrieve_url
from curation.models import Instance, Series, Study

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
RESERVED = {"includefield", "limit", "offset", "fuzzymatching", "orderby"}
STUDY, SERIES, INSTANCE = "study", "series", "instance"


class QueryError(ValueError):
    pass


# keyword -> (index field, matching kind) per level; deeper levels reach up with prefixes.
_STUDY_KEYS = {
    "StudyInstanceUID": ("study_uid", "uid"),
    "PatientID": ("patient__pseudonym", "text"),
    "PatientName": ("patient__pseudonym", "pn"),
    "AccessionNumber": ("accession_pseudonym", "text"),
    "StudyDate": ("study_date", "date"),
    # Matched by an EXISTS over the study's series (below), never a join: a join repeats the study once per series,
    # and the DISTINCT that removes the repeats sorts every match before the page can be cut.
    "ModalitiesInStudy": ("pk", "modalities"),
}
_SERIES_KEYS = {
    "SeriesInstanceUID": ("series_uid", "uid"),
    "Modality": ("modality", "text"),
    "SeriesNumber": ("series_number", "int"),
}
_INSTANCE_KEYS = {
    "SOPInstanceUID": ("sop_uid", "uid"),
    "SOPClassUID": ("sop_class_uid", "uid"),
    "InstanceNumber": ("instance_number", "int"),
}


def _keys(level: str) -> dict[str, tuple[str, str]]:
    if level == STUDY:
        return dict(_STUDY_KEYS, Modality=("pk", "modalities"))
    if level == SERIES:
        return {**{k: (f"study__{f}", m) for k, (f, m) in _STUDY_KEYS.items()}, **_SERIES_KEYS}
    return {
        **{k: (f"series__study__{f}", m) for k, (f, m) in _STUDY_KEYS.items()},
        **{k: (f"series__{f}", m) for k, (f, m) in _SERIES_KEYS.items()},
        **_INSTANCE_KEYS,
    }


def _keyword(key: str) -> str:
    """Query keys come as keywords (PatientID) or tags (00100020)."""
    if re.fullmatch(r"[0-9A-Fa-f]{8}", key):
        return keyword_for_tag(int(key, 16)) or key
    return key


def _wildcard_regex(value: str) -> str:
    return "^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value) + "$"


def _text_q(path: str, value: str, *, fuzzy: bool) -> Q:
    if fuzzy:
        # Fuzzy person-name matching: case-insensitive, the value may start any name component.
        pattern = _wildcard_regex(value)[1:-1] if any(c in value for c in "*?") else re.escape(value)
        return Q(**{f"{path}__iregex": rf"(^|[\^ ]){pattern}"})
    if any(c in value for c in "*?"):
        return Q(**{f"{path}__regex": _wildcard_regex(value)})
    return Q(**{path: value})


def _parse_date(text: str, key: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.replace("-", "").replace(".", "")[:8], "%Y%m%d").date()
    except ValueError as exc:
        raise QueryError(f"{key}: '{text}' is not a DICOM date (YYYYMMDD) or range (YYYYMMDD-YYYYMMDD).") from exc


def _date_q(path: str, value: str, key: str) -> Q:
    if "-" in value:
        start, _, end = value.partition("-")
        q = Q()
        if start:
            q &= Q(**{f"{path}__gte": _parse_date(start, key)})
        if end:
            q &= Q(**{f"{path}__lte": _parse_date(end, key)})
        return q
    return Q(**{path: _parse_date(value, key)})


def _modalities_q(study_path: str, value: str) -> Q:
    """The study at `study_path` has a series of one of the modalities (wildcards allowed)."""
    modality = Q()
    for v in (v for v in re.split(r"[,\\]", value) if v):
        modality |= _text_q("modality", v, fuzzy=False)
    return Q(Exists(Series.objects.filter(modality, study_id=OuterRef(study_path))))


def _match(path: str, kind: str, value: str, key: str, fuzzy: bool) -> Q:
    if kind == "modalities":
        return _modalities_q(path, value)
    if kind == "uid":
        return Q(**{f"{path}__in": [v.strip() for v in re.split(r"[,\\]", value) if v.strip()]})
    if kind == "date":
        return _date_q(path, value, key)
    if kind == "int":
        try:
            return Q(**{path: int(value)})
        except ValueError as exc:
            raise QueryError(f"{key}: '{value}' is not an integer.") from exc
    values = [v for v in re.split(r"[,\\]", value) if v]
    q = Q()
    for v in values:
        q |= _text_q(path, v, fuzzy=fuzzy and kind == "pn")
    return q


@dataclass
class Query:
    level: str
    filters: Q = field(default_factory=Q)
    includefields: set[str] = field(default_factory=set)
    include_all: bool = False
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    ignored: list[str] = field(default_factory=list)


def _int_param(params, name: str, default: int, maximum: int | None = None) -> int:
    """Through the parser every API uses; a `limit` above `maximum` is served as `maximum` (PS3.18 8.3.4.4 lets
    the origin return fewer matches than asked, and the answer's Warning says there are more)."""
    try:
        value = int_param(params, name, default)
    except ValidationError as exc:
        raise QueryError(" ".join(str(m) for m in exc.detail[name])) from None
    return min(value, maximum) if maximum else value


def parse_query(params, level: str, *, scope: dict[str, str]) -> Query:
    """Turn query parameters (a QueryDict) into a Query; `scope` holds UIDs from the URL path."""
    query = Query(level=level)
    query.limit = _int_param(params, "limit", DEFAULT_LIMIT, MAX_LIMIT) or DEFAULT_LIMIT
    query.offset = _int_param(params, "offset", 0)
    fuzzy = str(params.get("fuzzymatching", "")).lower() == "true"
    for value in params.getlist("includefield"):
        for item in value.split(","):
            item = item.strip()
            if item == "all":
                query.include_all = True
            elif item:
                query.includefields.add(_keyword(item))
    keys = _keys(level)
    pairs = [(k, v) for k in params if k.lower() not in RESERVED for v in params.getlist(k)]
    for key, value in list(scope.items()) + pairs:
        keyword = _keyword(key)
        if keyword not in keys:
            query.ignored.append(key)
            continue
        if value in ("", "*"):
            continue  # universal matching
        path, kind = keys[keyword]
        query.filters &= _match(path, kind, value, keyword, fuzzy)
    return query


def search(query: Query) -> tuple[list, bool]:
    """Run the query; return the page of rows and whether more rows matched beyond it."""
    if query.level == STUDY:
        rows = Study.objects.select_related("patient").prefetch_related("series")
    elif query.level == SERIES:
        rows = Series.objects.select_related("study", "study__patient")
    else:
        rows = Instance.objects.select_related("series", "series__study", "series__study__patient")
        rows = rows.defer("dicom_json") if not (query.include_all or query.includefields) else rows
    # No DISTINCT: every key matches along forward relations or by EXISTS, so no row comes twice.
    rows = _ordered(rows.filter(query.filters), query.level)
    page = list(rows[query.offset : query.offset + query.limit + 1])
    return page[: query.limit], len(page) > query.limit


def _ordered(rows: QuerySet, level: str) -> QuerySet:
    """A stable order an index can deliver a page of without sorting every match: by the parent's id (an order of
    arrival), not its UID, for series and instances."""
    if level == STUDY:
        return rows.order_by("-study_date", "study_uid")
    if level == SERIES:
        return rows.order_by("study_id", "series_number", "series_uid")
    return rows.order_by("series_id", "slice_index", "instance_number", "sop_uid")


def _da(value: dt.date | None) -> str | None:
    return value.strftime("%Y%m%d") if value else None


def study_attributes(study: Study) -> dict:
    public = settings.RADCURATE_PUBLIC_URL
    series = list(study.series.all())
    modalities = sorted({s.modality for s in series if s.modality})
    return {
        "00080020": attribute("DA", _da(study.study_date)),
        "00080030": attribute("TM", study.study_time),
        "00080050": attribute("SH", study.accession_pseudonym),
        "00080056": attribute("CS", "ONLINE"),
        "00080061": attribute("CS", *modalities),
        "00080090": attribute("PN"),
        "00081190": attribute("UR", retrieve_url(public, study.study_uid)),
        "00100010": attribute("PN", study.patient.pseudonym),
        "00100020": attribute("LO", study.patient.pseudonym),
        "00100030": attribute("DA"),
        "00100040": attribute("CS"),
        "0020000D": attribute("UI", study.study_uid),
        "00200010": attribute("SH"),
        "00201206": attribute("IS", len(series)),
        "00201208": attribute("IS", sum(s.n_instances for s in series)),
    }


def series_attributes(series: Series, *, with_study: bool) -> dict:
    public = settings.RADCURATE_PUBLIC_URL
    study = series.study
    data = {
        "00080060": attribute("CS", series.modality),
        "0008103E": attribute("LO"),
        "00081190": attribute("UR", retrieve_url(public, study.study_uid, series.series_uid)),
        "0020000D": attribute("UI", study.study_uid),
        "0020000E": attribute("UI", series.series_uid),
        "00200011": attribute("IS", series.series_number),
        "00201209": attribute("IS", series.n_instances),
    }
    if with_study:
        data.update({k: v for k, v in _study_keys_light(study).items() if k not in data})
    return data


def _study_keys_light(study: Study) -> dict:
    return {
        "00080020": attribute("DA", _da(study.study_date)),
        "00080050": attribute("SH", study.accession_pseudonym),
        "00100010": attribute("PN", study.patient.pseudonym),
        "00100020": attribute("LO", study.patient.pseudonym),
    }


def instance_attributes(instance: Instance, *, with_parents: bool) -> dict:
    public = settings.RADCURATE_PUBLIC_URL
    series, study = instance.series, instance.series.study
    data = {
        "00080016": attribute("UI", instance.sop_class_uid),
        "00080018": attribute("UI", instance.sop_uid),
        "00080056": attribute("CS", "ONLINE"),
        "00081190": attribute("UR", retrieve_url(public, study.study_uid, series.series_uid, instance.sop_uid)),
        "0020000D": attribute("UI", study.study_uid),
        "0020000E": attribute("UI", series.series_uid),
        "00200013": attribute("IS", instance.instance_number),
        "00280008": attribute("IS", instance.n_frames),
        "00280010": attribute("US", instance.rows),
        "00280011": attribute("US", instance.columns),
    }
    if with_parents:
        data.setdefault("00080060", attribute("CS", series.modality))
        data.setdefault("00200011", attribute("IS", series.series_number))
        data.update({k: v for k, v in _study_keys_light(study).items() if k not in data})
    return data


def _tag_hex(keyword: str) -> str | None:
    tag = tag_for_keyword(keyword)
    if tag is None and re.fullmatch(r"[0-9A-Fa-f]{8}", keyword):
        return keyword.upper()
    return f"{tag:08X}" if tag is not None else None


def add_includefields(data: dict, document: dict | None, query: Query) -> dict:
    """Add requested attributes from a stored instance's DICOM JSON (pixel data never)."""
    if not document or not (query.include_all or query.includefields):
        return data
    wanted = None if query.include_all else {_tag_hex(k) for k in query.includefields}
    for tag, value in document.items():
        if tag == "7FE00010" or (wanted is not None and tag not in wanted):
            continue
        data.setdefault(tag, value)
    return data


def representative_document(row, level: str) -> dict | None:
    """The DICOM JSON that includefield draws on: the instance itself, or the first of its series/study."""
    if level == INSTANCE:
        return row.dicom_json
    series_filter = {"series": row} if level == SERIES else {"series__study": row}
    first = Instance.objects.filter(**series_filter).order_by("slice_index", "instance_number").first()
    return first.dicom_json if first else None
