"""Radiology reports, stored by accession pseudonym with one row per revision.

The accession number itself is never stored: only its pseudonym, made with the archive's
de-identification key, so a report meets its study whichever arrives first.
"""

from django.db import models


class ResultStatus(models.TextChoices):
    """Where a report stands in the RIS (HL7 v2 OBR-25 / FHIR DiagnosticReport.status); blank: a file import."""

    PRELIMINARY = "preliminary", "Preliminary"
    FINAL = "final", "Final"
    CORRECTED = "corrected", "Corrected"
    ADDENDUM = "addendum", "Addendum"
    CANCELLED = "cancelled", "Cancelled"


class Report(models.Model):
    accession_pseudonym = models.CharField(max_length=128, db_index=True)
    patient_pseudonym = models.CharField(max_length=128, blank=True)
    report_date = models.DateField()
    # PHI-bearing: read only through curator/admin APIs and pages, never logged or exported.
    text = models.TextField(blank=True, help_text="Empty only for a cancelled revision that carried no text.")
    content_hash = models.CharField(
        max_length=64, help_text="sha256 of the report date, the text and (when sent) the result status."
    )
    result_status = models.CharField(max_length=16, choices=ResultStatus.choices, blank=True, default="",
                                     help_text="The RIS's status of this revision; blank for file imports.")
    revision = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True, help_text="The latest revision of this accession's report.")
    study = models.ForeignKey(
        "curation.Study", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    source = models.CharField(max_length=255, blank=True,
                              help_text="Import file name, 'api', or the feed and its message id.")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["accession_pseudonym", "content_hash"], name="report_content_unique"),
            models.UniqueConstraint(fields=["accession_pseudonym", "revision"], name="report_revision_unique"),
        ]
        indexes = [models.Index(fields=["is_current", "id"], name="report_current_id")]

    def __str__(self):
        # Never the text or anything identifying: this string can reach logs.
        return f"report {self.pk} rev {self.revision}"
