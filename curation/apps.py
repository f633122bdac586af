from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "curation"

    def ready(self):
        from core.jobs import JobKind, job_kind_register

        from . import signals  # noqa: F401  (guards published taxonomies against m2m edits)
        from .dicom import pydicom_log, reading_mode
        from .models import IngestJob

        # Stalled uploads are re-queued by core's sweep.
        job_kind_register(JobKind("ingest job", IngestJob, requeue="curation.services.ingest_job.ingest_job_requeue",
                                  fail="curation.services.ingest_job.ingest_job_stall_fail"))
        # Ingest threads switch pydicom's strict reading on and off; each must see only its own switch.
        reading_mode.install()
        # pydicom quotes the header values it warns about; the log gets the warning, not the value.
        pydicom_log.install()
