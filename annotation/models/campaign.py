"""A labeling campaign: which taxonomy version, which studies, which readers, how many reads, what readers may see."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

READS_MIN, READS_MAX = 2, 5


def _default_weights() -> dict:
    return {"mining": 1.0, "active_learning": 1.0}


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    class PriorityPolicy(models.TextChoices):
        BLENDED = "blended", "Blended scores (weights per source), highest first"
        SEQUENTIAL = "sequential", "In the order studies were added"

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    taxonomy = models.ForeignKey("curation.Taxonomy", on_delete=models.PROTECT, related_name="campaigns")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Adaptive overlap: every study starts needing `min_reads`; disagreement on a high-significance
    # trait raises that by one, up to `max_reads`.
    min_reads = models.PositiveSmallIntegerField(
        default=READS_MIN, validators=[MinValueValidator(READS_MIN), MaxValueValidator(READS_MAX)]
    )
    max_reads = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(READS_MIN), MaxValueValidator(READS_MAX)]
    )
    # Blinding: readers see none of these unless the campaign allows it.
    show_other_reads = models.BooleanField(default=False)
    # Readers may see the report-mining verdicts (trait, assertion, section), never the report text (PHI).
    show_mined_verdicts = models.BooleanField(default=False)
    show_predictions = models.BooleanField(default=False)
    # Label scope: study level always; slice ranges and key images on positive traits when enabled.
    slice_ranges = models.BooleanField(default=False)
    priority_policy = models.CharField(max_length=16, choices=PriorityPolicy.choices, default=PriorityPolicy.BLENDED)
    priority_weights = models.JSONField(default=_default_weights, blank=True)
    reservation_minutes = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    # Every `gold_every`-th study a reader gets is a gold-standard study they have not read (0: never).
    gold_every = models.PositiveSmallIntegerField(default=10)
    readers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="reading_campaigns")
    adjudicators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="adjudicating_campaigns")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_reads__gte=READS_MIN)
                & models.Q(max_reads__lte=READS_MAX)
                & models.Q(min_reads__lte=models.F("max_reads")),
                name="campaign_reads_per_study_2_to_5",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
