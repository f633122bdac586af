"""Admin pages of the archive: read-only views of studies, series, rejections and jobs; the identity linkage
for admins only (it holds PHI). Ingest writes these rows; nobody edits them by hand. Known DICOM nodes
(the listener's allowlist) are edited here by admins."""

from django.contrib import admin

from core.roles import is_admin

from .models import DicomNode, IdentityLink, IngestJob, Rejection, Series, Study


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SeriesInline(admin.TabularInline):
    model = Series
    fk_name = "study"
    extra = 0
    fields = ["series_uid", "series_number", "kind", "n_instances", "qc_flags"]
    readonly_fields = fields
    can_delete = False


@admin.register(Study)
class StudyAdmin(ReadOnlyAdmin):
    list_display = ["study_uid", "patient", "study_date", "modality", "station", "n_series", "n_instances"]
    list_filter = ["modality", "station", "age_band"]
    search_fields = ["study_uid", "patient__pseudonym", "accession_pseudonym"]
    inlines = [SeriesInline]


@admin.register(Series)
class SeriesAdmin(ReadOnlyAdmin):
    list_display = ["series_uid", "study", "kind", "n_instances", "qc_flags"]
    list_filter = ["kind"]
    search_fields = ["series_uid", "study__study_uid"]


@admin.register(Rejection)
class RejectionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "source", "rule", "tag", "name"]
    list_filter = ["rule", "source"]
    search_fields = ["name", "reason", "sha256"]


@admin.register(IngestJob)
class IngestJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "source", "status", "processed", "total", "accepted", "duplicate", "rejected", "created_at"]
    list_filter = ["status", "source"]


@admin.register(IdentityLink)
class IdentityLinkAdmin(ReadOnlyAdmin):
    list_display = ["study", "original_patient_id", "original_accession", "date_shift_days"]
    search_fields = ["original_patient_id", "original_accession", "original_study_uid", "study__study_uid"]

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DicomNode)
class DicomNodeAdmin(admin.ModelAdmin):
    """The listener's allowlist: admins register the PACS and modalities that may push studies."""

    list_display = ["ae_title", "host", "description", "may_store", "enabled", "updated_at"]
    list_filter = ["enabled", "may_store"]
    search_fields = ["ae_title", "host", "description"]

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request):
        return is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)
