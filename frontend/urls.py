"""Page URLs: login, home, and one block per area."""

from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from .views import adjudication, campaign_overview, home, reading
from .views import reports as reports_pages

urlpatterns = [
    path("", home.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page links; the icon itself is a static file.
    path("favicon.ico", RedirectView.as_view(url=static("frontend/favicon.ico"), permanent=True)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The reading room: worklist, reading page, adjudication, campaign overview.
    path("reading/", reading.worklist, name="reading-worklist"),
    path("reading/campaigns/<int:campaign_id>/next/", reading.reading_next, name="reading-next"),
    path("reading/assignments/<int:assignment_id>/", reading.reading_read, name="reading-read"),
    path("reading/reads/<int:read_id>/amend/", reading.reading_amend, name="reading-amend"),
    path("reading/adjudication/next/", adjudication.adjudicate_next, name="reading-adjudicate-next"),
    path("reading/adjudication/<int:task_id>/", adjudication.adjudicate, name="reading-adjudicate"),
    path("campaigns/", campaign_overview.campaign_index, name="reading-campaigns"),
    path("campaigns/<int:campaign_id>/", campaign_overview.campaign_overview, name="reading-campaign"),
    # Report mining: runs and import, candidates, mapping editor with preview, mapping quality.
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
    path("reports/mappings/<int:version>/rules/save/", reports_pages.mapping_rules_save,
         name="reports-mapping-rules-save"),
    path("reports/quality/", reports_pages.quality, name="reports-quality"),
]

# The DICOM archive: studies with series and QC flags, rejections, uploads with progress.
from .views import archive as archive_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("archive/", archive_pages.studies, name="archive-studies"),
    path("archive/rejections/", archive_pages.rejections, name="archive-rejections"),
    path("archive/upload/", archive_pages.upload, name="archive-upload"),
    path("archive/jobs/<int:job_id>/", archive_pages.job, name="archive-job"),
]

# Datasets: versions with export progress, a new version, one version, the diff of two.
from .views import datasets as dataset_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("datasets/", dataset_pages.versions, name="datasets-versions"),
    path("datasets/new/", dataset_pages.version_create, name="datasets-version-create"),
    path("datasets/<int:version_id>/", dataset_pages.version_detail, name="datasets-version"),
    path("datasets/<int:version_id>/resume/", dataset_pages.version_resume, name="datasets-version-resume"),
    path("datasets/<int:version_id>/compare/<int:other_id>/", dataset_pages.version_compare,
         name="datasets-compare"),
]

# Model runs: runs, one run's evaluation report and plots, two runs compared.
from .views import runs as run_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("runs/", run_pages.runs, name="runs"),
    path("runs/<int:run_id>/", run_pages.run_detail, name="run"),
    path("runs/<int:run_id>/compare/<int:other_id>/", run_pages.run_compare, name="run-compare"),
    path("runs/<int:run_id>/plots/<str:name>", run_pages.run_plot, name="run-plot"),
]

# Second opinion: the model's view, after the reader's own read, where the campaign allows it.
from .views import second_opinion as second_opinion_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("reading/assignments/<int:assignment_id>/second-opinion/", second_opinion_pages.second_opinion_page,
         name="reading-second-opinion"),
]

# Saliency overlays: the slice images under the model's maps, gated like the pages that show them.
from .views import saliency as saliency_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("reading/assignments/<int:assignment_id>/second-opinion/slices/<int:position>.png",
         saliency_pages.second_opinion_slice, name="reading-second-opinion-slice"),
    path("reading/adjudication/<int:task_id>/slices/<int:position>.png", saliency_pages.adjudication_slice,
         name="reading-adjudication-slice"),
]

# Active-learning priorities: per campaign, the ranked studies of a model run, and pushing them into the worklist.
from .views import priorities as priority_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("priorities/", priority_pages.priorities_index, name="priorities"),
    path("priorities/campaigns/<int:campaign_id>/", priority_pages.campaign_priorities, name="priorities-campaign"),
    path("priorities/campaigns/<int:campaign_id>/push/", priority_pages.campaign_priorities_push_view,
         name="priorities-push"),
]

# Taxonomy: versions, one version's tree; a draft's trait edits, its diff against the published version, publish.
from .views import taxonomy as taxonomy_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("taxonomy/", taxonomy_pages.taxonomy_versions, name="taxonomy-versions"),
    path("taxonomy/<int:taxonomy_id>/", taxonomy_pages.taxonomy_version, name="taxonomy-version"),
    path("taxonomy/<int:taxonomy_id>/clone/", taxonomy_pages.taxonomy_version_clone, name="taxonomy-version-clone"),
    path("taxonomy/<int:taxonomy_id>/publish/", taxonomy_pages.taxonomy_version_publish,
         name="taxonomy-version-publish"),
    path("taxonomy/<int:taxonomy_id>/traits/", taxonomy_pages.trait_add, name="taxonomy-trait-add"),
    path("taxonomy/traits/<int:trait_id>/", taxonomy_pages.trait_edit, name="taxonomy-trait-edit"),
]

# The campaign builder: create and edit, studies from candidates or an archive query, gold studies, activate/close.
from .views import campaigns as campaign_pages  # noqa: E402  (appended block, one per area)

urlpatterns += [
    path("campaigns/new/", campaign_pages.campaign_new, name="campaign-new"),
    path("campaigns/<int:campaign_id>/edit/", campaign_pages.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:campaign_id>/studies/candidates/", campaign_pages.campaign_add_candidates_page,
         name="campaign-add-candidates"),
    path("campaigns/<int:campaign_id>/studies/query/", campaign_pages.campaign_add_query, name="campaign-add-query"),
    path("campaigns/<int:campaign_id>/studies/gold/", campaign_pages.campaign_add_gold, name="campaign-add-gold"),
    path("campaigns/<int:campaign_id>/<str:action>/", campaign_pages.campaign_status, name="campaign-status"),
]
