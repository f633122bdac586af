from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "datasets"

    def ready(self):
        from core.jobs import JobKind, job_kind_register

        from .models import ExportJob, PriorityRecomputeJob

        # Stalled exports and priority recomputes are re-queued by core's sweep.
        job_kind_register(JobKind("export job", ExportJob, requeue="datasets.services.export.export_job_requeue",
                                  fail="datasets.services.export.export_job_stall_fail"))
        job_kind_register(JobKind("priority recompute", PriorityRecomputeJob,
                                  requeue="datasets.services.active_learning.priorities_recompute_job_requeue",
                                  fail="datasets.services.active_learning.priorities_recompute_job_stall_fail"))
