"""multipart/related bodies (PS3.18 8.6): reading STOW-RS requests and writing WADO-RS responses.

Owned here because the stdlib email parser and Django's form-data parser hold or copy whole bodies, and a
STOW-RS body is a series of large binary parts: we split the stream on the boundary with bytes.find over a
window of one read and hand out each part as soon as its closing delimiter arrives, so memory holds one part
(and one read) whatever the body size.
"""

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

READ_SIZE = 1 << 20
MAX_HEADER_BYTES = 64 * 1024


class MultipartError(ValueError):
    pass


@dataclass
class Part:
    number: int  # from 1, in body order
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def content_type_params(value: str) -> tuple[str, dict[str, str]]:
    """`multipart/related; type="application/dicom"; boundary=x` -> ("multipart/related", {...})."""
    media, *params = [p.strip() for p in value.split(";")]
    parsed = {}
    for param in params:
        name, _, val = param.partition("=")
        parsed[name.strip().lower()] = val.strip().strip('"')
    return media.lower(), parsed


def _headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.decode("latin-1").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


class _Scanner:
    """Reads a stream in large pieces and finds delimiters in it without copying the bytes between them.

    The bytes before a delimiter are handed out as views of the pieces read (the part's one copy is the join),
    so a part costs one copy beyond the read itself, whatever the read size.
    """

    def __init__(self, read: Callable[[int], bytes]):
        self._read = read
        self.data = b"\r\n"  # so a delimiter at the very start of the body matches like the others
        self.pos = 0
        self.eof = False

    def _more(self, at_least: int) -> None:
        """Make `data[pos:]` hold at least `at_least` bytes, if the stream has them (short reads joined)."""
        while len(self.data) - self.pos < at_least and not self.eof:
            piece = self._read(READ_SIZE)
            if piece:
                self.data = self.data[self.pos :] + piece if self.pos < len(self.data) else piece
                self.pos = 0
            else:
                self.eof = True

    def startswith(self, prefix: bytes) -> bool:
        self._more(len(prefix))
        return self.data.startswith(prefix, self.pos)

    def until(self, needle: bytes, *, limit: int | None = None) -> list | None:
        """Views of the bytes before the next `needle` (consumed too); None if the stream ends first or more
        than `limit` bytes come before it."""
        views, size, keep = [], 0, len(needle) - 1
        while True:
            self._more(len(needle))
            i = self.data.find(needle, self.pos)
            if i >= 0:
                views.append(memoryview(self.data)[self.pos : i])
                self.pos = i + len(needle)
                return views
            if self.eof or (limit is not None and size > limit):
                return None
            cut = len(self.data) - keep  # the last bytes may be the start of a needle: keep them
            views.append(memoryview(self.data)[self.pos : cut])
            size += cut - self.pos
            self.pos = cut
            self._more(len(needle) + 1)

    def skip_rest(self) -> None:
        while not self.eof:
            self.pos = len(self.data)
            self._more(1)


def iter_parts(read: Callable[[int], bytes], boundary: str) -> Iterator[Part]:
    """The parts of a multipart body read with `read(n)`, each as soon as it is complete.

    Raises MultipartError naming the part and what is wrong, after yielding the parts before it (errors of
    `read` itself pass through the same way).
    """
    if not boundary:
        raise MultipartError("Content-Type has no boundary parameter.")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    scanner = _Scanner(read)
    if scanner.until(delimiter) is None:  # the preamble, ignored
        raise MultipartError("The body does not contain the boundary given in Content-Type.")
    number = 0
    while True:
        number += 1
        if scanner.startswith(b"--"):  # the close delimiter; the epilogue is read and ignored
            scanner.skip_rest()
            return
        header = scanner.until(b"\r\n\r\n", limit=MAX_HEADER_BYTES)
        if header is None:
            raise MultipartError(f"Part {number} has no header terminator (truncated body?).")
        body = scanner.until(delimiter)
        if body is None:
            raise MultipartError(f"Part {number} is not closed by the boundary (truncated body?).")
        yield Part(number, _headers(b"".join(header)), b"".join(body))


def new_boundary() -> str:
    return uuid.uuid4().hex


def encode(parts: Iterable[tuple[str, bytes]], boundary: str) -> Iterator[bytes]:
    """Yield a multipart body part by part (so a whole series is never held in memory)."""
    for content_type, data in parts:
        yield f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
        yield data
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()
