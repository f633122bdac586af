"""Content-addressed storage of instance files through Django's storage API (filesystem or S3-compatible).

A file's path is its SHA-256, so storing the same bytes twice writes once, and a stored file is never
changed in place. Rejected originals go to a separate quarantine prefix that only admins may download.
"""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

DICOM_PREFIX = "dicom"
QUARANTINE_PREFIX = "quarantine"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_path(digest: str, *, prefix: str = DICOM_PREFIX, suffix: str = ".dcm") -> str:
    # 256 folders, as git keeps its objects: all exist after the first ~1,500 instances. With 65,536 (two
    # levels) most of an archive's first ~100,000 files each made a folder, which cost more than the write.
    # Paths are stored per instance, so files stored under the older two-level layout stay where they are.
    return f"{prefix}/{digest[:2]}/{digest}{suffix}"


def store_bytes(data: bytes, *, digest: str | None = None, prefix: str = DICOM_PREFIX, suffix: str = ".dcm",
                storage: Storage | None = None) -> str:
    """Store `data` under its content address and return the storage path (idempotent)."""
    storage = storage or default_storage
    path = content_path(digest or sha256_hex(data), prefix=prefix, suffix=suffix)
    if not storage.exists(path):
        content = ContentFile(data)
        content.DEFAULT_CHUNK_SIZE = max(len(data), 1)  # one write: the bytes are in memory already
        saved = storage.save(path, content)
        if saved != path:  # a concurrent writer stored the same bytes first; keep one copy
            storage.delete(saved)
    return path


def store_quarantine(data: bytes, *, storage: Storage | None = None) -> str:
    return store_bytes(data, prefix=QUARANTINE_PREFIX, suffix=".bin", storage=storage)


def read_bytes(path: str, *, storage: Storage | None = None) -> bytes:
    with (storage or default_storage).open(path, "rb") as fh:
        return fh.read()


def read_range(path: str, offset: int, length: int, *, storage: Storage | None = None) -> bytes:
    """Bytes [offset, offset+length) of a stored file: a native frame without parsing the file."""
    return read_ranges(path, [(offset, length)], storage=storage)[0]


def read_ranges(path: str, ranges: list[tuple[int, int]], *, storage: Storage | None = None) -> list[bytes]:
    """Several (offset, length) ranges of one stored file, through one open file (frames 1,2,3 of a request)."""
    parts = []
    with (storage or default_storage).open(path, "rb") as fh:
        for offset, length in ranges:
            fh.seek(offset)
            parts.append(fh.read(length))
    return parts
