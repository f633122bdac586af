"""`manage.py import_reports FILE...`: import radiology reports from CSV or JSON Lines files.

Prints the counts per file and each skipped row by line number; never prints report content.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports_nlp.report_files import ReportFileError
from reports_nlp.services.report_import import report_import_file


class Command(BaseCommand):
    help = "Imports reports (columns accession_number, patient_id (optional), report_date, text) from CSV/JSONL."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        failed = []
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                result = report_import_file(data=path.read_bytes(), name=path.name)
            except ReportFileError as exc:
                self.stderr.write(str(exc))
                failed.append(path)
                continue
            self.stdout.write(
                f"{path}: {result.created} new, {result.revised} revised, {result.unchanged} unchanged, "
                f"{len(result.errors)} skipped"
            )
            for line, error in result.errors:
                self.stderr.write(f"{path}:{line}: {error}")
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be imported: {', '.join(map(str, failed))}")
