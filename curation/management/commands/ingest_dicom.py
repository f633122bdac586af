"""`manage.py ingest_dicom PATH [PATH ...]`: ingest files, folders and zip files with a progress bar."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from curation.services.archive import SOURCES, ingest_paths


class Command(BaseCommand):
    help = "Ingest DICOM files, folders and zip files into the archive; print accepted, duplicate, rejected."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--source", default="cli", choices=SOURCES)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI).")

    def handle(self, *args, paths, source, no_progress, **options):
        bar = None if no_progress else tqdm(unit="inst", desc="ingest", file=self.stderr._out)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        # `is not None`: a tqdm bar has no truth value until its total is known (bool() raises TypeError).
        summary = ingest_paths(paths, source=source, progress=progress if bar is not None else None)
        if bar is not None:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"Ingest finished: {summary}"))
        for rule, count in sorted(summary.rejected.items()):
            self.stdout.write(f"  rejected {rule}: {count}")
