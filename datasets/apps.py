from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "datasets"

    def ready(self):
        from core.jobs import JobKind, job_kind_register

        from .models import ExportJob

        # Stalled exports are re-queued by core's sweep.
        job_kind_register(JobKind("export job", ExportJob, requeue="datasets.services.export.export_job_requeue",
                                  fail="datasets.services.export.export_job_stall_fail"))
