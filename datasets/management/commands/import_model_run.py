"""`manage.py import_model_run RUN_DIR`: import a training run's report and predictions, then reprioritize."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from datasets.services.model_runs import model_run_import


class Command(BaseCommand):
    help = "Imports a training run directory (report.json, predictions.csv/json, plots) into the platform."

    def add_arguments(self, parser):
        parser.add_argument("run_dir", type=Path)
        parser.add_argument("--name", default="")

    def handle(self, *args, run_dir, name, **options):
        try:
            run = model_run_import(run_dir=run_dir, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"imported {run} ({run.predictions.count()} study predictions, "
                          f"threshold {run.threshold}); priorities recompute queued")
