"""One attempt at writing a dataset version, with the progress the page shows.

Which chunks are done lives in the staging area (one marker file per chunk), so a later attempt of the
same version skips them whatever happened to this row or to the worker that ran it.
"""

from django.conf import settings
from django.db import models

from core.jobs import HeartbeatJob


class ExportJob(HeartbeatJob):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PLANNING = "planning", "Planning"
        WRITING = "writing", "Writing volumes"
        PUBLISHING = "publishing", "Verifying and publishing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE_STATUSES = (Status.QUEUED, Status.PLANNING, Status.WRITING, Status.PUBLISHING)

    version = models.ForeignKey("datasets.DatasetVersion", on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    chunks_skipped = models.PositiveIntegerField(default=0, help_text="Done by an earlier attempt and not redone.")
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"export job {self.pk} of {self.version_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.chunks_done / self.chunks_total) if self.chunks_total else 0
