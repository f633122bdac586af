"""Request bodies sent with Transfer-Encoding: chunked, as dicomweb-client sends STOW-RS requests over 1 MB.

WSGI gives no Content-Length for such bodies, so Django's request.body reads nothing. Production servers
(gunicorn) de-chunk wsgi.input themselves: we read it to the end. Django's runserver/live server (wsgiref)
hands the raw socket behind a zero-length LimitedStream: there we de-chunk the socket ourselves.
"""

from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest

MAX_BODY = 4 * 1024**3  # a whole study over STOW-RS is a few hundred MB; refuse absurd streams


class BodyError(ValueError):
    pass


def _dechunk(stream) -> bytes:
    chunks, size = [], 0
    while True:
        line = stream.readline(1024)
        if not line:
            raise BodyError("Chunked body ended before its last chunk.")
        try:
            length = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError as exc:
            raise BodyError("Malformed chunk size line in chunked body.") from exc
        if length == 0:
            while stream.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailer fields
            return b"".join(chunks)
        size += length
        if size > MAX_BODY:
            raise BodyError("Chunked body is larger than the archive accepts.")
        chunks.append(stream.read(length))
        stream.readline(8)  # CRLF after each chunk


def _read_all(stream) -> bytes:
    chunks = []
    while chunk := stream.read(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def request_body(request: HttpRequest) -> bytes:
    """The full request body, whether sent with Content-Length or chunked."""
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return request.body
    wsgi_input = request.META["wsgi.input"]
    if isinstance(wsgi_input, LimitedStream) and wsgi_input.limit == 0:
        raw = getattr(wsgi_input._read, "__self__", None)  # wsgiref: the socket file under the empty limit
        if raw is None:
            raise BodyError("This server hides chunked request bodies; send Content-Length instead.")
        return _dechunk(raw)
    return _read_all(wsgi_input)
