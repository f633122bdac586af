"""STOW-RS request bodies as a bounded stream, sent with Content-Length or Transfer-Encoding: chunked.

A series is hundreds of MB, so the body is never read whole (request.body, and with it Django's
DATA_UPLOAD_MAX_MEMORY_SIZE, is never touched): callers read it piece by piece. Content-Length bodies come
through Django's request stream (`request.read`). Chunked bodies (dicomweb-client sends STOW-RS requests over
1 MB this way) have no Content-Length, so Django's request stream is empty: production servers (gunicorn)
de-chunk wsgi.input themselves and we read that; Django's runserver/live server (wsgiref) hands the raw socket
behind a zero-length LimitedStream, and we de-chunk the socket ourselves.
"""

from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest


class BodyError(ValueError):
    pass


class BodyTooLarge(BodyError):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"The request body is larger than the {limit} bytes this archive accepts in one STOW-RS "
                         "request (RADCURATE_STOW_MAX_BYTES); send the instances in several requests.")


class _Dechunked:
    """Reads the data of a chunked body from the raw stream, any chunk size in bounded pieces."""

    def __init__(self, raw):
        self._raw = raw
        self._left = 0  # bytes left in the current chunk
        self._done = False

    def read(self, size: int) -> bytes:
        if self._left == 0 and not self._done:
            self._next_chunk()
        if self._done:
            return b""
        data = self._raw.read(min(size, self._left))
        if not data:
            raise BodyError("Chunked body ended in the middle of a chunk.")
        self._left -= len(data)
        if self._left == 0:
            self._raw.readline(8)  # CRLF after each chunk
        return data

    def _next_chunk(self) -> None:
        line = self._raw.readline(1024)
        if not line:
            raise BodyError("Chunked body ended before its last chunk.")
        try:
            self._left = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError as exc:
            raise BodyError("Malformed chunk size line in chunked body.") from exc
        if self._left == 0:
            while self._raw.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailer fields
            self._done = True


class BodyStream:
    """`read(size)` over a request body; raises BodyTooLarge as soon as more than `limit` bytes came."""

    def __init__(self, read, *, limit: int, drain_on_close: bool = False):
        self._read = read
        self.limit = limit
        self.received = 0
        self._drain_on_close = drain_on_close

    def read(self, size: int) -> bytes:
        data = self._read(size)
        self.received += len(data)
        if self.received > self.limit:
            raise BodyTooLarge(self.limit)
        return data

    def discard_rest(self) -> None:
        """Read what the client still sends, where the server would otherwise read it as the next request."""
        if self._drain_on_close:
            try:
                while self._read(1 << 20):
                    pass
            except (BodyError, OSError):
                pass


def declared_length(request: HttpRequest) -> int | None:
    """The Content-Length the client declared, or None for a chunked body."""
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise BodyError("Content-Length is not a number.") from exc


def body_stream(request: HttpRequest, *, limit: int) -> BodyStream:
    """The request body as a stream, whether sent with Content-Length or chunked.

    A declared Content-Length over `limit` raises BodyTooLarge before anything is read.
    """
    length = declared_length(request)
    if length is not None:
        if length > limit:
            raise BodyTooLarge(limit)
        return BodyStream(request.read, limit=limit)
    wsgi_input = request.META["wsgi.input"]
    if isinstance(wsgi_input, LimitedStream) and wsgi_input.limit == 0:
        raw = getattr(wsgi_input._read, "__self__", None)  # wsgiref: the socket file under the empty limit
        if raw is None:
            raise BodyError("This server hides chunked request bodies; send Content-Length instead.")
        return BodyStream(_Dechunked(raw).read, limit=limit, drain_on_close=True)
    return BodyStream(wsgi_input.read, limit=limit)
