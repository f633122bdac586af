"""Admin pages: dataset versions (read-only once published) and their export jobs."""

from django.contrib import admin

from core.admin import PublishedReadOnlyAdmin

from .models import DatasetVersion, ExportJob


class ExportJobInline(admin.TabularInline):
    model = ExportJob
    extra = 0
    can_delete = False
    fields = ["status", "chunks_done", "chunks_total", "chunks_skipped", "message", "created_at", "finished_at"]
    readonly_fields = fields


@admin.register(DatasetVersion)
class DatasetVersionAdmin(PublishedReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "version", "status", "n_studies", "content_hash", "created_by", "created_at"]
    list_filter = ["status", "name"]
    inlines = [ExportJobInline]
    draft_readonly_fields = ("status", "content_hash", "published_at", "n_studies", "n_slices", "error")

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "version", "status", "chunks_done", "chunks_total", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]
