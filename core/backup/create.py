"""backup_create: dump the database, then copy every stored file, then write the manifest.

Consistency: the dump is one snapshot, taken first. Stored files only accumulate (instances are content
addressed, dataset versions are published by a rename before their row says so), so every file a dumped row
names is already on disk when the copy starts; files that arrive later are copied too and are harmless extras.
"""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from core.backup import manifest, postgres
from core.backup.hashing import copy_hashed, file_sha256
from core.backup.layout import DATABASE_DUMP, DEID_KEY, FILES, SKIPPED_PREFIXES, BackupError, file_roots


def _prepare(dest: Path) -> None:
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: back up into a new folder")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    dest.chmod(0o700)  # it holds the linkage table (PHI), password hashes and API tokens


def _copy_root(name: str, root: Path, dest: Path) -> list[dict]:
    entries = []
    if not root.is_dir():
        return entries
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or relative.startswith(SKIPPED_PREFIXES):
            continue
        try:
            size, sha256 = copy_hashed(path, dest / FILES / name / relative)
        except FileNotFoundError:
            continue  # removed since the listing (an ingest's upload, an orphan plot): no row names it
        entries.append({"root": name, "path": relative, "bytes": size, "sha256": sha256})
    return entries


def backup_create(*, dest: Path, include_deid_key: bool = False, progress=lambda message: None) -> dict:
    """Write a complete backup of this deployment into `dest` (new or empty); returns its manifest."""
    dest = Path(dest)
    roots = file_roots()
    _prepare(dest)
    started = datetime.now(UTC)
    progress("dumping the database")
    postgres.dump(dest / DATABASE_DUMP)
    files = []
    for name, root in roots.items():
        progress(f"copying {name} files from {root}")
        files += _copy_root(name, root, dest)
    if include_deid_key:
        (dest / DEID_KEY).write_text(settings.RADCURATE_DEID_KEY)
        (dest / DEID_KEY).chmod(0o600)
    result = {
        "created_at": started.isoformat(),
        "postgres_server": postgres.server_version(),
        "migrations": manifest.applied_migrations(),
        "database": {"path": DATABASE_DUMP, "bytes": (dest / DATABASE_DUMP).stat().st_size,
                     "sha256": file_sha256(dest / DATABASE_DUMP)},
        "files": files,
        "deid_key": {"fingerprint": manifest.deid_key_fingerprint(), "included": include_deid_key},
    }
    manifest.write(dest, result)
    total = sum(entry["bytes"] for entry in files) + result["database"]["bytes"]
    progress(f"backup written to {dest}: the database and {len(files)} files, {total / 2**20:.1f} MiB")
    return result
