"""backup_restore: bring a backup back into an empty deployment, then migrate it to this release.

Everything that can be checked is checked before anything is written: the backup against its manifest, its
migrations against this release's, the de-identification key, and that the deployment is empty.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from core.backup import manifest, postgres
from core.backup.hashing import copy_hashed, file_sha256
from core.backup.layout import DATABASE_DUMP, DEID_KEY, FILES, SKIPPED_PREFIXES, BackupError, file_roots

SHOWN_PROBLEMS = 5


def _verify(src: Path, contents: dict) -> None:
    problems = []
    database = contents["database"]
    if not (src / DATABASE_DUMP).is_file() or file_sha256(src / DATABASE_DUMP) != database["sha256"]:
        problems.append(f"{src / DATABASE_DUMP}: missing or its SHA-256 differs from the manifest")
    for entry in contents["files"]:
        path = src / FILES / entry["root"] / entry["path"]
        if not path.is_file():
            problems.append(f"{path}: listed in the manifest but missing")
        elif file_sha256(path) != entry["sha256"]:
            problems.append(f"{path}: SHA-256 differs from the manifest")
    if problems:
        more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
        raise BackupError(f"the backup in {src} is damaged: " + "; ".join(problems[:SHOWN_PROBLEMS]) + more)


def _check_release(contents: dict) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    newer = sorted(f"{app}.{name}" for app, names in contents["migrations"].items() for name in names
                   if (app, name) not in known)
    if newer:
        raise BackupError(f"the backup was made by a newer release (migrations {', '.join(newer[:3])} are unknown "
                          "here): restore it with that release or a later one")


def _check_deid_key(src: Path, contents: dict) -> None:
    if contents["deid_key"]["fingerprint"] == manifest.deid_key_fingerprint():
        return
    where = (f"the backup holds it in {src / DEID_KEY}" if contents["deid_key"]["included"]
             else "it is not in the backup: take it from where the old deployment kept it")
    raise BackupError("this deployment's RADCURATE_DEID_KEY is not the key the backup's archive was de-identified "
                      f"with (fingerprint {manifest.deid_key_fingerprint()}, backup {contents['deid_key']['fingerprint']}"
                      f"); new studies of the same patients would get other pseudonyms. Set RADCURATE_DEID_KEY to "
                      f"the archive's key ({where}) and run restore again")


def _check_empty(roots: dict[str, Path]) -> None:
    found = []
    user_table = get_user_model()._meta.db_table
    if user_table in connection.introspection.table_names():
        users = get_user_model().objects.count()
        if users:
            found.append(f"{users} user accounts in database {connection.settings_dict['NAME']}")
    for root in roots.values():
        stored = [p for p in root.rglob("*") if p.is_file()
                  and not p.relative_to(root).as_posix().startswith(SKIPPED_PREFIXES)] if root.is_dir() else []
        if stored:
            found.append(f"{len(stored)} files under {root}")
    if found:
        raise BackupError("refusing to restore into a deployment that holds data (" + "; ".join(found) + "): "
                          "restore into a new, empty database and data folder")


def backup_restore(*, src: Path, progress=lambda message: None) -> dict:
    """Restore the backup in `src` into this (empty) deployment; returns the backup's manifest."""
    src = Path(src)
    contents = manifest.read(src)
    roots = file_roots()
    progress(f"checking {len(contents['files'])} files and the database dump against the manifest")
    _verify(src, contents)
    _check_release(contents)
    _check_deid_key(src, contents)
    _check_empty(roots)
    progress(f"loading the database dump of {contents['created_at']}")
    postgres.empty_database()  # only what `migrate` made in an empty deployment: the dump brings its own
    postgres.restore(src / DATABASE_DUMP)
    progress("copying the stored files back")
    for entry in contents["files"]:
        _, sha256 = copy_hashed(src / FILES / entry["root"] / entry["path"], roots[entry["root"]] / entry["path"])
        if sha256 != entry["sha256"]:
            raise BackupError(f"{roots[entry['root']] / entry['path']}: copy differs from the backup; disk failing?")
    progress("migrating the restored database to this release")
    call_command("migrate", interactive=False, verbosity=0)
    return contents
