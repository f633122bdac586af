"""manifest.json of a backup: when and from what it was made, the dump's hash, and every file with its hash."""

import hashlib
import hmac
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from core.backup.layout import FORMAT, MANIFEST, BackupError


def deid_key_fingerprint() -> str:
    """Names the key without revealing it, so a restore can tell whether it runs with the archive's key."""
    key = settings.RADCURATE_DEID_KEY.encode()
    return hmac.new(key, b"radcurate-backup-deid-key-fingerprint", hashlib.sha256).hexdigest()[:16]


def applied_migrations() -> dict[str, list[str]]:
    applied = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def write(root: Path, manifest: dict) -> None:
    path = root / MANIFEST
    with open(path, "w") as handle:
        json.dump({"format": FORMAT, **manifest}, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    path.chmod(0o600)


def read(root: Path) -> dict:
    path = root / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} not found: not a backup, or one that did not finish (the manifest is written last)")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: format {manifest.get('format')!r}, this release reads {FORMAT!r}")
    return manifest
