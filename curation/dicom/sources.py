"""Where instances come from on disk: files, folders (recursively) and zip files, as (name, loader) pairs.

Loaders read lazily, so a large folder is listed first (for the progress total) and read one file at a time.
Zip files are read within the archive limits (`core.archives`, settings RADCURATE_ZIP_*): a loader raises
`SourceRefused` for a zip or member past them.
"""

import hashlib
import os
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from core.archives import CHUNK_BYTES, ArchiveRefused, ZipLimits, check_zip, read_member

from .store import QUARANTINE_HEAD_BYTES

Source = tuple[str, Callable[[], bytes]]
Opener = Callable[[], BinaryIO]

# Never instances: OS litter and DICOMDIR media indexes.
_SKIP_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "dicomdir"}


def _skipped(name: str) -> bool:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return base in _SKIP_NAMES or base.startswith("._") or "__macosx/" in name.lower()


class SourceRefused(Exception):
    """An item refused before it was read in full (a zip past its limits): the reason, and what quarantine keeps
    of it: its first bytes (`head`), the SHA-256 and the size of the whole."""

    def __init__(self, message: str, *, rule: str, head: bytes, sha256: str, size: int):
        super().__init__(message)
        self.message, self.rule, self.head, self.sha256, self.size = message, rule, head, sha256, size


class _ZipMembers:
    """Reads members of one zip file through a single open handle (reopening per member is quadratic), within
    the archive limits (`core.archives`): the central directory is checked before any member is read, and each
    member is read in chunks that stop at its declared size."""

    def __init__(self, label: str, open_file: Opener):
        self.label = label
        self._open_file = open_file
        self._limits = ZipLimits.from_settings()
        self._archive: zipfile.ZipFile | None = None

    def sources(self) -> list[Source]:
        try:
            infos = check_zip(self._open(), self._limits, label=self.label)
        except ArchiveRefused as exc:  # the whole archive is refused: one rejection names the member and limit
            def refused(exc: ArchiveRefused = exc) -> bytes:
                raise self._refusal(exc) from exc

            return [(self.label, refused)]
        return [(f"{self.label}:{info.filename}", self._loader(info))
                for info in infos if not info.is_dir() and not _skipped(info.filename)]

    def _loader(self, info: zipfile.ZipInfo) -> Callable[[], bytes]:
        def load() -> bytes:
            try:
                return read_member(self._open(), info, self._limits, label=self.label)
            except ArchiveRefused as exc:
                raise self._refusal(exc) from exc

        return load

    def _refusal(self, exc: ArchiveRefused) -> SourceRefused:
        """Quarantine keeps the zip's head and its SHA-256 (hashed in chunks), never the inflated member."""
        digest, size, head = hashlib.sha256(), 0, b""
        with self._open_file() as fh:
            while chunk := fh.read(CHUNK_BYTES):
                if size < QUARANTINE_HEAD_BYTES:
                    head += chunk[:QUARANTINE_HEAD_BYTES - size]
                digest.update(chunk)
                size += len(chunk)
        return SourceRefused(exc.message, rule="archive_limit" if exc.limit else "unreadable", head=head,
                             sha256=digest.hexdigest(), size=size)

    def _open(self) -> zipfile.ZipFile:
        if self._archive is None:
            self._archive = zipfile.ZipFile(self._open_file())
        return self._archive


def zip_sources(label: str, open_file: Opener) -> list[Source]:
    """A zip file's members as sources named `label:member`, or one refused source named `label` when the
    zip's central directory is past the archive limits (RADCURATE_ZIP_*)."""
    return _ZipMembers(label, open_file).sources()


def _file_source(path: Path) -> Source:
    return str(path), path.read_bytes


def iter_sources(paths: list[str | os.PathLike]) -> Iterator[Source]:
    """Expand files, folders and zip files into (name, loader) pairs, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file() and not _skipped(str(p)))
            yield from iter_sources(children)
        elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
            yield from zip_sources(path.name, partial(open, path, "rb"))
        elif path.is_file():
            yield _file_source(path)
        else:
            yield str(path), _missing(path)


def _missing(path: Path) -> Callable[[], bytes]:
    def load() -> bytes:
        raise FileNotFoundError(f"{path}: no such file or folder")

    return load
