"""Admin pages for curators: taxonomies with their traits and groups."""

from django.contrib import admin

from core.admin import PublishedReadOnlyAdmin

from .models import Taxonomy, Trait, TraitGroup


class TraitInline(admin.TabularInline):
    model = Trait
    fk_name = "taxonomy"
    extra = 0
    fields = ["code", "name", "significance", "parent", "display_order", "hotkey", "prevalence"]


@admin.register(Taxonomy)
class TaxonomyAdmin(PublishedReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "version", "status", "published_at"]
    list_filter = ["status"]
    inlines = [TraitInline]


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
