"""manage.py backup DEST: the database and every stored file, with a manifest of hashes (docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup.create import backup_create
from core.backup.layout import BackupError


class Command(BaseCommand):
    help = "Write a consistent backup (database dump, stored files, manifest with SHA-256) into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="A new or empty folder; it will hold PHI (the linkage table).")
        parser.add_argument("--include-deid-key", action="store_true",
                            help="Also copy RADCURATE_DEID_KEY into the backup (mode 0600). Without it, keep the "
                                 "key separately: a restore needs the same key.")

    def handle(self, *args, dest, include_deid_key, **options):
        try:
            backup_create(dest=dest, include_deid_key=include_deid_key, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
