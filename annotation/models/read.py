"""Reads: one reader's labels for one study. Drafts are autosaved and mutable; a submitted version never changes."""

from django.core.exceptions import ValidationError
from django.db import models

from core.immutable import FrozenOnceFinal, FrozenWithParent


class ReadImmutableError(ValidationError):
    def __init__(self, read_id):
        super().__init__(
            f"Read {read_id} is submitted and immutable; amend it to create a new version.", code="read_submitted"
        )


class ReadAlreadySubmittedError(ValidationError):
    """A second submission of an assignment (a double click, a retried request): the API answers 409 Conflict."""

    def __init__(self, assignment_id):
        super().__init__(
            f"Assignment {assignment_id} is already submitted; a read is submitted once (amend it to change it).",
            code="read_already_submitted",
        )


class Read(FrozenOnceFinal, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    final_status = Status.SUBMITTED

    assignment = models.ForeignKey("annotation.Assignment", on_delete=models.PROTECT, related_name="reads")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    no_findings = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    time_spent_s = models.FloatField(default=0.0, help_text="Seconds the reader spent on this version.")
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by"
    )
    amendment_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "version"], name="read_version_unique"),
            models.UniqueConstraint(
                fields=["assignment"], condition=models.Q(status="draft"), name="read_one_draft_per_assignment"
            ),
        ]

    def __str__(self):
        return f"read {self.assignment_id} v{self.version} ({self.status})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def frozen_error(self) -> Exception:
        return ReadImmutableError(self.pk)


class ReadLabel(FrozenWithParent):
    """One trait of one read: present, absent or uncertain, with slice ranges and key images when positive."""

    frozen_parent = "read"

    class State(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        UNCERTAIN = "uncertain", "Uncertain"

    read = models.ForeignKey(Read, on_delete=models.CASCADE, related_name="labels")
    trait = models.ForeignKey("curation.Trait", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices)
    slice_ranges = models.JSONField(default=list, blank=True)  # [[first, last], ...] axial slice indices
    key_images = models.JSONField(default=list, blank=True)  # axial slice indices
    note = models.TextField(blank=True)
    # True when the hierarchy set this label (a positive child made its parent positive).
    implied = models.BooleanField(default=False)

    class Meta:
        ordering = ["read_id", "trait__display_order"]
        constraints = [models.UniqueConstraint(fields=["read", "trait"], name="readlabel_one_per_trait")]

    def __str__(self):
        return f"{self.trait_id}={self.state}"
