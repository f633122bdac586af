from django.apps import AppConfig


class ReportsNlpConfig(AppConfig):
    name = "reports_nlp"

    def ready(self):
        from . import signals  # noqa: F401  (links waiting reports when the archive ingests their study)
