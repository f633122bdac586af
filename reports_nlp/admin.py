"""Admin pages: mapping sets with their mappings, mining runs; reports (with their PHI text) for admins only."""

from django.contrib import admin

from core.admin import PublishedReadOnlyAdmin
from core.roles import is_admin

from .models import KeywordMapping, MappingSet, MiningRun, Report


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
    list_display = ["id", "accession_pseudonym", "report_date", "revision", "is_current", "study"]
    list_filter = ["is_current"]
    search_fields = ["accession_pseudonym"]
    raw_id_fields = ["study"]
    readonly_fields = ["content_hash", "revision", "is_current", "imported_at"]

    def has_module_permission(self, request):
        # Report text is PHI: staff without the admin role never see this page.
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)
