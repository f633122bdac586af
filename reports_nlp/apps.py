from django.apps import AppConfig


class ReportsNlpConfig(AppConfig):
    name = "reports_nlp"

    def ready(self):
        from core.jobs import JobKind, job_kind_register

        from . import signals  # noqa: F401  (links waiting reports when the archive ingests their study)
        from .models import MiningRun

        # Stalled runs are re-queued by core's sweep; a run shows a stall through its `stalled` flag.
        job_kind_register(JobKind("mining run", MiningRun, requeue="reports_nlp.services.mining.mining_run_requeue",
                                  fail="reports_nlp.services.mining.mining_run_stall_fail", message_field=""))
