"""`manage.py mine_text [--mapping-set VERSION]`: one text per stdin line in, one JSON findings line out.

Reads the mapping set (latest published by default) and writes nothing to the database, so curators
and scripts can check the pipeline on any text.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from reports_nlp.models import MappingSet
from reports_nlp.pipeline import mine_text_line
from reports_nlp.pipeline_cache import pipeline_for
from reports_nlp.selectors.mapping_sets import mapping_set_get


class Command(BaseCommand):
    help = "Mines each line of standard input and prints one JSON object per line: {\"findings\": [...]}."

    def add_arguments(self, parser):
        parser.add_argument("--mapping-set", type=int, default=None, metavar="VERSION",
                            help="Mapping set version (default: the latest published).")

    def handle(self, *args, mapping_set, **options):
        try:
            stored = mapping_set_get(version=mapping_set)
        except MappingSet.DoesNotExist as exc:
            wanted = f"v{mapping_set}" if mapping_set else "published"
            raise CommandError(f"No mapping set {wanted}.") from exc
        pipeline = pipeline_for(stored)
        out = self.stdout
        for line in sys.stdin:
            out.write(mine_text_line(pipeline, line))
            out.flush()
