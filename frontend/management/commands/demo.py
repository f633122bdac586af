"""`manage.py demo`: run the whole pipeline on the embedded defaults, then serve the site."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frontend.demo import run_demo


class Command(BaseCommand):
    help = "Runs every pipeline step on the embedded defaults and serves the site on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Run the steps and exit.")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars (step lines and times only).")
        parser.add_argument("--quick", action="store_true",
                            help="A 36-study cohort at 64x64 and a few training steps (what the tests run).")

    def handle(self, *args, no_serve, bind, quick, no_progress, **options):
        if not (settings.RADCURATE_DEMO or settings.DEBUG):
            raise CommandError("demo creates users with printed passwords; run it with RADCURATE_DEMO=1 (make demo does).")
        run_demo(out=self.stdout.write, quick=quick, progress=not no_progress)
        if no_serve:
            return
        self.stdout.write(f"serving on http://{bind}/  (Ctrl-C stops)")
        sys.stdout.flush()
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        os.execv(gunicorn, [gunicorn, "radcurate.wsgi", "--bind", bind, "--threads", "8", "--access-logfile", "-"])
