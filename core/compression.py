"""Compressed JSON answers (Brotli or gzip, as the client's Accept-Encoding allows) for readers on slow links.

Only the media types in RADCURATE_COMPRESS_TYPES are compressed (DICOMweb's application/dicom+json by
default): never HTML pages. A page that carries a CSRF token beside text an attacker can choose is what
BREACH reads a secret from through compressed sizes, so Django's GZipMiddleware (every type) is not used;
the DICOM JSON we compress carries no secret (de-identified metadata, no token, no session data). Brotli at
quality 5 compresses a 40-slice series' metadata ~30x in about the time gzip needs, and browsers and
`requests` (with the brotli package installed) decode it; gzip serves every other client.
"""

import gzip
import re

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers

MIN_BYTES = 1024  # below this the headers cost more than compression saves
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
_ENCODINGS = ("br", "gzip")
_TOKEN = re.compile(r"^\s*([\w*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$", re.IGNORECASE)


def accepted_encoding(header: str) -> str | None:
    """The encoding to answer in: the client's best by q among ours (Brotli on a tie), or None."""
    q = {}
    for item in (header or "").split(","):
        match = _TOKEN.match(item)
        if match:
            try:
                q[match.group(1).lower()] = float(match.group(2) or 1)
            except ValueError:
                continue
    best = max(_ENCODINGS, key=lambda e: (q.get(e, q.get("*", 0)), e == "br"))
    return best if q.get(best, q.get("*", 0)) > 0 else None


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


class JsonCompressionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        media = response.get("Content-Type", "").split(";")[0].strip().lower()
        if media not in settings.RADCURATE_COMPRESS_TYPES or response.streaming:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if response.has_header("Content-Encoding") or len(response.content) < MIN_BYTES:
            return response
        encoding = accepted_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if encoding is None:
            return response
        body = compress(response.content, encoding)
        if len(body) >= len(response.content):
            return response
        response.content = body
        response["Content-Length"] = str(len(body))
        response["Content-Encoding"] = encoding
        etag = response.get("ETag")
        if etag and etag.startswith('"'):  # the compressed bytes differ: a strong ETag would be wrong
            response["ETag"] = "W/" + etag
        return response
