from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "curation"

    def ready(self):
        from . import signals  # noqa: F401  (guards published taxonomies against m2m edits)
