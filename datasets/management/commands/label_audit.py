"""`manage.py label_audit --run RUN --campaign CAMPAIGN`: queue likely-wrong consensus labels for adjudication."""

from django.core.management.base import BaseCommand, CommandError

from annotation.models import Campaign
from datasets.models import ModelRun
from datasets.services.label_audit import label_audit_queue


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--run", type=int, required=True, help="model run id (its out-of-sample predictions)")
        parser.add_argument("--campaign", type=int, required=True, help="campaign whose consensus is audited")
        parser.add_argument("--limit", type=int, help="queue at most this many flags, most likely wrong first")

    def handle(self, *args, run, campaign, limit=None, **options):
        model_run = ModelRun.objects.filter(pk=run).first()
        target = Campaign.objects.filter(pk=campaign).first()
        if model_run is None or target is None:
            raise CommandError(f"no model run {run}" if model_run is None else f"no campaign {campaign}")
        flags = label_audit_queue(run=model_run, campaign=target, limit=limit)
        for flag in flags:
            self.stdout.write(f"study {flag['study_id']} {flag['trait']}: {flag['reason']}")
        self.stdout.write(f"{len(flags)} labels sent to adjudication in campaign '{target.name}'")
