"""One recompute of active-learning priorities after a model run changed, with its progress per campaign.

Each campaign's priorities are set by an upsert, so a re-sent job (core's sweep, after its worker died)
recomputes every campaign again and adds no rows.
"""

from django.db import models

from core.jobs import HeartbeatJob


class PriorityRecomputeJob(HeartbeatJob):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    run = models.ForeignKey("datasets.ModelRun", null=True, blank=True, on_delete=models.CASCADE,
                            related_name="recompute_jobs", help_text="Empty: the latest run.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    campaigns_total = models.PositiveIntegerField(default=0, help_text="Campaigns following the run (known once running).")
    campaigns_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="A stall, or why it failed.")
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"priority recompute {self.pk} of run {self.run_id or 'latest'} ({self.status})"
