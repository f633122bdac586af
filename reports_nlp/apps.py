from django.apps import AppConfig


class ReportsNlpConfig(AppConfig):
    name = "reports_nlp"
