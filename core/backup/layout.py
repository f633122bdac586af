"""What a backup directory holds and which folders of the deployment it covers.

    <backup>/manifest.json      written last: its presence marks a complete backup
    <backup>/database.dump      pg_dump custom format (one consistent snapshot)
    <backup>/files/<root>/...   copies of every file under each root, hashed in the manifest
    <backup>/deid_key           only with --include-deid-key (mode 0600)
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

FORMAT = "radcurate-backup/1"
MANIFEST = "manifest.json"
DATABASE_DUMP = "database.dump"
FILES = "files"
DEID_KEY = "deid_key"
# Readiness probes write and delete a file here; one caught half way belongs to no deployment.
SKIPPED_PREFIXES = (".readyz",)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what is wrong and what to do."""


def file_roots() -> dict[str, Path]:
    """The deployment's folders, by the name they have inside a backup."""
    location = getattr(default_storage, "location", None)
    if location is None:
        raise BackupError(f"the file storage is {type(default_storage).__name__}, not a folder: back its bucket up "
                          "with the store's own versioning or replication, and the database with pg_dump")
    return {"storage": Path(location), "datasets": Path(settings.RADCURATE_DATASETS_DIR)}
