"""The DICOM archive: patients, studies, series and instances (all de-identified), quarantine, linkage, jobs.

Only `IdentityLink` holds original identifiers, and only admins may read it. Everything else carries
pseudonyms, keyed UIDs and shifted dates, so viewers, APIs and exports never see PHI.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.jobs import HeartbeatJob


class Patient(models.Model):
    pseudonym = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pseudonym"]

    def __str__(self):
        return self.pseudonym


class Study(models.Model):
    study_uid = models.CharField(max_length=64, unique=True, help_text="De-identified StudyInstanceUID (2.25 form).")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="studies")
    accession_pseudonym = models.CharField(max_length=64, blank=True, db_index=True)
    study_date = models.DateField(null=True, blank=True, db_index=True, help_text="Shifted per patient.")
    study_time = models.CharField(max_length=16, blank=True)
    modality = models.CharField(max_length=16, blank=True)
    site = models.CharField(max_length=64, blank=True, help_text="Pseudonym of the institution.")
    station = models.CharField(max_length=64, blank=True, help_text="Scanner make and model.")
    age_band = models.CharField(max_length=8, blank=True,
                                help_text="The patient's age band at the study (\"40-64\"); never the age itself.")
    primary_series = models.ForeignKey(
        "Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_of"
    )
    primary_series_pinned = models.BooleanField(
        default=False, db_default=False, help_text="Reads mark slices of the primary series: once one has, a series arriving later "
        "does not replace it.")
    n_series = models.PositiveIntegerField(default=0)
    n_instances = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-study_date", "study_uid"]
        verbose_name_plural = "studies"

    def __str__(self):
        return self.study_uid


class Series(models.Model):
    class Kind(models.TextChoices):
        AXIAL = "axial", "Axial"
        LOCALIZER = "localizer", "Localizer"
        REFORMAT = "reformat", "Reformat"
        OTHER = "other", "Other"

    series_uid = models.CharField(max_length=64, unique=True)
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="series")
    modality = models.CharField(max_length=16, blank=True)
    series_number = models.IntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    n_instances = models.PositiveIntegerField(default=0)
    qc_flags = models.JSONField(default=dict, blank=True, help_text="Empty when the series passed QC.")
    slice_spacing = models.FloatField(null=True, blank=True)
    normal = models.JSONField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    columns = models.PositiveIntegerField(default=0)
    needs_refresh = models.BooleanField(default=True, help_text="Instances arrived since the last classification.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["study", "series_number", "series_uid"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.series_uid


class Instance(models.Model):
    sop_uid = models.CharField(max_length=64, unique=True)
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="instances")
    sop_class_uid = models.CharField(max_length=64)
    instance_number = models.IntegerField(null=True, blank=True)
    slice_index = models.IntegerField(null=True, blank=True, help_text="Position in slice order (0 = inferior).")
    storage_path = models.CharField(max_length=255)
    transfer_syntax = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the stored (de-identified) file.")
    size = models.PositiveBigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    columns = models.PositiveIntegerField(default=0)
    n_frames = models.PositiveIntegerField(default=1)
    pixel_offset = models.PositiveBigIntegerField(null=True, blank=True, help_text="Native pixel data offset.")
    frame_length = models.PositiveBigIntegerField(null=True, blank=True)
    image_type = models.CharField(max_length=128, blank=True)
    orientation = models.JSONField(null=True, blank=True)
    position = models.JSONField(null=True, blank=True)
    gantry_tilt = models.FloatField(default=0.0)
    dicom_json = models.JSONField(default=dict, help_text="DICOM JSON with PixelData as BulkDataURI.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["series", "slice_index", "instance_number"]
        indexes = [models.Index(fields=["series", "slice_index"])]

    def __str__(self):
        return self.sop_uid


class IngestJob(HeartbeatJob):
    """One batch of ingest work (a CLI run, a browser upload) with its progress and summary.

    An upload runs in chunks of `chunk_size` files, one task each, all queued at once so that every worker
    takes some; `chunks_recorded` lists the chunks finished (their outcome is in the counts), so a redelivered
    or re-queued chunk task that finds its chunk there does nothing. `chunks_done` is their number.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)

    source = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    upload_prefix = models.CharField(max_length=255, blank=True, help_text="Storage folder of uploaded files.")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    chunk_size = models.PositiveIntegerField(default=200, validators=[MinValueValidator(1)],
                                             help_text="Files per chunk task.")
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    chunks_recorded = models.JSONField(default=list, blank=True, help_text="Indexes of the chunks finished.")
    accepted = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejected_by_reason = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"ingest job {self.pk} ({self.source}, {self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else (100 if self.status == "done" else 0)


class Rejection(models.Model):
    """A quarantined instance: its original bytes are kept (admins only) with the reason curators see."""

    source = models.CharField(max_length=16)
    name = models.CharField(max_length=512, help_text="File or part the instance came from.")
    rule = models.CharField(max_length=32, db_index=True)
    tag = models.CharField(max_length=64, blank=True)
    reason = models.TextField()
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the original bytes.")
    quarantine_path = models.CharField(max_length=255, blank=True)
    job = models.ForeignKey(IngestJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="rejections")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.rule}: {self.name}"


class IdentityLink(models.Model):
    """Original identifiers of a study. PHI: admins only; never serialized by non-admin code."""

    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="identity_link")
    original_study_uid = models.CharField(max_length=64, db_index=True)
    original_patient_id = models.CharField(max_length=64, db_index=True)
    original_patient_name = models.CharField(max_length=324, blank=True)
    original_birth_date = models.CharField(max_length=16, blank=True)
    original_accession = models.CharField(max_length=64, blank=True, db_index=True)
    original_institution = models.CharField(max_length=64, blank=True)
    date_shift_days = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        default_permissions = ("view",)  # created by ingest only; nobody edits the linkage by hand

    def __str__(self):
        return f"identity of study {self.study_id}"
