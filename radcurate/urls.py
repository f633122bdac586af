"""Root URLs: the admin, the REST API of each app, DICOMweb, the OpenAPI schema and the pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI loads from this server's static files (drf-spectacular-sidecar): it works offline.
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("curation.urls")),
    path("api/reports/", include("reports_nlp.urls")),
    path("api/annotation/", include("annotation.urls")),
    path("api/datasets/", include("datasets.urls")),
    path("dicomweb/", include("curation.dicomweb.urls")),
    path("", include("frontend.urls")),
]
