"""`manage.py import_fhir_reports FILE...`: import FHIR R4 DiagnosticReports (a resource or a Bundle per JSON file).

Prints each resource's outcome by its id; never prints report content.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports_nlp.services.report_feeds import fhir_payload_receive


class Command(BaseCommand):
    help = "Imports FHIR R4 DiagnosticReport resources (or Bundles of them) from JSON files."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        failed = 0
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                data = json.loads(path.read_bytes())
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                self.stderr.write(f"{path}: not JSON ({type(exc).__name__} at {getattr(exc, 'pos', '?')})")
                failed += 1
                continue
            for outcome in fhir_payload_receive(data=data, source=f"fhir file {path.name}"):
                line = f"{path}: {outcome.control_id or '(no id)'}: {outcome.kind}"
                if outcome.ack_code == "AA":
                    self.stdout.write(line)
                else:
                    self.stderr.write(f"{line} ({outcome.detail})")
                    failed += 1
        if failed:
            raise CommandError(f"{failed} resource(s) or file(s) could not be imported")
