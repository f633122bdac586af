"""The worklist: a campaign's studies with their read targets and priorities, and readers' reservations of them."""

from django.conf import settings
from django.db import models


class CampaignStudy(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Needs reads"
        ADJUDICATION = "adjudication", "Awaiting adjudication"
        COMPLETE = "complete", "Consensus reached"

    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="campaign_studies")
    study = models.ForeignKey("curation.Study", on_delete=models.PROTECT, related_name="campaign_entries")
    # Reads this study needs now: min_reads at first, raised by adaptive overlap up to max_reads.
    target_reads = models.PositiveSmallIntegerField()
    n_submitted = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.FloatField(default=0.0)
    priority_reason = models.TextField(blank=True)
    # Gold-standard studies are read by every reader in the pool and score readers against known answers.
    is_gold = models.BooleanField(default=False)
    gold_labels = models.JSONField(default=dict, blank=True)  # trait code -> present/absent
    added_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "campaign studies"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "study"], name="campaignstudy_once_per_campaign"),
            models.CheckConstraint(condition=models.Q(target_reads__lte=5), name="campaignstudy_target_at_most_5"),
        ]
        indexes = [models.Index(fields=["campaign", "status", "-priority", "id"], name="campaignstudy_worklist")]

    def __str__(self):
        return f"{self.campaign_id}/{self.study_id}"


class Assignment(models.Model):
    """One reader's claim on one study of a campaign: reserved until it expires, then submitted or released."""

    class Status(models.TextChoices):
        RESERVED = "reserved", "Reserved"
        SUBMITTED = "submitted", "Submitted"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"

    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="assignments")
    campaign_study = models.ForeignKey(CampaignStudy, on_delete=models.CASCADE, related_name="assignments")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RESERVED)
    reserved_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    priority = models.FloatField(default=0.0)
    reason = models.TextField(blank=True, help_text="Why the worklist chose this study for this reader.")

    class Meta:
        constraints = [
            # A reader never reads the same study twice in a campaign (amendments are versions of one read).
            models.UniqueConstraint(fields=["campaign_study", "reader"], name="assignment_one_per_reader_study"),
        ]
        indexes = [
            models.Index(fields=["campaign", "reader", "status"], name="assignment_reader"),
            models.Index(fields=["campaign_study", "status"], name="assignment_study"),
        ]

    def __str__(self):
        return f"{self.reader_id}@{self.campaign_study_id} ({self.status})"
