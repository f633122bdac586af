"""Bounds on zip and tar archives from outside: member size, total size, member count and compression ratio.

Each archive is checked from its own directory first (declared sizes, count, ratio: nothing is inflated), then
again on the real bytes while they stream: a zip can misstate its sizes, so a member is read in chunks and
refused as soon as it yields more than it declared or more than the member limit. Member names are checked
before anything is written. Domain-free: callers turn `ArchiveRefused` into their own error (a rejection,
a 400). zipfile and tarfile read the formats but bound nothing (zipfile trusts the central directory), so
these few checks are ours.
"""

import copy
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

CHUNK_BYTES = 1 << 20
# The ratio is only judged on members over 1 MiB: a small file of repeated bytes is harmless at any ratio,
# and a blank 512x512 CT slice (514 KB of one value) compresses past 500:1 without being an attack.
RATIO_FLOOR_BYTES = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipLimits:
    """What one archive may hold; `from_settings()` reads the RADCURATE_ZIP_* settings."""

    max_member_bytes: int
    max_total_bytes: int
    max_members: int
    max_ratio: float

    @classmethod
    def from_settings(cls) -> "ZipLimits":
        return cls(
            max_member_bytes=settings.RADCURATE_ZIP_MAX_MEMBER_BYTES,
            max_total_bytes=settings.RADCURATE_ZIP_MAX_TOTAL_BYTES,
            max_members=settings.RADCURATE_ZIP_MAX_MEMBERS,
            max_ratio=settings.RADCURATE_ZIP_MAX_RATIO,
        )


class ArchiveRefused(ValueError):
    """An archive (or one member) past a limit or unsafe to extract; the message names the member and the limit.

    `member` is the member's name ("" for the archive as a whole); `limit` the setting that was exceeded, or ""
    when the archive is damaged or a name is unsafe.
    """

    def __init__(self, message: str, *, member: str = "", limit: str = ""):
        super().__init__(message)
        self.message = message
        self.member = member
        self.limit = limit

    def __str__(self) -> str:
        return self.message


def _over_member_limit(label: str, name: str, size: int, limits: ZipLimits) -> ArchiveRefused:
    return ArchiveRefused(
        f"{label}: member '{name}' is {size:,} bytes uncompressed, over the limit of {limits.max_member_bytes:,} "
        "bytes a member (RADCURATE_ZIP_MAX_MEMBER_BYTES).", member=name, limit="RADCURATE_ZIP_MAX_MEMBER_BYTES")


class _Tally:
    """Counts members and declared bytes as an archive's directory is read, refusing at the first excess."""

    def __init__(self, limits: ZipLimits, label: str, compressed_total: int | None = None):
        self.limits, self.label, self.compressed_total = limits, label, compressed_total
        self.members = 0
        self.total = 0

    def add(self, name: str, size: int, compressed: int | None) -> None:
        limits, label = self.limits, self.label
        self.members += 1
        if self.members > limits.max_members:
            raise ArchiveRefused(
                f"{label}: member '{name}' is member {self.members:,}, over the limit of {limits.max_members:,} "
                "members an archive (RADCURATE_ZIP_MAX_MEMBERS).", member=name, limit="RADCURATE_ZIP_MAX_MEMBERS")
        if size > limits.max_member_bytes:
            raise _over_member_limit(label, name, size, limits)
        if compressed is not None and size > RATIO_FLOOR_BYTES and size > limits.max_ratio * max(compressed, 1):
            raise ArchiveRefused(
                f"{label}: member '{name}' expands {size / max(compressed, 1):,.0f}:1 ({compressed:,} bytes to "
                f"{size:,}), over the {limits.max_ratio:g}:1 compression ratio limit (RADCURATE_ZIP_MAX_RATIO).",
                member=name, limit="RADCURATE_ZIP_MAX_RATIO")
        self.total += size
        if self.total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"{label}: member '{name}' brings the archive to {self.total:,} bytes uncompressed, over the limit "
                f"of {limits.max_total_bytes:,} bytes an archive (RADCURATE_ZIP_MAX_TOTAL_BYTES).",
                member=name, limit="RADCURATE_ZIP_MAX_TOTAL_BYTES")
        # A compressed tar has one stream: its ratio is the declared total over the compressed file's size.
        if (self.compressed_total is not None and self.total > RATIO_FLOOR_BYTES
                and self.total > limits.max_ratio * max(self.compressed_total, 1)):
            raise ArchiveRefused(
                f"{label}: member '{name}' brings the archive to {self.total:,} bytes from {self.compressed_total:,} "
                f"compressed, over the {limits.max_ratio:g}:1 compression ratio limit (RADCURATE_ZIP_MAX_RATIO).",
                member=name, limit="RADCURATE_ZIP_MAX_RATIO")


def check_zip(zf: zipfile.ZipFile, limits: ZipLimits, *, label: str = "archive") -> list[zipfile.ZipInfo]:
    """The archive's members (folders included) after checking its central directory against `limits`."""
    tally = _Tally(limits, label)
    infos = zf.infolist()
    for info in infos:
        tally.add(info.filename, info.file_size, info.compress_size)
    return infos


def iter_member_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, *, label: str = "archive",
                       chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """A member's bytes in chunks, refused as soon as they pass its declared size or the member limit."""
    bound = min(info.file_size, limits.max_member_bytes)
    probe = copy.copy(info)
    # zipfile stops at the declared size and then fails the CRC: let it hand over one byte more (and check the
    # CRC here), so a member that holds more than it declares is caught as such.
    probe.file_size = bound + 1
    probe.CRC = None
    seen, crc = 0, 0
    try:
        with zf.open(probe) as fh:
            while chunk := fh.read(chunk_bytes):
                seen += len(chunk)
                if seen > info.file_size:
                    raise ArchiveRefused(
                        f"{label}: member '{info.filename}' holds more than the {info.file_size:,} bytes its central "
                        "directory declares (a zip that misstates its sizes is refused; RADCURATE_ZIP_MAX_MEMBER_BYTES"
                        " and RADCURATE_ZIP_MAX_RATIO are checked on declared sizes).",
                        member=info.filename, limit="RADCURATE_ZIP_MAX_MEMBER_BYTES")
                if seen > bound:
                    raise _over_member_limit(label, info.filename, seen, limits)
                crc = zlib.crc32(chunk, crc)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ArchiveRefused(f"{label}: member '{info.filename}' cannot be read ({exc}).",
                             member=info.filename) from exc
    if seen != info.file_size:
        raise ArchiveRefused(f"{label}: member '{info.filename}' holds {seen:,} bytes, not the {info.file_size:,} "
                             "its central directory declares.", member=info.filename)
    if crc != info.CRC:
        raise ArchiveRefused(f"{label}: member '{info.filename}' is damaged (its CRC-32 does not match).",
                             member=info.filename)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, *, label: str = "archive") -> bytes:
    """A member's bytes, read in chunks within `limits` (never more than its declared size)."""
    return b"".join(iter_member_chunks(zf, info, limits, label=label))


def check_member_name(name: str, *, label: str = "archive") -> PurePosixPath:
    """The member's relative path, or ArchiveRefused when it is absolute or climbs out with '..'."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts or "\x00" in name:
        raise ArchiveRefused(f"{label}: member '{name}' would be written outside the folder it is extracted to "
                             "(absolute path or '..').", member=name)
    return PurePosixPath(*[p for p in parts if p not in ("", ".")])


def _zip_is_link(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def extract_zip(zf: zipfile.ZipFile, dest: Path, limits: ZipLimits, *, label: str = "archive") -> None:
    """Extract within `limits`: sizes, names and links are all checked before the first byte is written."""
    infos = check_zip(zf, limits, label=label)
    targets = []
    for info in infos:
        relative = check_member_name(info.filename, label=label)
        if _zip_is_link(info):
            raise ArchiveRefused(f"{label}: member '{info.filename}' is a symbolic link; links are not extracted.",
                                 member=info.filename)
        targets.append((info, dest / relative))
    dest.mkdir(parents=True, exist_ok=True)
    for info, target in targets:
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for chunk in iter_member_chunks(zf, info, limits, label=label):
                out.write(chunk)


def check_tar(tf: tarfile.TarFile, limits: ZipLimits, *, label: str = "archive",
              compressed_bytes: int) -> list[tarfile.TarInfo]:
    """A tar's members after checking each header before its data is read: count, sizes, the overall ratio
    (declared bytes over the archive file's `compressed_bytes`), names, and no links or devices."""
    tally = _Tally(limits, label, compressed_total=compressed_bytes)
    members = []
    for member in tf:  # headers one by one: a bomb is refused before its data is inflated
        tally.add(member.name, member.size, None)
        check_member_name(member.name, label=label)
        if not (member.isfile() or member.isdir()):
            raise ArchiveRefused(f"{label}: member '{member.name}' is a link or a special file; only files and "
                                 "folders are extracted.", member=member.name)
        members.append(member)
    return members
