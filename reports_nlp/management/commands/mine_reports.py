"""`manage.py mine_reports`: start (or resume) a mining run and show its progress bar.

With a broker the chunks go to the Celery workers and this command follows the run's progress;
without one (or with --local) it mines them here, in --processes processes.
"""

import time

from celery import current_app
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from reports_nlp.models import MappingSet, MiningRun
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create, mining_run_dispatch
from reports_nlp.services.mining_local import mining_run_process_locally


class Command(BaseCommand):
    help = "Mines the current reports with a mapping set (default: the latest published), chunked and resumable."

    def add_arguments(self, parser):
        parser.add_argument("--mapping-set", type=int, default=None, metavar="VERSION")
        parser.add_argument("--resume", type=int, default=None, metavar="RUN_ID",
                            help="Resume this run: its done chunks are skipped.")
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument("--linked-only", action="store_true", help="Only reports linked to a study.")
        parser.add_argument("--local", action="store_true", help="Mine here even when a broker is configured.")
        parser.add_argument("--processes", type=int, default=1, help="Processes for local mining.")
        parser.add_argument("--no-wait", action="store_true", help="Dispatch to the workers and return.")

    def handle(self, *args, **opts):
        run = self._run(opts)
        self.stdout.write(f"mining run {run.pk}: mapping set v{run.mapping_set.version}, "
                          f"{run.total_reports} reports in {run.chunks.count()} chunks")
        local = opts["local"] or current_app.conf.task_always_eager
        if local:
            with tqdm(total=run.total_reports, initial=run.done_reports, unit="report", file=self.stderr) as bar:
                run = mining_run_process_locally(run=run, processes=opts["processes"], on_chunk=bar.update)
        else:
            mining_run_dispatch(run=run)
            if opts["no_wait"]:
                self.stdout.write(f"dispatched; follow it with GET /api/reports/mining-runs/{run.pk}/")
                return
            run = self._follow(run)
        self.stdout.write(f"mining run {run.pk}: {run.status}, {run.done_reports}/{run.total_reports} reports")
        if run.status != MiningRun.Status.DONE:
            raise CommandError(f"mining run {run.pk} {run.status}: {run.error or 'not finished'}")

    def _run(self, opts) -> MiningRun:
        if opts["resume"]:
            run = MiningRun.objects.filter(pk=opts["resume"]).select_related("mapping_set").first()
            if run is None:
                raise CommandError(f"No mining run {opts['resume']}.")
            return run
        try:
            mapping_set = mapping_set_get(version=opts["mapping_set"])
        except MappingSet.DoesNotExist as exc:
            raise CommandError(f"No mapping set {opts['mapping_set'] or '(published)'}.") from exc
        filters = {"linked_only": True} if opts["linked_only"] else {}
        return mining_run_create(mapping_set=mapping_set, chunk_size=opts["chunk_size"], filters=filters)

    def _follow(self, run: MiningRun) -> MiningRun:
        with tqdm(total=run.total_reports, initial=run.done_reports, unit="report", file=self.stderr) as bar:
            while run.status == MiningRun.Status.RUNNING:
                time.sleep(1)
                run.refresh_from_db()
                bar.update(run.done_reports - bar.n)
        return run
