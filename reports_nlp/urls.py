"""REST API of `reports_nlp`."""

app_name = "reports_nlp"
urlpatterns: list = []
