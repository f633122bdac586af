"""Admin pages for curators: taxonomies with their traits and groups."""

from django.contrib import admin

from .models import Taxonomy, Trait, TraitGroup


class TraitInline(admin.TabularInline):
    model = Trait
    fk_name = "taxonomy"
    extra = 0
    fields = ["code", "name", "significance", "parent", "display_order", "hotkey", "prevalence"]


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "status", "published_at"]
    list_filter = ["status"]
    inlines = [TraitInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [f.name for f in obj._meta.fields]
        return ["published_at"]


@admin.register(Trait)
class TraitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "significance", "parent", "taxonomy", "hotkey"]
    list_filter = ["taxonomy", "significance"]
    search_fields = ["code", "name"]


@admin.register(TraitGroup)
class TraitGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "taxonomy"]
    list_filter = ["taxonomy", "kind"]

from . import admin_archive  # noqa: E402,F401  (archive admin pages register themselves)
