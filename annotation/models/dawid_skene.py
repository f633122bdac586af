"""A Dawid–Skene fit of a campaign as a job: queued by the API, run by a worker, its progress shown until it ends.

It beats its heartbeat after each trait fitted; core's sweep re-sends a stalled run (a refit is idempotent).
"""

from django.conf import settings
from django.db import models

from core.jobs import HeartbeatJob


class DawidSkeneRun(HeartbeatJob):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="dawid_skene_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    traits_total = models.PositiveIntegerField(default=0, help_text="Traits with reads to fit (known once running).")
    traits_done = models.PositiveIntegerField(default=0, help_text="Traits fitted so far.")
    summary = models.JSONField(default=dict, blank=True,
                               help_text="When done: trait code -> estimated prevalence and number of calls.")
    message = models.TextField(blank=True, help_text="Why it failed.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "-created_at"], name="ds_run_campaign_recent")]

    def __str__(self):
        return f"Dawid–Skene run {self.pk} of campaign {self.campaign_id}: {self.status}"
