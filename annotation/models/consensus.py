"""Consensus labels per study and trait, the adjudication tasks that settle disagreements, and reader confusion estimates."""

from django.conf import settings
from django.db import models


class Consensus(models.Model):
    class Method(models.TextChoices):
        MAJORITY = "majority", "Majority vote"
        ADJUDICATED = "adjudicated", "Adjudicated"
        GOLD = "gold", "Gold standard"
        PENDING = "pending", "Awaiting adjudication"

    campaign_study = models.ForeignKey("annotation.CampaignStudy", on_delete=models.CASCADE, related_name="consensus")
    trait = models.ForeignKey("curation.Trait", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=16, blank=True)  # present / absent; empty while pending
    method = models.CharField(max_length=16, choices=Method.choices)
    votes = models.JSONField(default=dict)  # present/absent/uncertain -> count
    soft_label = models.FloatField(null=True, blank=True)  # vote fraction for present (uncertain = half)
    n_reads = models.PositiveSmallIntegerField(default=0)
    slice_ranges = models.JSONField(default=list, blank=True)  # union of positive reads' ranges
    key_images = models.JSONField(default=list, blank=True)  # union of positive reads' key images (slice indices)
    adjudication = models.ForeignKey(
        "annotation.AdjudicationTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ds_probability = models.FloatField(null=True, blank=True, help_text="Dawid–Skene posterior of present.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "consensus"
        constraints = [models.UniqueConstraint(fields=["campaign_study", "trait"], name="consensus_one_per_trait")]

    def __str__(self):
        return f"{self.campaign_study_id}/{self.trait_id}={self.label or '?'} ({self.method})"


class AdjudicationTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DECIDED = "decided", "Decided"
        SUPERSEDED = "superseded", "Superseded (reads changed)"

    campaign_study = models.ForeignKey(
        "annotation.CampaignStudy", on_delete=models.CASCADE, related_name="adjudications"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    traits = models.JSONField(default=dict)  # trait code -> reason (tie / high_disagreement)
    decisions = models.JSONField(default=dict, blank=True)  # trait code -> present / absent
    note = models.TextField(blank=True)
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="adjudications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="adjudication_queue")]

    def __str__(self):
        return f"adjudication {self.pk} ({self.status})"


class ReaderConfusion(models.Model):
    """Dawid–Skene's estimate of one reader's sensitivity and specificity on one trait of a campaign."""

    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="reader_confusion")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    trait = models.ForeignKey("curation.Trait", on_delete=models.CASCADE, related_name="+")
    sensitivity = models.FloatField(null=True, blank=True)
    specificity = models.FloatField(null=True, blank=True)
    n_calls = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "reader", "trait"], name="readerconfusion_unique")
        ]

    def __str__(self):
        return f"{self.reader_id}/{self.trait_id}: se={self.sensitivity} sp={self.specificity}"
