"""DICOMweb endpoints: QIDO-RS search, WADO-RS retrieve (instances, metadata, frames), WADO-URI, STOW-RS.

DRF views for authentication (session or token) and role checks; bodies are DICOM media types written
directly, so DRF's content negotiation is switched off. Everything served is de-identified, and metadata
comes from JSON precomputed at ingest. STOW-RS bodies stream part by part into the ingest, so a request
of any size within RADCURATE_STOW_MAX_BYTES is held in memory one instance at a time.
"""

import json
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.roles import ADMIN, CURATOR, RADIOLOGIST, TRAINER, user_roles
from curation.dicom.metadata import retrieve_url
from curation.dicom.store import read_bytes, read_ranges
from curation.dicom.transcode import TranscodeError, file_frames
from curation.dicom.transcode_cache import transcoded_bytes
from curation.models import Instance
from curation.selectors.archive import instance_frame_source, series_metadata_text, study_metadata_text
from curation.services.archive import ACCEPTED, DUPLICATE, ingest_bytes

from . import multipart, qido
from .body import BodyError, BodyTooLarge, body_stream
from .negotiation import Choice, NotAcceptable, negotiate
from .render import render_instance

DICOM_JSON = "application/dicom+json"
logger = logging.getLogger(__name__)


class DicomwebPermission(BasePermission):
    """Viewers (radiologists) and exports (trainers) read; curators and admins may also store.

    Every view, frames included, checks it before anything is looked up, so a user without a role learns
    nothing (not even whether an instance exists). One plain role query: viewers fetch a frame per request.
    """

    message = "DICOMweb needs a RadCurate role; storing needs the curator role."

    def has_permission(self, request, view):
        roles = user_roles(request.user)
        if roles & {ADMIN, CURATOR}:
            return True
        return request.method in SAFE_METHODS and bool(roles & {RADIOLOGIST, TRAINER})


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """DICOMweb clients send DICOM media types in Accept; the view chooses the body, DRF renders only errors."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DicomwebSessionAuthentication(SessionAuthentication):
    """Session login with CSRF enforced as for every API, checked on Django's request.

    DRF's check reads `request.POST` of its own request, which parses the body and, with no parser for
    multipart/related, answers 415. Django's request leaves a multipart/related body unread (its POST is
    empty), so the CSRF token is taken from the X-CSRFToken header and the STOW-RS stream stays untouched.
    """

    def enforce_csrf(self, request):
        return super().enforce_csrf(request._request)


class DicomwebView(APIView):
    authentication_classes = [DicomwebSessionAuthentication, TokenAuthentication]
    permission_classes = [DicomwebPermission]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = IgnoreAcceptNegotiation
    parser_classes: list = []
    schema = None  # DICOMweb is specified by PS3.18, not by our OpenAPI schema


def dicom_json_response(data, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    return HttpResponse(json.dumps(data, separators=(",", ":")), status=status, content_type=DICOM_JSON,
                        headers=headers)


def _warning(text: str) -> str:
    return f'299 RadCurate "{text}"'


# --- QIDO-RS -------------------------------------------------------------------------------------------


class _SearchView(DicomwebView):
    level = qido.STUDY

    def get(self, request, study_uid=None, series_uid=None):
        scope = {k: v for k, v in (("StudyInstanceUID", study_uid), ("SeriesInstanceUID", series_uid)) if v}
        try:
            query = qido.parse_query(request.query_params, self.level, scope=scope)
        except qido.QueryError as exc:
            return dicom_json_response({"error": str(exc)}, status=400)
        rows, more = qido.search(query)
        results = [self._attributes(row, query, scoped=bool(scope)) for row in rows]
        headers = {}
        warnings = []
        if query.ignored:
            warnings.append(_warning(f"Query keys not supported and ignored: {', '.join(sorted(query.ignored))}"))
        if more:
            warnings.append(_warning("There are more matches than the limit; use offset to page."))
        if warnings:
            headers["Warning"] = ", ".join(warnings)
        return dicom_json_response(results, headers=headers)

    def _attributes(self, row, query, *, scoped: bool) -> dict:
        if self.level == qido.STUDY:
            data = qido.study_attributes(row)
        elif self.level == qido.SERIES:
            data = qido.series_attributes(row, with_study=not scoped)
        else:
            data = qido.instance_attributes(row, with_parents=not scoped)
        if query.include_all or query.includefields:
            qido.add_includefields(data, qido.representative_document(row, self.level), query)
        return dict(sorted(data.items()))


class StudiesView(_SearchView):
    level = qido.STUDY

    def post(self, request, study_uid=None):
        return stow(request, study_uid)


class SeriesSearchView(_SearchView):
    level = qido.SERIES


class InstanceSearchView(_SearchView):
    level = qido.INSTANCE


class StudyStoreView(DicomwebView):
    """STOW-RS into a given study: POST /studies/{study}."""

    def post(self, request, study_uid):
        return stow(request, study_uid)

    def get(self, request, study_uid):
        return _multipart_instances(_instances(study_uid=study_uid), _accept(request))


# --- STOW-RS -------------------------------------------------------------------------------------------

_FAILURE_PROCESSING = 0x0110  # Processing failure
_FAILURE_NOT_DICOM = 0xC000  # Cannot understand
# PS3.18 Table I.2-2 has no code of its own for an instance of another study than the URL's (10.5.3 lists
# "Study Instance UID mismatch" under 409): we answer A900, the A9xx "Data Set does not match" refusal.
_FAILURE_WRONG_STUDY = 0xA900


def _sop_item(outcome, *, reason: int | None = None) -> dict:
    item = {}
    if outcome.sop_class_uid:
        item["00081150"] = {"vr": "UI", "Value": [outcome.sop_class_uid]}
    if outcome.sop_uid:
        item["00081155"] = {"vr": "UI", "Value": [outcome.sop_uid]}
    if reason is not None:
        item["00081197"] = {"vr": "US", "Value": [reason]}
    else:
        item["00081190"] = {"vr": "UR", "Value": [retrieve_url(_public(), outcome.study_uid, outcome.series_uid,
                                                                outcome.sop_uid)]}
    return item


def _failure_reason(rule: str) -> int:
    if rule == "study_mismatch":
        return _FAILURE_WRONG_STUDY
    return _FAILURE_NOT_DICOM if rule in ("unreadable", "not_dicom") else _FAILURE_PROCESSING


def _public() -> str:
    return settings.RADCURATE_PUBLIC_URL


def _failure_text(outcome) -> str:
    return f"{outcome.name}: {outcome.reason or outcome.rule}"


def _warnings(texts: list[str], *, shown: int = 20) -> str:
    """A Warning header naming each failed part (the first `shown` of them)."""
    clean = [t.replace('"', "'").replace("\r", " ").replace("\n", " ")[:300] for t in texts[:shown]]
    if len(texts) > shown:
        clean.append(f"and {len(texts) - shown} more failed parts")
    return ", ".join(_warning(t.encode("latin-1", "replace").decode("latin-1")) for t in clean)


class _DicomParts:
    """The application/dicom parts of a STOW-RS body as (name, bytes), read as the ingest asks for them.

    Other parts are noted, not ingested. A body that breaks off, is malformed or grows past the limit ends the
    iteration (the parts before it are ingested as usual) and is kept in `error` for the answer.
    """

    def __init__(self, parts):
        self._parts = parts
        self.count = 0
        self.other: list[multipart.Part] = []
        self.error: Exception | None = None

    def __iter__(self):
        try:
            for part in self._parts:
                self.count += 1
                if multipart.content_type_params(part.content_type or "application/dicom")[0] == "application/dicom":
                    yield f"STOW-RS part {part.number}", part.body
                else:
                    self.other.append(part)
        except (BodyError, multipart.MultipartError) as exc:
            self.error = exc
        except OSError as exc:  # the connection broke: what came whole is kept, as from a truncated body
            self.error = BodyError(f"The body could not be read to its end ({exc}).")


def stow(request, study_uid: str | None) -> HttpResponse:
    """Store Instances (PS3.18 10.5): 200 all stored, 202 some failed, 409 none stored, 400 malformed body,
    413 body over RADCURATE_STOW_MAX_BYTES, 415 not multipart/related; each part's outcome in the body.

    The body is read part by part straight into the ingest, so memory holds one instance at a time. A body
    that breaks off or grows past the limit while streaming keeps the instances received whole before that
    point (they are listed in the answer, beside the error).
    """
    media, params = multipart.content_type_params(request.META.get("CONTENT_TYPE", ""))
    if media != "multipart/related":
        return dicom_json_response({"error": "STOW-RS needs Content-Type multipart/related; type=application/dicom"},
                                   status=415)
    try:
        stream = body_stream(request._request, limit=settings.RADCURATE_STOW_MAX_BYTES)
    except BodyTooLarge as exc:
        return dicom_json_response({"error": str(exc), "limit_bytes": exc.limit}, status=413)
    except BodyError as exc:
        return dicom_json_response({"error": f"Bad request body: {exc}"}, status=400)
    parts = _DicomParts(multipart.iter_parts(stream.read, params.get("boundary", "")))
    _summary, outcomes = ingest_bytes(parts, source="stow", target_study=study_uid)
    referenced, failed, problems = [], [], []
    for outcome in outcomes:
        if outcome.status in (ACCEPTED, DUPLICATE):
            referenced.append(_sop_item(outcome))
        else:
            failed.append(_sop_item(outcome, reason=_failure_reason(outcome.rule)))
            problems.append(_failure_text(outcome))
    for part in parts.other:
        failed.append({"00081197": {"vr": "US", "Value": [_FAILURE_NOT_DICOM]}})
        problems.append(f"STOW-RS part {part.number}: Content-Type {part.content_type} is not application/dicom")
    result = {"00081190": {"vr": "UR", "Value": [retrieve_url(_public(), study_uid)]}} if study_uid else {}
    if referenced:
        result["00081199"] = {"vr": "SQ", "Value": referenced}
    if failed:
        result["00081198"] = {"vr": "SQ", "Value": failed}
    headers = {"Warning": _warnings(problems)} if problems else None
    if parts.error is not None:
        stream.discard_rest()
    if isinstance(parts.error, BodyTooLarge):
        return dicom_json_response({"error": str(parts.error), "limit_bytes": parts.error.limit, **result},
                                   status=413, headers=headers)
    if parts.error is not None:
        return dicom_json_response({"error": f"Bad multipart body: {parts.error}", **result}, status=400,
                                   headers=headers)
    if not parts.count:
        return dicom_json_response({"error": "Bad multipart body: it has no parts."}, status=400)
    status = 200 if not failed else (202 if referenced else 409)
    return dicom_json_response(result, status=status, headers=headers)


# --- WADO-RS -------------------------------------------------------------------------------------------


def _instances(*, study_uid: str, series_uid: str | None = None, sop_uid: str | None = None):
    rows = Instance.objects.filter(series__study__study_uid=study_uid).defer("dicom_json")
    if series_uid:
        rows = rows.filter(series__series_uid=series_uid)
    if sop_uid:
        rows = rows.filter(sop_uid=sop_uid)
    rows = list(rows.order_by("series__series_number", "series__series_uid", "slice_index", "instance_number"))
    if not rows:
        raise Http404("No such study, series or instance in the archive.")
    return rows


def _not_acceptable(text: str) -> HttpResponse:
    return dicom_json_response({"error": text}, status=406, headers={"Vary": "Accept"})


def _instance_parts(plans):
    """(content type, Part 10 bytes) of each instance in the first syntax of its choices that it can be given
    in; one that can be given in none (its pixels do not suit any codec asked for) is left out and logged."""
    for instance, choices in plans:
        for choice in choices:
            if choice.as_stored:
                data = read_bytes(instance.storage_path)
            else:
                try:
                    data = transcoded_bytes(instance.storage_path, choice.transfer_syntax)
                except TranscodeError as exc:
                    logger.warning("instance %s: %s", instance.sop_uid, exc)
                    continue
            yield f"{choice.media_type}; transfer-syntax={choice.transfer_syntax}", data
            break


def _multipart_instances(instances, accept: str) -> HttpResponse:
    """WADO-RS instances in the transfer syntax Accept asks for (negotiation.py), streamed part by part; 406
    when no instance can be given in anything Accept names."""
    plans, refused = [], None
    for instance in instances:
        try:
            plans.append((instance, negotiate(accept, instance.transfer_syntax, frames=False)))
        except NotAcceptable as exc:
            refused = exc
    if not plans:
        return _not_acceptable(str(refused))
    headers = {"Vary": "Accept"}
    if refused is not None:
        headers["Warning"] = _warning(f"{len(instances) - len(plans)} instance(s) left out: {refused}")
    boundary = multipart.new_boundary()
    return StreamingHttpResponse(
        multipart.encode(_instance_parts(plans), boundary),
        content_type=f'multipart/related; type="application/dicom"; boundary={boundary}',
        headers=headers,
    )


def _accept(request) -> str:
    return request.META.get("HTTP_ACCEPT", "")


class SeriesRetrieveView(DicomwebView):
    def get(self, request, study_uid, series_uid):
        return _multipart_instances(_instances(study_uid=study_uid, series_uid=series_uid), _accept(request))


class InstanceRetrieveView(DicomwebView):
    def get(self, request, study_uid, series_uid, sop_uid):
        instances = _instances(study_uid=study_uid, series_uid=series_uid, sop_uid=sop_uid)
        return _multipart_instances(instances, _accept(request))


class StudyMetadataView(DicomwebView):
    def get(self, request, study_uid):
        text = study_metadata_text(study_uid=study_uid)
        if text is None:
            raise Http404("No such study in the archive.")
        return HttpResponse(text, content_type=DICOM_JSON)


class SeriesMetadataView(DicomwebView):
    def get(self, request, study_uid, series_uid):
        text = series_metadata_text(study_uid=study_uid, series_uid=series_uid)
        if text is None:
            raise Http404("No such series in the archive.")
        return HttpResponse(text, content_type=DICOM_JSON)


class InstanceMetadataView(DicomwebView):
    def get(self, request, study_uid, series_uid, sop_uid):
        document = (
            Instance.objects.filter(sop_uid=sop_uid, series__series_uid=series_uid,
                                    series__study__study_uid=study_uid)
            .values_list("dicom_json", flat=True)
            .first()
        )
        if document is None:
            raise Http404("No such instance in the archive.")
        return dicom_json_response([document])


def _frame_numbers(text: str, n_frames: int) -> list[int]:
    try:
        numbers = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise ValueError(f"Frame list '{text}' is not comma-separated frame numbers.") from exc
    if not numbers or any(n < 1 or n > n_frames for n in numbers):
        raise ValueError(f"Frame numbers must be between 1 and {n_frames}.")
    return numbers


def instance_frames(source: dict, numbers: list[int]) -> list[bytes]:
    """Frames as stored: native frames by seek (one open file), compressed frames as their encapsulated bytes.

    `source` holds an instance's FRAME_SOURCE_FIELDS (see `instance_frame_source`).
    """
    path = source["storage_path"]
    if source["pixel_offset"] is not None and source["frame_length"]:
        offset, length = source["pixel_offset"], source["frame_length"]
        return read_ranges(path, [(offset + (n - 1) * length, length) for n in numbers])
    return file_frames(read_bytes(path), numbers)


def negotiated_frames(source: dict, numbers: list[int], choices: list[Choice]) -> tuple[Choice, list[bytes]]:
    """The frames in the first of `choices` they can be given in: as stored (no query, no parse for native
    frames), else from the transcoded copy of the instance. Raises NotAcceptable when none works."""
    problems = []
    for choice in choices:
        if choice.as_stored:
            return choice, instance_frames(source, numbers)
        try:
            return choice, file_frames(transcoded_bytes(source["storage_path"], choice.transfer_syntax), numbers)
        except TranscodeError as exc:
            problems.append(str(exc))
    raise NotAcceptable(f"The frames cannot be given in what Accept asks for: {'; '.join(problems)}")


class FramesView(DicomwebView):
    def get(self, request, study_uid, series_uid, sop_uid, frames):
        source = instance_frame_source(study_uid=study_uid, series_uid=series_uid, sop_uid=sop_uid)
        if source is None:
            raise Http404("No such instance in the archive.")
        try:
            numbers = _frame_numbers(frames, source["n_frames"])
        except ValueError as exc:
            return dicom_json_response({"error": str(exc)}, status=400)
        try:
            choices = negotiate(_accept(request), source["transfer_syntax"], frames=True)
            choice, data = negotiated_frames(source, numbers, choices)
        except NotAcceptable as exc:
            return _not_acceptable(str(exc))
        content_type = f"{choice.media_type}; transfer-syntax={choice.transfer_syntax}"
        boundary = multipart.new_boundary()
        body = b"".join(multipart.encode([(content_type, f) for f in data], boundary))
        return HttpResponse(
            body,
            content_type=f'multipart/related; type="{choice.media_type}"; boundary={boundary}',
            headers={"Vary": "Accept"},
        )


# --- WADO-URI ------------------------------------------------------------------------------------------


class WadoUriView(DicomwebView):
    """WADO-URI (PS3.18 9): ?requestType=WADO&studyUID=&seriesUID=&objectUID=[&contentType=application/dicom]."""

    @extend_schema(exclude=True)
    def get(self, request):
        params = request.query_params
        if params.get("requestType") != "WADO":
            return HttpResponse("requestType must be WADO.", status=400, content_type="text/plain")
        missing = [k for k in ("studyUID", "seriesUID", "objectUID") if not params.get(k)]
        if missing:
            return HttpResponse(f"Missing parameter(s): {', '.join(missing)}.", status=400, content_type="text/plain")
        instance = get_object_or_404(
            Instance, sop_uid=params["objectUID"], series__series_uid=params["seriesUID"],
            series__study__study_uid=params["studyUID"],
        )
        content_type = params.get("contentType", "application/dicom")
        if content_type in ("application/dicom", "*/*"):
            return HttpResponse(read_bytes(instance.storage_path), content_type="application/dicom")
        if content_type in ("image/jpeg", "image/png"):
            return HttpResponse(render_instance(instance, content_type, params), content_type=content_type)
        return HttpResponse(f"contentType {content_type} is not offered; use application/dicom, image/jpeg or "
                            "image/png.", status=406, content_type="text/plain")
