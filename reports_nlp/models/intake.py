"""Report feeds: the sending facilities the HL7 listener accepts, and the quarantine of messages that failed.

A quarantined message keeps its raw text (PHI) for an admin to look at and resend; nothing else the
intake writes ever holds the raw message.
"""

from django.db import models


class ReportSender(models.Model):
    """A known RIS: HL7 messages whose MSH-3/MSH-4 match an enabled sender are imported, all others refused."""

    sending_application = models.CharField(max_length=180, help_text="MSH-3, as the RIS sends it (e.g. RIS).")
    sending_facility = models.CharField(max_length=180, help_text="MSH-4, as the RIS sends it (e.g. HOSP_A).")
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sending_facility", "sending_application"]
        constraints = [
            models.UniqueConstraint(fields=["sending_application", "sending_facility"], name="reportsender_unique"),
        ]

    def __str__(self):
        return f"{self.sending_application}@{self.sending_facility}"


class QuarantinedMessage(models.Model):
    """A report message that could not be imported: why (no PHI), and the raw message (PHI, admins only)."""

    class Channel(models.TextChoices):
        HL7 = "hl7", "HL7 v2 (MLLP)"
        FHIR = "fhir", "FHIR DiagnosticReport"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    control_id = models.CharField(max_length=199, blank=True, help_text="MSH-10 or the resource id, when readable.")
    error_kind = models.CharField(max_length=64, help_text="What failed, e.g. 'unparseable', 'no-accession'.")
    detail = models.CharField(max_length=500, blank=True, help_text="Where it failed; never quotes the message.")
    # PHI-bearing: the admin page only, never an API, a log or an export.
    raw = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.channel} message {self.control_id or self.pk}: {self.error_kind}"
