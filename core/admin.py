"""Admin building blocks shared by the apps' admin pages."""


class PublishedReadOnlyAdmin:
    """ModelAdmin mixin for a Publishable: every field read-only once published; `draft_readonly_fields` before."""

    draft_readonly_fields: tuple[str, ...] = ("published_at",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [f.name for f in obj._meta.fields]
        return list(self.draft_readonly_fields)
