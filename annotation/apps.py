from django.apps import AppConfig


class AnnotationConfig(AppConfig):
    name = "annotation"

    def ready(self):
        from core.jobs import JobKind, job_kind_register

        from .models import DawidSkeneRun

        # Stalled Dawid–Skene runs are re-sent by core's sweep; a stall shows in the run's message.
        job_kind_register(JobKind("dawid-skene run", DawidSkeneRun,
                                  requeue="annotation.services.consensus.dawid_skene_run_requeue",
                                  fail="annotation.services.consensus.dawid_skene_run_stall_fail"))
