"""Imported model runs: a training run directory's config, evaluation report and per-study predictions."""

from django.conf import settings
from django.db import models


class ModelRun(models.Model):
    name = models.CharField(max_length=200)
    dataset_version = models.ForeignKey(
        "datasets.DatasetVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="model_runs"
    )
    dataset_content_hash = models.CharField(max_length=64, blank=True)
    config = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True, help_text="The run's report.json: metrics, operating point, Table 2.")
    traits = models.JSONField(default=list)
    high_traits = models.JSONField(default=list, blank=True)
    threshold = models.FloatField(null=True, blank=True, help_text="Certified auto-report threshold, if any.")
    members = models.PositiveSmallIntegerField(default=1)
    plots = models.JSONField(default=list, blank=True, help_text="Storage names of the run's PNG plots.")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    fingerprint = models.CharField(max_length=64, blank=True,
                                   help_text="sha256 of the run's files: the same run is imported once.")

    class Meta:
        ordering = ["-imported_at"]
        constraints = [models.UniqueConstraint(fields=["fingerprint"], condition=~models.Q(fingerprint=""),
                                               name="modelrun_fingerprint_once",
                                               violation_error_message="This run was already imported.")]

    def __str__(self):
        return f"run {self.pk}: {self.name}"


class StudyPrediction(models.Model):
    """One study's ensemble prediction in a run; studies need not be labeled yet."""

    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="predictions")
    study = models.ForeignKey("curation.Study", on_delete=models.CASCADE, related_name="+")
    split = models.CharField(max_length=16, blank=True)
    referral_score = models.FloatField()
    reported = models.BooleanField(help_text="The model reports on this study at the run's operating point.")
    probability = models.JSONField(help_text="{trait code: ensemble mean probability}")
    spread = models.JSONField(default=dict, blank=True, help_text="{trait code: ensemble standard deviation}")
    embedding = models.BinaryField(blank=True, help_text="float32 study embedding, for diversity.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "study"], name="studyprediction_one_per_run")]

    def __str__(self):
        return f"run {self.run_id} study {self.study_id}"


class ActiveLearningPolicy(models.Model):
    """How a campaign's worklist uses model predictions: strategy weights, and which run (latest by default)."""

    campaign = models.OneToOneField("annotation.Campaign", on_delete=models.CASCADE, related_name="+")
    weights = models.JSONField(default=dict, help_text="{strategy: weight}; strategies: entropy, disagreement, "
                               "threshold, rare_significant, report_disagreement, diversity, random.")
    run = models.ForeignKey(ModelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            help_text="Empty: the latest imported run.")
    seed = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"active learning for campaign {self.campaign_id}"
