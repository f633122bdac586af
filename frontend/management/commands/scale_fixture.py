"""`manage.py scale_fixture --scale 0.1`: fill a fresh database to a fraction of the paper's size (a bench input)."""

from django.core.management.base import BaseCommand, CommandError

from frontend.scale.build import ScaleSize, build_scale_fixture


class Command(BaseCommand):
    help = ("Fill a freshly migrated database with the paper-scale fixture: 30,000 studies x 160 instances, reports "
            "with findings, a 3-read campaign with consensus and a dataset version, times --scale.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.1, help="fraction of 30,000 studies (1.0: full size)")

    def handle(self, *args, **opts):
        if not 0 < opts["scale"] <= 2:
            raise CommandError(f"--scale {opts['scale']}: give a fraction between 0 and 2.")
        size = ScaleSize(opts["scale"])
        say = self.stdout.write if opts["verbosity"] else (lambda _: None)
        say(f"scale {size.scale}: {size.studies:,} studies, {size.patients:,} patients, {size.instances:,} instances")
        try:
            timings = build_scale_fixture(size, progress=say)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        say(f"done in {sum(timings.values()):.0f} s")
