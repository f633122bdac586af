"""multipart/related bodies (PS3.18 8.6): reading STOW-RS requests and writing WADO-RS responses.

Owned here because the stdlib email parser decodes whole bodies as text and copies every part; DICOM
parts are large binary blobs, so we split on the boundary with bytes.find.
"""

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


class MultipartError(ValueError):
    pass


@dataclass
class Part:
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


def parse(body: bytes, boundary: str) -> list[Part]:
    """Split a multipart body into parts; raises MultipartError naming what is wrong."""
    if not boundary:
        raise MultipartError("Content-Type has no boundary parameter.")
    delimiter = b"--" + boundary.encode("latin-1")
    start = body.find(delimiter)
    if start < 0:
        raise MultipartError("The body does not contain the boundary given in Content-Type.")
    parts = []
    pos = start + len(delimiter)
    while True:
        if body[pos : pos + 2] == b"--":
            return parts
        header_end = body.find(b"\r\n\r\n", pos)
        if header_end < 0:
            raise MultipartError(f"Part {len(parts) + 1} has no header terminator.")
        end = body.find(b"\r\n" + delimiter, header_end + 4)
        if end < 0:
            raise MultipartError(f"Part {len(parts) + 1} is not closed by the boundary (truncated body?).")
        parts.append(Part(_headers(body[pos:header_end].lstrip(b"\r\n")), body[header_end + 4 : end]))
        pos = end + 2 + len(delimiter)


def new_boundary() -> str:
    return uuid.uuid4().hex


def encode(parts: Iterable[tuple[str, bytes]], boundary: str) -> Iterator[bytes]:
    """Yield a multipart body part by part (so a whole series is never held in memory)."""
    for content_type, data in parts:
        yield f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
        yield data
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()
