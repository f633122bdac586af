"""Admin pages: mapping sets with their mappings, mining runs; reports (with their PHI text) for admins only."""

from django.contrib import admin

from core.admin import PublishedReadOnlyAdmin
from core.roles import is_admin

from .models import KeywordMapping, MappingSet, MiningRun, QuarantinedMessage, Report, ReportSender


class KeywordMappingInline(admin.TabularInline):
    model = KeywordMapping
    extra = 0
    fields = ["trait", "phrases", "exclusions", "sections", "weight"]
    raw_id_fields = ["trait"]


@admin.register(MappingSet)
class MappingSetAdmin(PublishedReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["version", "status", "taxonomy", "published_at"]
    list_filter = ["status"]
    inlines = [KeywordMappingInline]


@admin.register(MiningRun)
class MiningRunAdmin(admin.ModelAdmin):
    list_display = ["id", "mapping_set", "status", "done_reports", "total_reports", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = ["total_reports", "done_reports", "started_at", "finished_at", "error"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "accession_pseudonym", "report_date", "revision", "result_status", "is_current", "study"]
    list_filter = ["is_current", "result_status"]
    search_fields = ["accession_pseudonym"]
    raw_id_fields = ["study"]
    readonly_fields = ["content_hash", "revision", "result_status", "is_current", "imported_at"]

    def has_module_permission(self, request):
        # Report text is PHI: staff without the admin role never see this page.
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)


class _AdminsOnly:
    """Pages of the report feeds: admins only (a sender list is configuration; quarantined messages are PHI)."""

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request):
        return is_admin(request.user)


@admin.register(ReportSender)
class ReportSenderAdmin(_AdminsOnly, admin.ModelAdmin):
    list_display = ["sending_application", "sending_facility", "description", "enabled", "updated_at"]
    list_filter = ["enabled"]


@admin.register(QuarantinedMessage)
class QuarantinedMessageAdmin(_AdminsOnly, admin.ModelAdmin):
    """What failed and why; the raw message is here for an admin to fix and resend, then delete."""

    list_display = ["received_at", "channel", "control_id", "error_kind", "detail"]
    list_filter = ["channel", "error_kind"]
    readonly_fields = ["channel", "control_id", "error_kind", "detail", "raw", "received_at"]

    def has_add_permission(self, request):
        return False  # the intake writes these; an admin reads, fixes and resends, then deletes

    def has_change_permission(self, request, obj=None):
        return False
