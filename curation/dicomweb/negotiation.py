"""Accept negotiation of WADO-RS transfer syntaxes (PS3.18 8.7.3): which syntax each retrieve is answered in.

A client lists media types in Accept, each with an optional `transfer-syntax` parameter and a q value, the
part's media type inside `multipart/related; type="..."` or on its own. We take the entries by q (ties in the
order given) and answer in the first one we can give: the stored syntax, Explicit VR Little Endian, or one of
the lossless syntaxes we encode to (`curation.dicom.transcode.ENCODERS`). When none can be given the answer
is 406 (PS3.18 8.7.3.5: "the origin server shall return 406 Not Acceptable").

`transfer-syntax=*`, `*/*` and a missing Accept mean "as stored". With no transfer-syntax parameter a media
type means its default syntax (PS3.18 Table 8.7.3-5): Explicit VR Little Endian for application/dicom and
application/octet-stream, where native pixels in either little-endian syntax count as that syntax (a native
frame's bytes are the same in both, and an instance stored natively is sent as stored, labelled truthfully).
"""

from dataclasses import dataclass

from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from curation.dicom.transcode import ENCODERS, NATIVE

from .multipart import content_type_params

ANY = "*"
JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80"

# Bulk data media types and the transfer syntaxes each may carry, its default first (PS3.18 Table 8.7.3-5).
FRAME_MEDIA_TYPES = {
    "application/octet-stream": (ExplicitVRLittleEndian, ImplicitVRLittleEndian),
    "image/jls": (JPEG_LS_LOSSLESS, "1.2.840.10008.1.2.4.81"),
    "image/x-jls": (JPEG_LS_LOSSLESS, "1.2.840.10008.1.2.4.81"),
    "image/dicom-rle": ("1.2.840.10008.1.2.5",),
    "image/x-dicom-rle": ("1.2.840.10008.1.2.5",),
    "image/jp2": ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"),
    "image/jpx": ("1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93"),
    "image/jphc": ("1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"),
    "image/jpeg": ("1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51",
                   "1.2.840.10008.1.2.4.57"),
    "image/jxl": ("1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.112"),
}
# application/dicom carries any transfer syntax; Explicit VR Little Endian is its default.
ALL = (ExplicitVRLittleEndian, ANY)
INSTANCE_MEDIA_TYPES = {"application/dicom": ALL}
# What we can answer in besides the stored syntax, in the order we prefer when a client leaves the choice open.
ENCODABLE = (*ENCODERS, ExplicitVRLittleEndian)


class NotAcceptable(ValueError):
    """Nothing in Accept can be given; the message says what was asked and what is offered."""


@dataclass(frozen=True)
class Choice:
    transfer_syntax: str  # what the answer is in
    media_type: str  # the part's media type
    as_stored: bool  # the stored bytes serve as they are (no transcoding)


@dataclass(frozen=True)
class _Entry:
    media_type: str
    transfer_syntax: str | None
    q: float


def _split(header: str) -> list[str]:
    """Accept's comma-separated entries; commas inside quotes (type="a, b" never occurs, but be safe) kept."""
    entries, current, quoted = [], [], False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            entries.append("".join(current))
            current = []
        else:
            current.append(char)
    entries.append("".join(current))
    return [e.strip() for e in entries if e.strip()]


def parse_accept(header: str) -> list[_Entry]:
    """Accept as entries, best q first (ties keep their order); entries with q=0 are left out."""
    entries = []
    for text in _split(header or ""):
        media, params = content_type_params(text)
        if media == "multipart/related":
            media = (params.get("type") or "*/*").lower()
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 1.0
        if q > 0:
            entries.append(_Entry(media, params.get("transfer-syntax"), q))
    return sorted(entries, key=lambda e: -e.q)


def _native(uid: str) -> bool:
    return UID(uid) in NATIVE


def _choose(entry: _Entry, stored: str, media_types: dict, *, frames: bool) -> Choice | None:
    media, wanted = entry.media_type, entry.transfer_syntax
    if media == "*" or (media.endswith("/*") and any(m.startswith(media[:-1]) or media == "*/*" for m in media_types)):
        if wanted in (None, ANY):
            return Choice(stored, _media_for(stored, media_types), True)
        media = _media_for(wanted, media_types)
    carried = media_types.get(media)
    if carried is None:
        return None
    if wanted == ANY:
        return Choice(stored, media, True) if _carries(carried, stored) else _first_encodable(carried, media)
    if wanted is None:
        if not frames and _native(stored):  # no syntax named: an instance stored natively goes as it is
            return Choice(stored, media, True)
        wanted = carried[0]
    if not _carries(carried, wanted):
        return None
    if wanted == stored or (frames and _native(wanted) and _native(stored)):
        return Choice(wanted, media, True)
    return Choice(wanted, media, False) if wanted in ENCODABLE else None


def _carries(carried: tuple, transfer_syntax: str) -> bool:
    return carried == ALL or transfer_syntax in carried


def _first_encodable(carried: tuple, media: str) -> Choice | None:
    uid = next((ts for ts in ENCODABLE if _carries(carried, ts)), None)
    return Choice(uid, media, False) if uid else None


def _media_for(transfer_syntax: str, media_types: dict) -> str:
    """The media type a transfer syntax travels in (application/dicom carries them all)."""
    found = next((m for m, carried in media_types.items() if _carries(carried, transfer_syntax)), None)
    return found or next(iter(media_types))


def negotiate(accept: str, stored: str, *, frames: bool) -> list[Choice]:
    """The answers Accept allows, best first (the caller falls back along the list when an encoding fails).

    Raises NotAcceptable when there is none.
    """
    media_types = FRAME_MEDIA_TYPES if frames else INSTANCE_MEDIA_TYPES
    entries = parse_accept(accept) if accept.strip() else [_Entry("*/*", None, 1.0)]
    choices = []
    for entry in entries:
        choice = _choose(entry, stored, media_types, frames=frames)
        if choice is not None and choice not in choices:
            choices.append(choice)
    if not choices:
        offered = ", ".join(f"{m}; transfer-syntax={ts}" for m, carried in media_types.items()
                            for ts in (ENCODABLE if carried == ALL else carried) if ts == stored or ts in ENCODABLE)
        raise NotAcceptable(f"Accept '{accept}' names nothing this {'frame' if frames else 'instance'} can be "
                            f"given in. Offered: {offered}; or transfer-syntax=* for the stored syntax ({stored}).")
    return choices
