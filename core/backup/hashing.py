"""Copy a file while hashing it, and check a copy against its hash."""

import hashlib
import os
import shutil
from pathlib import Path

CHUNK = 1 << 20


def copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy `source` to `target` (folders made, data synced to disk); return (bytes, SHA-256 of what was copied)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    shutil.copystat(source, target)
    return size, digest.hexdigest()


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
