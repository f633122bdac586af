"""The cache of stored instances in other transfer syntaxes, in storage beside the instances.

Where: `transcoded/<transfer syntax UID>/<sha[:2]>/<sha>.dcm`, `sha` the stored file's SHA-256 (its content
address). A stored file never changes, so an entry never goes stale: it is made once, on the first request
that needs it, and read from then on. How big: at most RADCURATE_TRANSCODE_CACHE_BYTES; `cache_trim` (a
periodic task) removes the entries written longest ago until the rest fit, and a removed entry is simply
made again when asked for. Entries are whole Part 10 files, so a series retrieve streams them as they are and
a frame request takes its frames out of them.
"""

import os
import threading
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage

from .store import content_path, read_bytes
from .transcode import transcode

CACHE_PREFIX = "transcoded"


def cache_path(storage_path: str, transfer_syntax: str) -> str:
    digest = os.path.splitext(os.path.basename(storage_path))[0]  # stored files are named by their SHA-256
    return content_path(digest, prefix=f"{CACHE_PREFIX}/{transfer_syntax}")


def _put(path: str, data: bytes, storage: Storage) -> None:
    """Write an entry so that a reader sees none or all of it: aside, then renamed (local files), or one
    PUT (object stores). Two requests filling the same entry write the same bytes; the last rename wins."""
    if isinstance(storage, FileSystemStorage):
        full = storage.path(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        aside = f"{full}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(aside, "wb") as fh:
            fh.write(data)
        os.replace(aside, full)
    elif not storage.exists(path):
        storage.save(path, ContentFile(data))


def transcoded_bytes(storage_path: str, transfer_syntax: str, *, storage: Storage | None = None) -> bytes:
    """The stored instance at `storage_path` as a Part 10 file in `transfer_syntax`, from the cache or made
    and cached now. Raises TranscodeError (nothing is cached) when it cannot be encoded in it."""
    storage = storage or default_storage
    path = cache_path(storage_path, transfer_syntax)
    try:
        return read_bytes(path, storage=storage)
    except FileNotFoundError:
        pass
    data = transcode(read_bytes(storage_path, storage=storage), transfer_syntax)
    _put(path, data, storage)
    return data


@dataclass
class TrimResult:
    entries: int
    bytes: int
    removed: int
    removed_bytes: int


def _entries(storage: Storage, folder: str):
    folders, files = storage.listdir(folder)
    for name in files:
        if not name.endswith(".tmp"):
            yield f"{folder}/{name}"
    for sub in folders:
        yield from _entries(storage, f"{folder}/{sub}")


def cache_trim(*, max_bytes: int, storage: Storage | None = None) -> TrimResult:
    """Remove the oldest-written entries until the cache holds at most `max_bytes`."""
    storage = storage or default_storage
    try:
        paths = list(_entries(storage, CACHE_PREFIX))
    except FileNotFoundError:  # nothing cached yet
        return TrimResult(0, 0, 0, 0)
    sized = sorted((storage.get_modified_time(p), storage.size(p), p) for p in paths)
    total = sum(size for _when, size, _path in sized)
    kept, removed, removed_bytes = total, 0, 0
    for _when, size, path in sized:
        if kept <= max_bytes:
            break
        try:
            storage.delete(path)
        except FileNotFoundError:  # another trim got there first
            continue
        kept -= size
        removed += 1
        removed_bytes += size
    return TrimResult(len(sized), total, removed, removed_bytes)
