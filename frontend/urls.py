"""Page URLs: login, home, and one block per area."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import home
from .views import reports as reports_pages

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Report mining (issue 5): runs and import, candidates, mapping editor with preview, mapping quality.
    path("reports/", reports_pages.mining, name="reports-mining"),
    path("reports/upload/", reports_pages.report_upload, name="reports-upload"),
    path("reports/runs/start/", reports_pages.mining_start, name="reports-mining-start"),
    path("reports/runs/<int:run_id>/resume/", reports_pages.mining_resume, name="reports-mining-resume"),
    path("reports/candidates/", reports_pages.candidates, name="reports-candidates"),
    path("reports/candidates/select/", reports_pages.candidates_select, name="reports-candidates-select"),
    path("reports/mappings/", reports_pages.mapping_sets, name="reports-mapping-sets"),
    path("reports/mappings/<int:version>/", reports_pages.mapping_editor, name="reports-mapping-editor"),
    path("reports/mappings/<int:version>/<str:action>/", reports_pages.mapping_set_action,
         name="reports-mapping-set-action"),
    path("reports/mapping/<int:mapping_id>/save/", reports_pages.mapping_save, name="reports-mapping-save"),
    path("reports/quality/", reports_pages.quality, name="reports-quality"),
]
