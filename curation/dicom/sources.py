"""Where instances come from on disk: files, folders (recursively) and zip files, as (name, loader) pairs.

Loaders read lazily, so a large folder is listed first (for the progress total) and read one file at a time.
"""

import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

Source = tuple[str, Callable[[], bytes]]

# Never instances: OS litter and DICOMDIR media indexes.
_SKIP_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "dicomdir"}


def _skipped(name: str) -> bool:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return base in _SKIP_NAMES or base.startswith("._") or "__macosx/" in name.lower()


class _ZipMembers:
    """Reads members of one zip file through a single open handle (reopening per member is quadratic)."""

    def __init__(self, path: Path):
        self.path = path
        self._archive: zipfile.ZipFile | None = None

    def names(self) -> list[str]:
        return [m.filename for m in self._open().infolist() if not m.is_dir() and not _skipped(m.filename)]

    def loader(self, member: str) -> Callable[[], bytes]:
        return lambda: self._open().read(member)

    def _open(self) -> zipfile.ZipFile:
        if self._archive is None:
            self._archive = zipfile.ZipFile(self.path)
        return self._archive


def _zip_sources(path: Path) -> Iterator[Source]:
    members = _ZipMembers(path)
    for member in members.names():
        yield f"{path.name}:{member}", members.loader(member)


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
            yield from _zip_sources(path)
        elif path.is_file():
            yield _file_source(path)
        else:
            yield str(path), _missing(path)


def _missing(path: Path) -> Callable[[], bytes]:
    def load() -> bytes:
        raise FileNotFoundError(f"{path}: no such file or folder")

    return load
