"""Mining runs: one mapping set applied to the current reports, in chunks of report ids, and their results.

Results are kept per run so runs with different mapping sets can be compared; trait codes are
stored as codes (the run's mapping set fixes the taxonomy version), which keeps bulk writes cheap.
"""

from django.conf import settings
from django.db import models

from core.jobs import HeartbeatJob

ASSERTIONS = ("present", "absent", "uncertain", "historical")
VERDICTS = ("present", "uncertain", "historical", "absent")  # "not mentioned" is the absence of a row


class MiningRun(HeartbeatJob):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE_STATUSES = (Status.RUNNING,)  # a pending run was never dispatched: nothing to re-queue

    mapping_set = models.ForeignKey("reports_nlp.MappingSet", on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    chunk_size = models.PositiveIntegerField(default=2000)
    filters = models.JSONField(default=dict, blank=True, help_text="Which reports: report_date_from/to, linked_only.")
    total_reports = models.PositiveIntegerField(default=0)
    done_reports = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"mining run {self.pk} ({self.status}, {self.done_reports}/{self.total_reports})"

    @property
    def progress(self) -> float:
        return self.done_reports / self.total_reports if self.total_reports else 1.0


class MiningChunk(models.Model):
    """A contiguous range of report ids; `done_at` marks it complete, so a resumed run skips it."""

    run = models.ForeignKey(MiningRun, on_delete=models.CASCADE, related_name="chunks")
    first_report_id = models.BigIntegerField()
    last_report_id = models.BigIntegerField()
    report_count = models.PositiveIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_report_id"]
        constraints = [models.UniqueConstraint(fields=["run", "first_report_id"], name="miningchunk_unique_start")]

    def __str__(self):
        return f"chunk {self.first_report_id}-{self.last_report_id} of run {self.run_id}"


class _Evidence(models.Model):
    """Offsets into the report text; the text itself is read from the report, behind its access rules."""

    run = models.ForeignKey(MiningRun, on_delete=models.CASCADE)
    report = models.ForeignKey("reports_nlp.Report", on_delete=models.CASCADE)
    trait_code = models.CharField(max_length=64)
    section = models.CharField(max_length=32)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    sentence_start = models.PositiveIntegerField()
    sentence_end = models.PositiveIntegerField()
    phrase = models.CharField(max_length=200, help_text="The matched phrase, lowercase.")
    cue = models.CharField(max_length=100, blank=True, help_text="The ConText trigger that decided the assertion.")

    class Meta:
        abstract = True


class Finding(_Evidence):
    """One phrase match in one report, with its assertion."""

    assertion = models.CharField(max_length=16, choices=[(a, a) for a in ASSERTIONS])

    class Meta:
        indexes = [
            models.Index(fields=["run", "trait_code", "assertion"], name="finding_run_trait_assertion"),
            models.Index(fields=["run", "report"], name="finding_run_report"),
        ]

    def __str__(self):
        return f"{self.trait_code} {self.assertion} in report {self.report_id}"


class ReportVerdict(_Evidence):
    """The report-level verdict per trait, the evidence that decided it, and the candidate score."""

    verdict = models.CharField(max_length=16, choices=[(v, v) for v in VERDICTS])
    score = models.FloatField(default=0.0, help_text="Candidate score: rarity x significance x verdict x weight.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "report", "trait_code"], name="reportverdict_unique"),
        ]
        indexes = [
            models.Index(fields=["run", "trait_code", "verdict"], name="verdict_run_trait"),
            models.Index(fields=["run", "-score"], name="verdict_run_score"),
        ]

    def __str__(self):
        return f"{self.trait_code} {self.verdict} in report {self.report_id}"
