"""manage.py restore SRC: a backup into an empty deployment, migrated to this release (docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup.layout import BackupError
from core.backup.restore import backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database and data folder, then migrate."

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path, help="The backup folder (it holds manifest.json).")

    def handle(self, *args, src, **options):
        try:
            contents = backup_restore(src=src, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"restored the backup of {contents['created_at']}: the database and {len(contents['files'])} files"))
