"""A dataset version: its definition (what goes in and how it is split and preprocessed) and its status.

A published version is immutable: its row and its directory never change; a new version is a new row.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.immutable import Publishable, PublishedError
from curation.default_taxonomy import HIGH_CODES


class DatasetVersionPublishedError(PublishedError):
    """Raised on any attempt to change or delete a published dataset version."""

    def __init__(self, version):
        super().__init__(
            f"Dataset '{version.name}' v{version.version} is published and immutable; create a new version instead.",
            code="dataset_published",
        )


class ConsensusMethod(models.TextChoices):
    MAJORITY = "majority", "Majority with adjudication"
    DAWID_SKENE = "dawid_skene", "Dawid–Skene"


def _default_fractions() -> list[float]:
    return [0.7, 0.1, 0.2]


def _default_stratify() -> list[str]:
    return list(HIGH_CODES)


class DatasetVersion(Publishable):
    class Status(models.TextChoices):
        BUILDING = "building", "Building"
        PUBLISHED = Publishable.PUBLISHED, "Published"
        FAILED = "failed", "Failed"

    published_error = DatasetVersionPublishedError

    name = models.SlugField(max_length=100)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BUILDING)
    content_hash = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The definition: sources, labels, splits, preprocessing.
    taxonomy = models.ForeignKey("curation.Taxonomy", on_delete=models.PROTECT, related_name="+")
    campaign_ids = models.JSONField(default=list, help_text="Annotation campaigns whose consensus is exported.")
    filters = models.JSONField(default=dict, blank=True, help_text="Optional: {'sites': [...], 'exclude_gold': bool}.")
    consensus_method = models.CharField(max_length=16, choices=ConsensusMethod.choices, default=ConsensusMethod.MAJORITY)
    traits = models.JSONField(default=list, blank=True, help_text="Trait codes exported; empty means all.")
    split_seed = models.IntegerField(default=0)
    split_fractions = models.JSONField(default=_default_fractions, help_text="[train, calibration, test].")
    calibration_sizing = models.JSONField(
        default=dict, blank=True,
        help_text="When the calibration split was sized for a CSMR target: the target, the reported studies it needs "
                  "(needed), the studies without a high-significance finding the split holds (reportable), met, and "
                  "the lowest target those can certify (certifiable).")
    stratify_on = models.JSONField(default=_default_stratify, blank=True)
    image_rows = models.PositiveIntegerField(default=256, validators=[MinValueValidator(16), MaxValueValidator(2048)])
    image_cols = models.PositiveIntegerField(default=256, validators=[MinValueValidator(16), MaxValueValidator(2048)])
    chunk_studies = models.PositiveIntegerField(default=16, validators=[MinValueValidator(1)])
    # What the export found.
    n_studies = models.PositiveIntegerField(default=0)
    n_slices = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="datasetversion_name_version_unique")]

    def __str__(self):
        return f"{self.name} v{self.version} ({self.status})"

    @property
    def relative_path(self) -> str:
        return f"{self.name}/v{self.version}"
